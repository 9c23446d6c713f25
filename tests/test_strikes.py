"""Merging reports into strikes: the seeds end to end, and the merge rules on plain data."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.config import Settings
from kg.events.model import Outcome, PartialDate, Precision, ResolvedDate
from kg.mapping import Iris
from kg.merge import strike_graph
from kg.merge.strike_graph import StrikeUpdate, update_strikes
from kg.merge.strikes import ReportSummary, cluster, same_strike, strike_records
from kg.pipeline import ingest
from kg.queries import saved_query
from kg.store import KGStore
from kg.vocab import NIF, PROV, SK
from tests.conftest import StoreFactory

IRIS = Iris("https://w3id.org/strike-kg/id/")
ALJAZEERA = "ALJA2020050500029"


def rows(store: KGStore, query: str) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in row.items()} for row in store.query(query).rows()]


def strikes_by_report(store: KGStore) -> dict[str, str]:
    query = f"SELECT ?r ?s WHERE {{ ?s a <{SK.Strike}> ; <{SK.report}> ?r }}"
    return {row["r"]: row["s"] for row in rows(store, query)}


def report_saying(store: KGStore, words: str) -> str:
    """The report whose evidence includes a sentence with these words."""
    query = f"""SELECT ?r WHERE {{ ?r a <{SK.Report}> ;
        <{PROV.wasDerivedFrom}>/<{NIF.anchorOf}> ?t FILTER(CONTAINS(?t, "{words}")) }}"""
    found = {row["r"] for row in rows(store, query)}
    assert len(found) == 1, (words, found)
    return found.pop()


@pytest.mark.model
class TestSeeds:
    def test_the_4_may_strike_is_one_strike_in_both_articles(self, seed_store: KGStore) -> None:
        strikes = strikes_by_report(seed_store)
        aljazeera = report_saying(seed_store, "Israel reportedly hit army barracks")
        early_may = report_saying(seed_store, "Israel also struck the facility in early May")
        assert ALJAZEERA in aljazeera and "text-" in early_may
        assert strikes[aljazeera] == strikes[early_may]

    def test_the_later_friday_strike_is_another(self, seed_store: KGStore) -> None:
        strikes = strikes_by_report(seed_store)
        friday = report_saying(seed_store, "missiles on Friday")
        aljazeera = report_saying(seed_store, "Israel reportedly hit army barracks")
        assert strikes[friday] != strikes[aljazeera]

    def test_shot_down_against_destroyed_is_contested(self, seed_store: KGStore) -> None:
        friday = report_saying(seed_store, "missiles on Friday")
        strike = strikes_by_report(seed_store)[friday]
        query = f"SELECT ?o ?c WHERE {{ <{strike}> <{SK.outcome}> ?o ; <{SK.contested}> ?c }}"
        found = rows(seed_store, query)
        assert {r["o"] for r in found} >= {str(SK.Intercepted), str(SK.Destroyed)}
        assert {r["c"] for r in found} == {"true"}

    def test_the_merged_strike_carries_the_date_and_place(self, seed_store: KGStore) -> None:
        strike = strikes_by_report(seed_store)[report_saying(seed_store, "Israel reportedly hit")]
        query = f"""SELECT ?d ?l WHERE {{ <{strike}> <{SK.date}> ?d ; <{SK.location}> ?l ;
                    <http://semanticweb.cs.vu.nl/2009/11/sem/hasPlace> ?l }}"""
        found = rows(seed_store, query)
        assert {r["d"] for r in found} == {"2020-05-04"}
        assert {r["l"] for r in found} == {IRIS.entity("as-safirah-172503")}

    def test_every_report_describes_exactly_one_strike(self, seed_store: KGStore) -> None:
        reports = rows(seed_store, f"SELECT ?r WHERE {{ ?r a <{SK.Report}> }}")
        query = f"SELECT ?r (COUNT(?s) AS ?n) WHERE {{ ?r <{SK.describes}> ?s }} GROUP BY ?r"
        described = {r["r"]: r["n"] for r in rows(seed_store, query)}
        assert set(described) == {r["r"] for r in reports}
        assert set(described.values()) == {"1"}

    def test_the_provenance_query_traces_words_to_the_article(self, seed_store: KGStore) -> None:
        found = rows(seed_store, saved_query("provenance-of-strike").text)
        assert found and all(r["sentence"] and r["words"] in r["sentence"] for r in found)


def strike_quads(store: KGStore) -> set[tuple[str, ...]]:
    """The shared graph's strikes and the strike each report describes."""
    strike = f"<{IRIS.strike('')}"
    return {
        q
        for q in store.quads()
        if q[3] == f"<{IRIS.kg_graph}>" and (q[0].startswith(strike) or str(SK.describes) in q[1])
    }


def jsonl(path: Path, *texts: tuple[str, str]) -> Path:
    lines = [{"id": i, "text": t, "published": "2020-05-05"} for i, t in texts]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


FIRST = ("a1", "Israeli jets hit a military base near Aleppo on Monday, state media said.")
SECOND = ("a2", "Israeli jets bombed an army base near Aleppo on Monday, killing three.")
SECOND_LATER = ("a2", SECOND[1].replace("Monday", "Sunday"))
ELSEWHERE = ("a3", "Turkish drones struck a convoy near Idlib on Sunday, the monitor reported.")


@pytest.mark.model
@pytest.mark.parametrize("read_once_articles", [5_000, 0], ids=["read-once", "chunk-by-chunk"])
def test_strikes_updated_run_by_run_equal_strikes_derived_at_once(
    make_store: StoreFactory,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    read_once_articles: int,
) -> None:
    monkeypatch.setattr(strike_graph, "CHUNK", 1)  # every strike in its own transaction
    # A small store's reports are read once; a large one's described a chunk at a time.
    monkeypatch.setattr(strike_graph, "READ_ONCE_ARTICLES", read_once_articles)
    source = jsonl(tmp_path / "a.jsonl", FIRST, ELSEWHERE)
    store, _ = make_store(source)
    for articles in [
        (FIRST, SECOND, ELSEWHERE),  # SECOND joins FIRST's strike
        (FIRST, SECOND_LATER, ELSEWHERE),  # and leaves it
        (FIRST, SECOND, ELSEWHERE),
    ]:
        ingest([jsonl(source, *articles)], store, settings)
        at_once, _ = make_store(jsonl(tmp_path / "b.jsonl", *articles))
        assert strike_quads(store) == strike_quads(at_once), articles
    # An article deleted from the store (over SPARQL Update, say) takes its reports along.
    store.update(f"DROP GRAPH <{IRIS.doc_graph(SECOND[0])}>")
    assert update_strikes(store, IRIS, changed_docs=()).written == 1
    at_once, _ = make_store(jsonl(tmp_path / "b.jsonl", FIRST, ELSEWHERE))
    assert strike_quads(store) == strike_quads(at_once)


@pytest.mark.model
def test_the_two_reports_of_one_strike_merge_and_part_when_one_changes_its_day(
    make_store: StoreFactory, settings: Settings, tmp_path: Path
) -> None:
    source = jsonl(tmp_path / "a.jsonl", FIRST, SECOND, ELSEWHERE)
    store, _ = make_store(source)
    assert len(strikes_by_report(store)) == 3
    assert len(set(strikes_by_report(store).values())) == 2
    jsonl(source, FIRST, SECOND_LATER, ELSEWHERE)
    ingest([source], store, settings)
    assert len(set(strikes_by_report(store).values())) == 3


@pytest.mark.model
def test_a_strike_node_no_report_describes_is_deleted(
    make_store: StoreFactory, tmp_path: Path
) -> None:
    store, _ = make_store(jsonl(tmp_path / "a.jsonl", FIRST, ELSEWHERE))
    before = strike_quads(store)
    orphan = IRIS.strike("left-by-a-crash")
    store.update(f"INSERT DATA {{ GRAPH <{IRIS.kg_graph}> {{ <{orphan}> a <{SK.Strike}> }} }}")
    assert update_strikes(store, IRIS, changed_docs=()) == StrikeUpdate(0, 1)
    assert strike_quads(store) == before


@pytest.mark.model
def test_a_strike_update_with_nothing_changed_writes_nothing(seed_store: KGStore) -> None:
    before = strike_quads(seed_store)
    assert update_strikes(seed_store, IRIS, changed_docs=()) == StrikeUpdate(0, 0)
    assert strike_quads(seed_store) == before


def day(text: str) -> ResolvedDate:
    value = datetime.date.fromisoformat(text)
    return ResolvedDate(value, value, Precision.DAY)


HOMS = frozenset({"http://sws.geonames.org/169577/"})
ALEPPO = frozenset({"http://sws.geonames.org/170063/"})


def summary(iri: str, doc: str, **fields: object) -> ReportSummary:
    return ReportSummary(iri=iri, doc=doc, **fields)  # type: ignore[arg-type]


SAME = [
    (
        "same place, same day",
        dict(places=HOMS, resolved=day("2017-04-07")),
        dict(places=HOMS, resolved=day("2017-04-07")),
        True,
    ),
    (
        "same place, other day",
        dict(places=HOMS, resolved=day("2017-04-07")),
        dict(places=HOMS, resolved=day("2017-04-08")),
        False,
    ),
    (
        "other place, same day",
        dict(places=HOMS, resolved=day("2017-04-07")),
        dict(places=ALEPPO, resolved=day("2017-04-07")),
        False,
    ),
    (
        "day against 'early April'",
        dict(places=HOMS, resolved=day("2017-04-07")),
        dict(places=HOMS, partial=PartialDate(month=4, part="early")),
        True,
    ),
    (
        "Friday against a Monday",
        dict(places=HOMS, resolved=day("2017-04-03")),
        dict(places=HOMS, partial=PartialDate(weekday=4)),
        False,
    ),
    (
        "months only",
        dict(
            places=HOMS,
            resolved=ResolvedDate(
                datetime.date(2017, 4, 1), datetime.date(2017, 4, 30), Precision.MONTH
            ),
        ),
        dict(places=HOMS, resolved=day("2017-04-07")),
        False,
    ),
    (
        "different attackers",
        dict(places=HOMS, resolved=day("2017-04-07"), attacker="a"),
        dict(places=HOMS, resolved=day("2017-04-07"), attacker="b"),
        False,
    ),
    ("undated, same named target", dict(target="t4"), dict(target="t4"), True),
    ("undated, same place only", dict(places=HOMS), dict(places=HOMS), False),
]


@pytest.mark.parametrize(("name", "left", "right", "expected"), SAME, ids=[s[0] for s in SAME])
def test_same_strike(
    name: str, left: dict[str, object], right: dict[str, object], expected: bool
) -> None:
    a, b = summary("r1", "d1", **left), summary("r2", "d2", **right)
    assert same_strike(a, b) is expected
    assert same_strike(b, a) is expected


def test_reports_of_one_article_are_never_merged() -> None:
    a = summary("r1", "d1", places=HOMS, resolved=day("2017-04-07"))
    b = summary("r2", "d1", places=HOMS, resolved=day("2017-04-07"))
    assert not same_strike(a, b)


def test_clusters_are_transitive_and_keyed_stably() -> None:
    reports = [
        summary(
            "r1",
            "d1",
            places=HOMS,
            resolved=day("2017-04-07"),
            outcomes=frozenset({Outcome.INTERCEPTED}),
        ),
        summary("r2", "d2", places=HOMS, resolved=day("2017-04-07"), target="t4"),
        summary(
            "r3",
            "d3",
            target="t4",
            partial=PartialDate(weekday=4),
            outcomes=frozenset({Outcome.DESTROYED}),
        ),
        summary("r4", "d4", places=ALEPPO, resolved=day("2017-04-07")),
    ]
    records = strike_records(cluster(reports))
    assert sorted(len(r.reports) for r in records) == [1, 3]
    merged = next(r for r in records if len(r.reports) == 3)
    assert merged.contested  # shot down against destroyed
    again = strike_records(cluster(list(reversed(reports))))
    assert {r.key for r in records} == {r.key for r in again}


def pairwise_groups(reports: list[ReportSummary]) -> set[frozenset[str]]:
    """The groups of trying ``same_strike`` on every pair: what ``cluster`` must equal."""
    groups = {r.iri: {r.iri} for r in reports}
    for i, a in enumerate(reports):
        for b in reports[i + 1 :]:
            if same_strike(a, b) and groups[a.iri] is not groups[b.iri]:
                merged = groups[a.iri] | groups[b.iri]
                for iri in merged:
                    groups[iri] = merged
    return {frozenset(group) for group in groups.values()}


DAYS = [day("2017-04-06"), day("2017-04-07"), None]
PARTIALS = [None, PartialDate(weekday=4), PartialDate(month=4, part="early")]


@st.composite
def report_sets(draw: st.DrawFn) -> list[ReportSummary]:
    reports = []
    for number in range(draw(st.integers(0, 14))):
        resolved = draw(st.sampled_from(DAYS))
        reports.append(
            summary(
                f"r{number}",
                f"d{draw(st.integers(0, 3))}",
                places=draw(st.sampled_from([HOMS, ALEPPO, HOMS | ALEPPO, frozenset()])),
                target=draw(st.sampled_from([None, "t4"])),
                attacker=draw(st.sampled_from([None, "a", "b"])),
                resolved=resolved,
                partial=None if resolved else draw(st.sampled_from(PARTIALS)),
            )
        )
    return reports


@given(report_sets())
def test_cluster_equals_trying_every_pair(reports: list[ReportSummary]) -> None:
    assert {frozenset(r.iri for r in group) for group in cluster(reports)} == pairwise_groups(
        reports
    )
