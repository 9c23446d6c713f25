"""The RDF mapping, without the model: hand-made analyses against golden Turtle."""

from __future__ import annotations

import datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.term import Node

from kg.entities import Analysis, EntityKind, Mention, Sentence
from kg.ingest import Article
from kg.mapping import (
    EntityRecord,
    Iris,
    RunInfo,
    article_graph,
    entity_triples,
    iri,
    literal,
    run_triples,
)
from kg.vocab import NIF

GOLDEN = Path(__file__).parent / "data" / "golden"
IRIS = Iris("https://w3id.org/strike-kg/id/")
RUN = RunInfo(
    "r1",
    datetime.datetime(2020, 5, 5, 3, 0, tzinfo=datetime.UTC),
    "en_core_web_sm",
    "3.8.0",
    "0.1.0",
)
TEXT = 'Israeli jets hit al-Safirah.\nThe army said "nothing".'
ARTICLE = Article(
    doc_id="d1",
    text=TEXT,
    title="Jets hit al-Safirah",
    url="https://example.org/news/1",
    published=datetime.date(2020, 5, 5),
    source="example.org",
    origin="test",
)
ANALYSIS = Analysis(
    sentences=(Sentence(0, 28), Sentence(29, 53)),
    mentions=(
        Mention(0, 7, "Israeli", 0, EntityKind.STATE, "israel", "Israel"),
        Mention(17, 27, "al-Safirah", 0, EntityKind.PLACE, "al-safirah", "al-Safirah"),
    ),
)


def assert_isomorphic(actual: Graph, expected: Graph) -> None:
    """Compare graphs up to blank nodes, showing only the differing triples."""
    if to_isomorphic(actual) == to_isomorphic(expected):
        return
    _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
    pytest.fail(
        "graphs differ\n-- only in actual:\n"
        + "\n".join(sorted(_line(t) for t in only_actual))
        + "\n-- only in expected:\n"
        + "\n".join(sorted(_line(t) for t in only_expected))
    )


def _line(triple: tuple[Node, Node, Node]) -> str:
    return " ".join(term.n3() for term in triple)


def parse(ntriples: str) -> Graph:
    return Graph().parse(data=ntriples, format="nt")


def test_article_graph_matches_golden_turtle() -> None:
    mapped = article_graph(ARTICLE, ANALYSIS, IRIS, "f" * 64)
    assert mapped.graph == "https://w3id.org/strike-kg/id/graph/doc/d1"
    assert mapped.entities == {IRIS.entity("israel"), IRIS.entity("al-safirah")}
    expected = Graph().parse(GOLDEN / "article-d1.ttl")
    assert_isomorphic(parse(mapped.ntriples), expected)


def test_shared_graph_matches_golden_turtle() -> None:
    records = [
        EntityRecord("israel", EntityKind.STATE, "Israel", ("Israeli",), mentions=3, articles=2),
        EntityRecord(
            "hezbollah", EntityKind.ARMED_GROUP, "Hezbollah", (), "Q41053", mentions=1, articles=1
        ),
    ]
    ended = datetime.datetime(2020, 5, 5, 3, 5, tzinfo=datetime.UTC)
    text = entity_triples(records, IRIS) + run_triples(RUN, IRIS, ended)
    assert_isomorphic(parse(text), Graph().parse(GOLDEN / "shared.ttl"))


def test_anchors_are_the_text_at_their_offsets() -> None:
    mapped = article_graph(ARTICLE, ANALYSIS, IRIS, "f" * 64)
    store = ox.Store()
    store.load(mapped.ntriples.encode(), ox.RdfFormat.N_TRIPLES)
    rows = store.query(
        f"SELECT ?b ?e ?a WHERE {{ ?n <{NIF.beginIndex}> ?b ; <{NIF.endIndex}> ?e ;"
        f" <{NIF.anchorOf}> ?a }}"
    )
    assert isinstance(rows, ox.QuerySolutions)
    checked = [(int(r["b"].value), int(r["e"].value), r["a"].value) for r in rows]
    assert len(checked) == 4
    assert all(TEXT[b:e] == anchor for b, e, anchor in checked)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", '"plain"'),
        ('quote " and \\ backslash', '"quote \\" and \\\\ backslash"'),
        ("line\nbreak\ttab\rreturn", '"line\\nbreak\\ttab\\rreturn"'),
        ("bell\x07", '"bell\\u0007"'),
        ("ünïcödé “quotes”", '"ünïcödé “quotes”"'),
        (7, '"7"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        (True, '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'),
        (datetime.date(2020, 5, 4), '"2020-05-04"^^<http://www.w3.org/2001/XMLSchema#date>'),
    ],
)
def test_literals_are_valid_ntriples(value: object, expected: str) -> None:
    term = literal(value)  # type: ignore[arg-type]
    assert term == expected
    parsed = list(ox.parse(f"<http://s> <http://p> {term} .".encode(), ox.RdfFormat.N_TRIPLES))
    if isinstance(value, str):
        assert parsed[0].object.value == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.org/a?b=c#d", "<https://example.org/a?b=c#d>"),
        ("https://example.org/a b<c>", "<https://example.org/a%20b%3Cc%3E>"),
    ],
)
def test_iris_are_quoted_where_needed(value: str, expected: str) -> None:
    assert iri(value) == expected
