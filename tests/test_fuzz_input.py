"""Garbage in, fuzzed: whatever the bytes of an input, reading it yields articles, or errors
that name the file and line, never an exception; the good articles around it are read, and
a run over it stores them and reports the rest without a traceback."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import main
from kg.errors import IngestError
from kg.ingest import Article, read_articles
from kg.store import KGStore

GOOD = "Syrian warplanes struck a market in Idlib on Monday, killing five people, rescuers said."
MAX_CHARS = 2_000
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
# Records that have the fields a reader looks for, with values of any type.
records = st.fixed_dictionaries(
    {"text": json_values | st.text()},
    optional={
        field: json_values | st.text() for field in ("id", "url", "source", "published", "title")
    },
)


def read_dir(directory: Path) -> tuple[list[Article], list[IngestError]]:
    items = list(read_articles([directory], max_chars=MAX_CHARS))
    assert all(isinstance(item, Article | IngestError) for item in items)
    articles = [item for item in items if isinstance(item, Article)]
    return articles, [item for item in items if isinstance(item, IngestError)]


def with_good_neighbours(directory: Path, name: str, content: bytes) -> Path:
    """``content`` as ``name`` between two good articles (``a.txt`` and ``c.jsonl``)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "a.txt").write_text(f"ID : a\nAriticle :\n{GOOD}", encoding="utf-8")
    (directory / name).write_bytes(content)
    (directory / "c.jsonl").write_text(json.dumps({"id": "c", "text": GOOD}) + "\n")
    return directory / name


def assert_neighbours_read(articles: list[Article], errors: list[IngestError], bad: Path) -> None:
    ids = [a.doc_id for a in articles]
    assert ids[0] == "a" and ids[-1] == "c", ids
    assert all(error.source == str(bad) and str(error).startswith(str(bad)) for error in errors)


@FUZZ
@given(content=st.binary(max_size=3_000), name=st.sampled_from(["b.txt", "b.jsonl", "b.json"]))
def test_any_bytes_in_a_file(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, name: str
) -> None:
    directory = tmp_path_factory.mktemp("bytes")
    bad = with_good_neighbours(directory, name, content)
    assert_neighbours_read(*read_dir(directory), bad)


@FUZZ
@given(lines=st.lists(records | json_values, max_size=8), cut=st.integers(0, 200))
def test_any_json_lines_whole_or_truncated(
    tmp_path_factory: pytest.TempPathFactory, lines: list[object], cut: int
) -> None:
    encoded = [json.dumps(line).encode() for line in lines]
    if encoded:  # the last line cut short, as by a full disk
        encoded[-1] = encoded[-1][: max(1, len(encoded[-1]) - cut)]
    directory = tmp_path_factory.mktemp("jsonl")
    bad = with_good_neighbours(directory, "b.jsonl", b"\n".join(encoded) + b"\n")
    articles, errors = read_dir(directory)
    assert_neighbours_read(articles, errors, bad)
    from_bad = [a for a in articles if a.origin.startswith(str(bad))]
    refused_whole = len(errors) == 1 and "JSON array, not JSON Lines" in errors[0].reason
    if not refused_whole:  # each line is an article or an error of its own
        assert len(from_bad) + len(errors) == sum(1 for line in encoded if line.strip())
        assert all(error.line is not None for error in errors)


@FUZZ
@given(content=st.binary(max_size=3_000))
def test_any_bytes_on_stdin(content: bytes) -> None:
    items = list(read_articles(["-"], max_chars=MAX_CHARS, stdin=io.BytesIO(content)))
    assert all(isinstance(item, Article | IngestError) for item in items)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("open.jsonl", b'{"text": ' * 400 + b"\n", "malformed JSON"),
        ("array.jsonl", b"[" * 100_000 + b"\n", "more than twice the limit"),
        ("huge-line.jsonl", b'{"text": "' + b"x" * 5_000_000 + b'"}\n', "more than twice"),
        ("no-full-stop.txt", b"word " * 200_000, "above the limit"),
        ("empty.txt", b"", "empty"),
        ("spaces.jsonl", b'{"text": "   "}\n', "empty article"),
        ("nul.txt", b"\x00" * 1_000, ""),
    ],
)
def test_pathological_files_are_errors(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    bad = with_good_neighbours(tmp_path, name, content)
    articles, errors = read_dir(tmp_path)
    assert_neighbours_read(articles, errors, bad)
    assert [a.doc_id for a in articles] == ["a", "c"]
    [error] = errors
    assert reason in error.reason, error.reason


@pytest.mark.parametrize(
    "line",
    [b'{"a": ' * 20_000 + b"1" + b"}" * 20_000, b'{"text": ' + b"[" * 50_000 + b"]" * 50_000],
)
def test_json_nested_deeper_than_the_decoder_goes_is_an_error(tmp_path: Path, line: bytes) -> None:
    good = json.dumps({"id": "a", "text": GOOD}).encode()
    path = tmp_path / "deep.jsonl"
    path.write_bytes(good + b"\n" + line + b"\n" + good.replace(b'"a"', b'"c"') + b"\n")
    items = list(read_articles([path], max_chars=500_000))
    assert [item.doc_id for item in items if isinstance(item, Article)] == ["a", "c"]
    [error] = [item for item in items if isinstance(item, IngestError)]
    assert error.line == 2
    assert error.reason.startswith("malformed JSON (nested too deeply to be an article)")


@pytest.mark.model
def test_a_run_over_garbage_stores_the_good_articles_and_names_the_rest(tmp_path: Path) -> None:
    sources = tmp_path / "in"
    with_good_neighbours(sources, "b.jsonl", b"\xff\xfe garbage\n" + b"[" * 10_000 + b"\n")
    (sources / "d.txt").write_bytes(bytes(range(256)) * 20)
    (sources / "e.txt").write_text(
        "قصفت الطائرات الحربية سوقا شعبيا في مدينة إدلب يوم الاثنين، ما أدى إلى مقتل خمسة أشخاص.",
        encoding="utf-8",
    )
    store = tmp_path / "kg"
    result = CliRunner().invoke(
        main, ["--store", str(store), "ingest", "--processes", "1", str(sources)]
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    skipped = [line for line in result.output.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == 4, result.output  # two lines of b.jsonl, d.txt, e.txt
    assert "2 stored" in result.output
    with KGStore(store, read_only=True) as view:
        rows = view.query("SELECT ?id WHERE { ?a <http://schema.org/identifier> ?id }").rows()
    assert sorted(str(row["id"]) for row in rows) == ["a", "c"]
