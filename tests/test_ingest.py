"""Tests of the ingest stage: formats, sources, identity, and every kind of bad input."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from kg.errors import IngestError
from kg.ingest import Article, looks_english, make_doc_id, read_articles
from kg.resources import SAMPLES_DIR

FAKES_DEV = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "fakes-dev.jsonl"
ALJAZEERA = SAMPLES_DIR / "aljazeera-2020-05-05-aleppo.txt"
EAWORLD = SAMPLES_DIR / "eaworld-safira-strikes.txt"

ENGLISH = (
    "Israeli jets struck a research centre and a military base in the northern province of "
    "Aleppo, state media said on Monday, in the fifth such attack in two weeks on suspected "
    "Iranian targets. The army said it was assessing the damage."
)
FRENCH = (
    "Des avions israéliens ont frappé dans la nuit de lundi un centre de recherche et une base "
    "militaire dans la province d'Alep selon les médias officiels syriens. L'armée syrienne a "
    "affirmé que ses défenses aériennes avaient intercepté la plupart des missiles tirés."
)
GERMAN = (
    "Israelische Kampfflugzeuge haben in der Nacht zum Montag ein Forschungszentrum und einen "
    "Militärstützpunkt in der Provinz Aleppo angegriffen wie die syrischen Staatsmedien "
    "berichteten. Die syrische Armee erklärte ihre Luftabwehr habe die meisten Raketen abgefangen."
)
ARABIC = "قالت وسائل الإعلام السورية إن طائرات إسرائيلية قصفت مركزا للبحوث في حلب " * 3


def read(*sources: str | Path, **options: object) -> list[Article | IngestError]:
    return list(read_articles(list(sources), **options))  # type: ignore[arg-type]


def split(items: Iterable[Article | IngestError]) -> tuple[list[Article], list[IngestError]]:
    items = list(items)
    return (
        [item for item in items if isinstance(item, Article)],
        [item for item in items if isinstance(item, IngestError)],
    )


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def jsonl(*records: object) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


# --- the real seed articles -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "doc_id", "title", "published", "url", "source", "start", "end"),
    [
        (
            ALJAZEERA,
            "ALJA2020050500029",
            "Syria says Israeli jets hit military outposts in Aleppo province",
            datetime.datetime(2020, 5, 5, 2, 59),
            "https://www.aljazeera.com/news/2020/05/"
            "syria-israeli-jets-hit-military-outposts-aleppo-province-200505022122693.html",
            "aljazeera.com",
            "Israel reportedly hit army barracks in al-Safirah",
            "sought to overthrow his authoritarian rule.",
        ),
        (
            EAWORLD,
            None,  # derived from the text, checked below
            None,
            None,
            None,
            None,
            "The Assad regime\u2019s Scientific Studies Research Center at al-Safirah",
            "Causing Casualties",
        ),
    ],
)
def test_seed_articles(
    path: Path,
    doc_id: str | None,
    title: str | None,
    published: datetime.datetime | None,
    url: str | None,
    source: str | None,
    start: str,
    end: str,
) -> None:
    [article] = read(path)
    assert isinstance(article, Article)
    expected_id = doc_id or "text-" + hashlib.sha256(article.text.encode()).hexdigest()[:16]
    assert article.doc_id == expected_id
    assert (article.title, article.published, article.url, article.source) == (
        title,
        published,
        url,
        source,
    )
    assert article.text.startswith(start)
    assert article.text.endswith(end)
    assert article.origin == str(path)
    assert "Ariticle" not in article.text


def test_samples_directory_reads_both_seeds_in_order() -> None:
    articles, errors = split(read(SAMPLES_DIR))
    assert errors == []
    assert [a.origin for a in articles] == [str(ALJAZEERA), str(EAWORLD)]


@pytest.mark.slow
@pytest.mark.skipif(not FAKES_DEV.exists(), reason="../shared/corpus is not checked out")
def test_fakes_dev_corpus_reads_without_errors() -> None:
    articles, errors = split(read(FAKES_DEV))
    assert errors == []
    assert len(articles) == 393
    assert len({a.doc_id for a in articles}) == 393
    assert all(re.fullmatch(r"fakes-\d{4}", a.doc_id) for a in articles)
    assert all(a.source and a.title and a.text for a in articles)
    assert sum(a.published is None for a in articles) == 15
    assert articles[0].origin == f"{FAKES_DEV}:1"
    assert articles[0].published == datetime.date(2017, 4, 7)


# --- formats --------------------------------------------------------------------------------

HEADER = "URL : https://www.example.org/a\nID : X1\n\nDate : 2020-05-05\nTitle : Strike\n"


@pytest.mark.parametrize(
    ("content", "field", "expected"),
    [
        (HEADER + "Ariticle : \n" + ENGLISH, "text", ENGLISH),
        (HEADER + "Ariticle : " + ENGLISH + "\nSecond line.", "text", ENGLISH + "\nSecond line."),
        (HEADER + "Article :\n\n" + ENGLISH + "\n\n", "text", ENGLISH),
        (HEADER + "Ariticle :\n" + ENGLISH, "published", datetime.date(2020, 5, 5)),
        (
            "Date : 2020-05-05 02:59:00\nAriticle :\nHi.",
            "published",
            datetime.datetime(2020, 5, 5, 2, 59),
        ),
        (HEADER + "Ariticle :\n" + ENGLISH, "title", "Strike"),
        (HEADER + "Ariticle :\n" + ENGLISH, "source", "example.org"),
        ("\n\nurl:https://example.org/a\nAriticle:Body.", "url", "https://example.org/a"),
        ("ID : a b/c\nAriticle :\nBody.", "doc_id", "a%20b%2Fc"),
        ("ID :\nTitle :\nAriticle :\nBody.", "title", None),
        ("\ufeffID : X1\r\nAriticle :\r\nOne.\r\nTwo.\r\n", "text", "One.\nTwo."),
        ("\ufeffID : X1\r\nAriticle :\r\nOne.\r\nTwo.\r\n", "doc_id", "X1"),
        ("  Plain text.\r\nNo header: here.  \n", "text", "Plain text.\nNo header: here."),
        ("Plain text only.", "title", None),
    ],
)
def test_text_file_formats(tmp_path: Path, content: str, field: str, expected: object) -> None:
    [article] = read(write(tmp_path / "a.txt", content))
    assert isinstance(article, Article), article
    assert getattr(article, field) == expected


def test_text_extension_is_read_like_txt(tmp_path: Path) -> None:
    [article] = read(write(tmp_path / "a.TEXT", "ID : T\nAriticle :\nBody."))
    assert isinstance(article, Article) and article.doc_id == "T"


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson", ".json"])
def test_json_lines(tmp_path: Path, suffix: str) -> None:
    content = (
        jsonl(
            {"id": "fakes-0002", "source": "nna", "published": "2017-04-07", "title": "T",
             "text": ENGLISH, "credibility_label": 0},
            {"id": None, "url": "https://x.org/1", "published": "2017-04-07T09:14:00",
             "text": " Body\r\nline. "},
        )
        + "\n   \n"
        + jsonl({"text": "No metadata.", "published": None})
    )  # fmt: skip
    a, b, c = read(write(tmp_path / f"c{suffix}", content))
    assert isinstance(a, Article) and isinstance(b, Article) and isinstance(c, Article)
    assert (a.doc_id, a.source, a.title, a.published) == (
        "fakes-0002",
        "nna",
        "T",
        datetime.date(2017, 4, 7),
    )
    assert b.doc_id == "url-" + hashlib.sha256(b"https://x.org/1").hexdigest()[:16]
    assert (b.text, b.source, b.published) == (
        "Body\nline.",
        "x.org",
        datetime.datetime(2017, 4, 7, 9, 14),
    )
    assert c.doc_id == "text-" + hashlib.sha256(b"No metadata.").hexdigest()[:16]
    assert [x.origin for x in (a, b, c)] == [f"{tmp_path / f'c{suffix}'}:{n}" for n in (1, 2, 5)]


# --- sources --------------------------------------------------------------------------------


def test_directory_is_walked_sorted_skipping_hidden(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "B.")
    write(tmp_path / "a" / "z.jsonl", jsonl({"text": "Z."}))
    write(tmp_path / "a" / "notes.md", "# notes")
    write(tmp_path / ".hidden.txt", "H.")
    write(tmp_path / ".git" / "x.txt", "G.")
    items = read(tmp_path)
    assert [type(x).__name__ for x in items] == ["IngestError", "Article", "Article"]
    error, z, b = items
    assert isinstance(error, IngestError) and error.source == str(tmp_path / "a" / "notes.md")
    assert "unknown or binary format" in error.reason
    assert [z.origin, b.origin] == [f"{tmp_path / 'a' / 'z.jsonl'}:1", str(tmp_path / "b.txt")]  # type: ignore[union-attr]


def test_glob_patterns_and_duplicates(tmp_path: Path) -> None:
    write(tmp_path / "one.jsonl", jsonl({"id": "1", "text": "One."}))
    write(tmp_path / "sub" / "two.txt", "ID : 2\nAriticle :\nTwo.")
    assert [a.doc_id for a in split(read(f"{tmp_path}/*.jsonl"))[0]] == ["1"]
    # "**" matches the directory and the files in it: each file is still read once.
    articles, errors = split(read(f"{tmp_path}/**", tmp_path / "one.jsonl"))
    assert errors == [] and [a.doc_id for a in articles] == ["1", "2"]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("missing.txt", "no such file or directory"),
        ("missing/*.jsonl", "no file matches this pattern"),
    ],
)
def test_missing_sources(tmp_path: Path, source: str, reason: str) -> None:
    [error] = read(tmp_path / source, max_chars=100)
    assert isinstance(error, IngestError) and error.source == str(tmp_path / source)
    assert reason in error.reason


def test_empty_directory(tmp_path: Path) -> None:
    [error] = read(tmp_path)
    assert isinstance(error, IngestError) and "no files" in error.reason


def test_a_single_path_is_not_taken_for_a_list() -> None:
    [article] = read_articles(str(ALJAZEERA))
    assert isinstance(article, Article) and article.doc_id == "ALJA2020050500029"


@pytest.mark.parametrize(
    ("data", "doc_ids", "origins"),
    [
        (jsonl({"id": "a", "text": "A."}, {"id": "b", "text": "B."}).encode(), ["a", "b"],
         ["<stdin>:1", "<stdin>:2"]),
        (b"\xef\xbb\xbf\n  " + jsonl({"id": "a", "text": "A."}).encode(), ["a"], ["<stdin>:2"]),
        (b"ID : s1\r\nAriticle :\r\nBody.", ["s1"], ["<stdin>"]),
        (b"Just plain text.", ["text-" + hashlib.sha256(b"Just plain text.").hexdigest()[:16]],
         ["<stdin>"]),
    ],
)  # fmt: skip
def test_stdin(data: bytes, doc_ids: list[str], origins: list[str]) -> None:
    articles, errors = split(read("-", stdin=io.BytesIO(data)))
    assert errors == []
    assert [a.doc_id for a in articles] == doc_ids
    assert [a.origin for a in articles] == origins


def test_stdin_defaults_to_sys_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(jsonl({"id": "a", "text": "A."}).encode()))
    monkeypatch.setattr(sys, "stdin", fake)
    assert [a.doc_id for a in split(read("-"))[0]] == ["a"]


def test_stdin_streams_long_input_past_the_sniffed_head() -> None:
    records = [{"id": f"n{i}", "text": f"Article number {i}."} for i in range(2000)]
    articles, errors = split(read("-", stdin=io.BytesIO(jsonl(*records).encode())))
    assert errors == [] and [a.doc_id for a in articles] == [r["id"] for r in records]


# --- identity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "url", "text", "expected"),
    [
        ("ALJA2020050500029", "https://x.org/a", "t", "ALJA2020050500029"),
        ("fakes-0002", None, "t", "fakes-0002"),
        ("a.b_c~d-e", None, "t", "a.b_c~d-e"),
        ("é #?/", None, "t", "%C3%A9%20%23%3F%2F"),
        ("..", None, "t", "%2E%2E"),
        (None, "https://x.org/a", "t", "url-" + hashlib.sha256(b"https://x.org/a").hexdigest()[:16]),
        (None, None, "Some text.", "text-13b4c5aecd1b6d74"),
    ],
)  # fmt: skip
def test_doc_ids(given: str | None, url: str | None, text: str, expected: str) -> None:
    assert make_doc_id(given, url, text) == expected
    assert re.fullmatch(r"[A-Za-z0-9._~%-]+", expected)


def test_same_article_gives_same_id_and_digest(tmp_path: Path) -> None:
    unix = write(tmp_path / "unix.txt", "Line one.\nLine two.\n")
    windows = write(tmp_path / "sub" / "windows.txt", b"\xef\xbb\xbf\r\nLine one.\r\nLine two.\r\n")
    (a,), (b,) = read(unix), read(windows)
    assert isinstance(a, Article) and isinstance(b, Article)
    assert a.origin != b.origin
    assert (a.doc_id, a.text, a.digest()) == (b.doc_id, b.text, b.digest())
    (again,) = read(unix)
    assert again == a and again.digest() == a.digest()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", ENGLISH + "!"),
        ("title", "Other"),
        ("url", "https://x.org/b"),
        ("published", datetime.datetime(2020, 5, 5, 0, 0)),
        ("source", "bbc"),
        ("doc_id", "other"),
    ],
)
def test_digest_changes_with_every_field_but_origin(field: str, value: object) -> None:
    article = Article("a", ENGLISH, "T", "https://x.org/a", datetime.date(2020, 5, 5), "nna", "x")
    assert dataclasses.replace(article, origin="elsewhere").digest() == article.digest()
    changed = dataclasses.replace(article, **{field: value})  # type: ignore[arg-type]
    assert changed.digest() != article.digest()
    assert re.fullmatch(r"[0-9a-f]{64}", article.digest())


def test_articles_are_frozen() -> None:
    article = Article("a", "t", None, None, None, None, "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.text = "u"  # type: ignore[misc]


# --- language -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "english"),
    [
        (ENGLISH, True),
        (ALJAZEERA.read_text(encoding="utf-8"), True),
        ("Russian strikes kill 34 civilians in Syria's Deir Ezzor Monitor AFP Sunday", True),
        ("Des avions israéliens ont frappé Alep.", True),  # under 20 words: benefit of doubt
        ("", True),
        (FRENCH, False),
        (GERMAN, False),
        (ARABIC, False),
        ("Израильские самолёты нанесли удар по базе.", False),
        ("以色列战机周一晚间空袭了阿勒颇省的一个研究中心和一个军事基地", False),
    ],
)
def test_looks_english(text: str, english: bool) -> None:
    assert looks_english(text) is english


# --- bad input: one error each, good articles around it still come through -----------------


@pytest.mark.parametrize(
    ("name", "content", "line", "reason"),
    [
        ("b.txt", b"", None, "empty article"),
        ("b.txt", b" \r\n\t\n", None, "empty article"),
        ("b.txt", b"ID : x\nAriticle :\n\n", 2, "empty article"),
        ("b.txt", b"GIF89a\x00\x01\x02", None, "unknown or binary format"),
        ("b.txt", bytes(range(1, 9)) * 50, None, "unknown or binary format"),
        ("b.jsonl", b"\x00" * 100, None, "unknown or binary format"),
        ("b.pdf", b"%PDF-1.4 text", None, "unknown or binary format"),
        ("b", b"Text without extension.", None, "unknown or binary format"),
        ("b.txt", b"First line.\nCaf\xe9.\n", 2, "not valid UTF-8: byte 0xe9 at byte offset 15"),
        ("b.txt", b"x" * 600, None, "600 characters, above the limit of 500; split it or raise"),
        ("b.txt", b"y" * 70_000, None, "70000 characters, above the limit of 500"),
        ("b.txt", FRENCH.encode(), None, "does not look like English"),
        ("b.txt", b"ID : x\nDate : last Monday\nAriticle :\nBody.", 2, "not an ISO date"),
        ("b.txt", b"ID : x\nTitle : y\nBody without a marker.", 3, "expected a header line"),
        ("b.txt", b"ID : x\nTitle : y\n", None, "no 'Ariticle :' line"),
        ("b.txt", b"ID : x\nID : y\nAriticle :\nBody.", 2, "given twice"),
        ("b.json", b'[\n  {"text": "A."}\n]\n', 1, "JSON array, not JSON Lines"),
    ],
)  # fmt: skip
def test_bad_files(
    tmp_path: Path, name: str, content: bytes, line: int | None, reason: str
) -> None:
    write(tmp_path / "a.txt", "ID : a\nAriticle :\nGood.")
    bad = write(tmp_path / name, content)
    write(tmp_path / "c.jsonl", jsonl({"id": "c", "text": "Good."}))
    items = read(tmp_path, max_chars=500)
    articles, errors = split(items)
    assert [a.doc_id for a in articles] == ["a", "c"]
    [error] = errors
    assert (error.source, error.line) == (str(bad), line)
    assert reason in error.reason, error.reason
    assert str(error).startswith(f"{bad}:{line}: " if line else f"{bad}: ")


LONG_LINE = (
    b"\xff" + b"z" * 1500
)  # 1501 bytes  # neither UTF-8 nor JSON: only its size may be reported


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"id": "b", "text": ', "malformed JSON"),
        (b'["a", "b"]', "expected a JSON object, got array"),
        (b'"text"', "expected a JSON object, got string"),
        (b'{"id": "b"}', "no 'text' field"),
        (b'{"id": "b", "text": "  \\n "}', "empty article"),
        (b'{"id": "b", "text": ["A."]}', "'text' must be a string, got array"),
        (b'{"id": 7, "text": "A."}', "'id' must be a string or null, got number"),
        (b'{"text": "A.", "title": true}', "'title' must be a string or null, got boolean"),
        (b'{"text": "A.", "published": "yesterday"}', "not an ISO date or datetime"),
        (b'{"text": "A.", "published": 2017}', "'published' must be a string or null"),
        (b'{"text": "caf\xe9"}', "not valid UTF-8: byte 0xe9 at byte offset"),
        (json.dumps({"text": FRENCH}).encode(), "does not look like English"),
        (json.dumps({"text": "w" * 600}).encode(), "600 characters, above the limit of 500"),
        (LONG_LINE, "a record of 1501 bytes, more than twice the limit of 500 characters"),
    ],
)
def test_bad_json_lines(tmp_path: Path, line: bytes, reason: str) -> None:
    good = jsonl({"id": "a", "text": "Good."}).encode()
    path = write(
        tmp_path / "c.jsonl", good + b"\r\n" + line + b"\r\n" + good.replace(b'"a"', b'"c"')
    )
    articles, errors = split(read(path, max_chars=500))
    assert [(a.doc_id, a.origin) for a in articles] == [("a", f"{path}:1"), ("c", f"{path}:4")]
    [error] = errors
    assert (error.source, error.line) == (str(path), 3)
    assert reason in error.reason, error.reason


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b'{"text": "A."}\n{"text": "caf\xe9"}\n', "byte offset 28 (line 2)"),
        (b'\xef\xbb\xbf{"text": "caf\xe9"}\n', "byte offset 16 (line 1)"),
    ],
)
def test_invalid_utf8_offset_counts_from_the_start_of_the_file(
    tmp_path: Path, content: bytes, where: str
) -> None:
    [error] = split(read(write(tmp_path / "c.jsonl", content)))[1]
    assert where in error.reason


@pytest.mark.parametrize("published", ["", "  ", None])
def test_blank_published_is_unknown(tmp_path: Path, published: str | None) -> None:
    [article] = read(write(tmp_path / "c.jsonl", jsonl({"text": "A.", "published": published})))
    assert isinstance(article, Article) and article.published is None


@pytest.mark.parametrize(
    ("data", "line", "reason"),
    [
        (b"\x00\x01\x02", None, "unknown or binary format"),
        (b"  \n ", None, "empty article"),
        (FRENCH.encode(), None, "does not look like English"),
        (b'{"id": "a", "text": "A."}\n{"id": "b"}\n{"id": "c", "text": "C."}\n', 2, "no 'text'"),
    ],
)
def test_bad_stdin(data: bytes, line: int | None, reason: str) -> None:
    articles, errors = split(read("-", ALJAZEERA, stdin=io.BytesIO(data)))
    assert articles[-1].doc_id == "ALJA2020050500029"
    [error] = errors
    assert (error.source, error.line) == ("<stdin>", line)
    assert reason in error.reason
