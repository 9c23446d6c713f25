"""SHACL validation of a real store holding one article graph and the shared graph."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kg.errors import ValidationError
from kg.resources import ontology_file
from kg.store import KGStore
from kg.validate import ValidationReport, validate_graph_text, validate_store

BASE = "https://w3id.org/strike-kg/id/"
DOC = f"{BASE}doc/t1"

# The text has non-ASCII letters (Ṣ, ī, an em dash) before some mentions: offsets count
# code points (160 in all), not UTF-8 bytes (165).
SENTENCE_1 = (
    "Israeli jets struck the Al-Ṣafīra military complex near Aleppo on Friday, a monitor said."
)
SENTENCE_2 = "Six people were killed — the Syrian Observatory for Human Rights said."
TEXT = f"{SENTENCE_1} {SENTENCE_2}"

# One article in exactly the shape the mapping writes.
CONFORMING = """
@base <https://w3id.org/strike-kg/id/> .
@prefix sk: <https://w3id.org/strike-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix itsrdf: <http://www.w3.org/2005/11/its/rdf#> .
@prefix schema: <http://schema.org/> .

<graph/doc/t1> {
  <doc/t1> a schema:NewsArticle, nif:Context, nif:OffsetBasedString ;
    rdfs:label "Strikes near Aleppo" ;
    nif:isString "%TEXT%" ;
    nif:beginIndex "0"^^xsd:nonNegativeInteger ;
    nif:endIndex "160"^^xsd:nonNegativeInteger ;
    schema:identifier "t1" ;
    schema:url <https://news.example.org/2020/05/aleppo> ;
    schema:headline "Strikes near Aleppo" ;
    schema:datePublished "2020-05-05"^^xsd:date ;
    schema:publisher "Example News" ;
    sk:fingerprint "9f86d081884c7d659a2feaa0c55ad015" .

  <doc/t1#char=0,89> a nif:Sentence, nif:OffsetBasedString ;
    nif:beginIndex "0"^^xsd:nonNegativeInteger ; nif:endIndex "89"^^xsd:nonNegativeInteger ;
    nif:anchorOf "%SENTENCE_1%" ;
    nif:referenceContext <doc/t1> ;
    nif:nextSentence <doc/t1#char=90,160> .
  <doc/t1#char=90,160> a nif:Sentence, nif:OffsetBasedString ;
    nif:beginIndex "90"^^xsd:nonNegativeInteger ; nif:endIndex "160"^^xsd:nonNegativeInteger ;
    nif:anchorOf "%SENTENCE_2%" ;
    nif:referenceContext <doc/t1> .

  <doc/t1#char=0,7> a nif:Phrase, nif:OffsetBasedString ;
    nif:beginIndex "0"^^xsd:nonNegativeInteger ; nif:endIndex "7"^^xsd:nonNegativeInteger ;
    nif:anchorOf "Israeli" ; nif:referenceContext <doc/t1> ; nif:sentence <doc/t1#char=0,89> ;
    itsrdf:taIdentRef <entity/israel> ; itsrdf:taClassRef sk:State .
  <doc/t1#char=24,50> a nif:Phrase, nif:OffsetBasedString ;
    nif:beginIndex "24"^^xsd:nonNegativeInteger ; nif:endIndex "50"^^xsd:nonNegativeInteger ;
    nif:anchorOf "Al-Ṣafīra military complex" ; nif:referenceContext <doc/t1> ;
    nif:sentence <doc/t1#char=0,89> ;
    itsrdf:taIdentRef <entity/safira> ; itsrdf:taClassRef sk:Facility .
  <doc/t1#char=56,62> a nif:Phrase, nif:OffsetBasedString ;
    nif:beginIndex "56"^^xsd:nonNegativeInteger ; nif:endIndex "62"^^xsd:nonNegativeInteger ;
    nif:anchorOf "Aleppo" ; nif:referenceContext <doc/t1> ; nif:sentence <doc/t1#char=0,89> ;
    itsrdf:taIdentRef <entity/aleppo> ; itsrdf:taClassRef sk:Place .
  <doc/t1#char=119,154> a nif:Phrase, nif:OffsetBasedString ;
    nif:beginIndex "119"^^xsd:nonNegativeInteger ; nif:endIndex "154"^^xsd:nonNegativeInteger ;
    nif:anchorOf "Syrian Observatory for Human Rights" ; nif:referenceContext <doc/t1> ;
    nif:sentence <doc/t1#char=90,160> ;
    itsrdf:taIdentRef <entity/sohr> ; itsrdf:taClassRef sk:Organization .

  <report/t1-1> a sk:Report ;
    sk:describes <strike/s1> ;
    sk:document <doc/t1> ;
    sk:status sk:Claimed ;
    sk:attributedTo <entity/sohr> ;
    sk:confidence "0.85"^^xsd:decimal ;
    prov:wasDerivedFrom <doc/t1#char=0,89>, <doc/t1#char=90,160> ;
    sk:attacker <entity/israel> ;
    sk:target <entity/safira> ;
    sk:location <entity/aleppo> ;
    sk:date "2020-05-01"^^xsd:date ;
    sk:datePrecision sk:Day ;
    sk:weapon sk:Aircraft ;
    sk:outcome sk:Damaged ;
    sk:killed 6 ;
    sk:evidence [ sk:role sk:attacker ; sk:mention <doc/t1#char=0,7> ] ,
                [ sk:role sk:location ; sk:mention <doc/t1#char=56,62> ] .
}

<graph/kg> {
  <graph/doc/t1> prov:wasGeneratedBy <run/r1> .
  <entity/israel> a sk:State ; rdfs:label "Israel" ; skos:altLabel "Israeli" .
  <entity/aleppo> a sk:Place ; rdfs:label "Aleppo" ;
    skos:exactMatch <http://sws.geonames.org/170063/> .
  <entity/safira> a sk:Facility ; rdfs:label "al-Safira military complex" ;
    skos:altLabel "Al-Ṣafīra military complex" ;
    sk:facilityKind sk:MilitaryBase ; sk:locatedIn <entity/aleppo> .
  <entity/sohr> a sk:Organization ; rdfs:label "Syrian Observatory for Human Rights" .

  <run/r1> a prov:Activity ; rdfs:label "ingest run r1" ;
    prov:startedAtTime "2025-01-01T10:00:00Z"^^xsd:dateTime ;
    prov:endedAtTime "2025-01-01T10:05:00Z"^^xsd:dateTime ;
    sk:modelName "en_core_web_sm" ; sk:modelVersion "3.8.0" ; sk:softwareVersion "0.1.0" .

  <strike/s1> a sk:AirStrike ; rdfs:label "Air strike on al-Safira military complex, 2020-05-01" ;
    sk:report <report/t1-1> ;
    sk:attacker <entity/israel> ; sem:hasActor <entity/israel> ;
    sk:target <entity/safira> ;
    sk:location <entity/aleppo> ; sem:hasPlace <entity/aleppo> ;
    sk:date "2020-05-01"^^xsd:date ; sk:datePrecision sk:Day ;
    sk:weapon sk:Aircraft ; sk:outcome sk:Damaged ; sk:killed 6 .
}
"""
CONFORMING = (
    CONFORMING.replace("%TEXT%", TEXT)
    .replace("%SENTENCE_1%", SENTENCE_1)
    .replace("%SENTENCE_2%", SENTENCE_2)
)


def store_with(trig: str, *, with_ontology: bool = False) -> KGStore:
    store = KGStore()
    store.load(trig.encode(), "trig")
    if with_ontology:
        store.load(ontology_file().read_bytes(), "turtle", graph=f"{BASE}graph/ontology")
    return store


def broken(old: str, new: str) -> str:
    assert CONFORMING.count(old) == 1, f"fixture edit {old!r} is ambiguous or missing"
    return CONFORMING.replace(old, new)


def failing_nodes(report: ValidationReport) -> set[str]:
    return {v.focus_node for v in report.violations}


@pytest.mark.parametrize("with_ontology", [False, True], ids=["plain", "ontology-in-store"])
def test_conforming_store_passes(with_ontology: bool) -> None:
    report = validate_store(store_with(CONFORMING, with_ontology=with_ontology))
    assert report.conforms, report.text()
    assert report.violations == ()


BROKEN_CASES = {
    "anchor-off-by-one": (
        ('nif:anchorOf "Aleppo" ;', 'nif:anchorOf "Alepp" ;'),
        f"{DOC}#char=56,62",
        "must match characters",
    ),
    "anchor-counted-in-bytes": (
        (
            'nif:beginIndex "24"^^xsd:nonNegativeInteger ; nif:endIndex "50"',
            'nif:beginIndex "24"^^xsd:nonNegativeInteger ; nif:endIndex "52"',
        ),
        f"{DOC}#char=24,50",
        "must match characters",
    ),
    "entity-without-label": (
        (
            '<entity/sohr> a sk:Organization ; rdfs:label "Syrian Observatory for Human Rights" .',
            "<entity/sohr> a sk:Organization .",
        ),
        f"{BASE}entity/sohr",
        "rdfs:label",
    ),
    "killed-negative": (
        ("sk:killed 6 ;\n    sk:evidence", "sk:killed -1 ;\n    sk:evidence"),
        f"{BASE}report/t1-1",
        "sk:killed",
    ),
    "confidence-as-double": (
        ('sk:confidence "0.85"^^xsd:decimal', "sk:confidence 0.85e0"),
        f"{BASE}report/t1-1",
        "sk:confidence",
    ),
    "report-without-status": (("sk:status sk:Claimed ;", ""), f"{BASE}report/t1-1", "sk:status"),
    "status-not-a-status": (
        ("sk:status sk:Claimed ;", "sk:status sk:Damaged ;"),
        f"{BASE}report/t1-1",
        "sk:status",
    ),
    "evidence-without-role": (
        ("[ sk:role sk:location ; sk:mention", "[ sk:mention"),
        f"{BASE}report/t1-1",
        "sk:role",
    ),
    "strike-without-hasActor": (
        ("sem:hasActor <entity/israel> ;", ""),
        f"{BASE}strike/s1",
        "sem:hasActor",
    ),
    "two-dates-not-contested": (
        (
            'sk:date "2020-05-01"^^xsd:date ; sk:datePrecision sk:Day ;\n    sk:weapon',
            'sk:date "2020-05-01"^^xsd:date, "2020-05-02"^^xsd:date ; sk:datePrecision sk:Day ;\n'
            "    sk:weapon",
        ),
        f"{BASE}strike/s1",
        "contested",
    ),
    "run-not-an-activity": (
        ("<run/r1> a prov:Activity ;", "<run/r1>"),
        (f"{BASE}graph/doc/t1",),
        "prov:wasGeneratedBy",
    ),
    "text-length-mismatch": (
        (
            'nif:endIndex "160"^^xsd:nonNegativeInteger ;\n    schema:identifier',
            'nif:endIndex "165"^^xsd:nonNegativeInteger ;\n    schema:identifier',
        ),
        DOC,
        "length",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_CASES))
def test_broken_store_is_reported_on_the_right_node(case: str) -> None:
    (old, new), focus, needle = BROKEN_CASES[case]
    report = validate_store(store_with(broken(old, new)))
    assert not report.conforms
    matching = [v for v in report.violations if needle in v.message or needle in v.text()]
    assert matching, report.text()
    if focus is not None:
        expected = set(focus) if isinstance(focus, tuple) else {focus}
        assert failing_nodes(report) == expected, report.text()


def test_several_faults_are_all_reported() -> None:
    trig = CONFORMING.replace('nif:anchorOf "Aleppo" ;', 'nif:anchorOf "Alepp" ;')
    trig = trig.replace(
        '<entity/sohr> a sk:Organization ; rdfs:label "Syrian Observatory for Human Rights" .',
        "<entity/sohr> a sk:Organization .",
    )
    trig = trig.replace("sk:killed 6 ;\n    sk:evidence", "sk:killed -1 ;\n    sk:evidence")
    report = validate_store(store_with(trig))
    assert failing_nodes(report) == {
        f"{DOC}#char=56,62",
        f"{BASE}entity/sohr",
        f"{BASE}report/t1-1",
    }
    (killed,) = report.for_node(f"{BASE}report/t1-1")
    assert killed.path == "https://w3id.org/strike-kg/ontology#killed"
    assert killed.value == "-1"
    assert killed.severity == "Violation"
    assert killed.shape == "shp:ReportShape"
    (anchor,) = report.for_node(f"{DOC}#char=56,62")
    assert '"Alepp"' in anchor.message and '"Aleppo"' in anchor.message
    assert "3 SHACL result(s)" in report.text()


def test_the_ontology_itself_conforms() -> None:
    report = validate_graph_text(ontology_file().read_bytes(), "turtle")
    assert report.conforms, report.text()


def test_datasets_are_validated_as_the_union_of_their_graphs() -> None:
    store = store_with(CONFORMING)
    report = validate_graph_text(_dump(store, "nquads"), "nquads")
    assert report.conforms, report.text()


@pytest.mark.parametrize(
    ("data", "format_name"),
    [(b"<a> <b> .", "ntriples"), (b"", "csv"), (b"\xff\xfe", "turtle")],
    ids=["malformed", "unknown-format", "not-utf8"],
)
def test_unusable_input_raises(data: bytes, format_name: str) -> None:
    with pytest.raises(ValidationError):
        validate_graph_text(data, format_name)


def test_missing_shapes_file_raises(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        validate_store(KGStore(), shapes=tmp_path / "nope.ttl")


def _dump(store: KGStore, format_name: str) -> bytes:
    buffer = io.BytesIO()
    store.dump(buffer, format_name)
    return buffer.getvalue()


def test_unusable_shapes_raise(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ;\n"
        '  sh:sparql [ sh:select "SELECT $this WHERE { $this ?p }" ] .\n'
        "<urn:x> a <urn:C> .\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError):
        validate_graph_text(b"<urn:x> a <urn:C> .", "ntriples", shapes=shapes)


# The offset check as a user would run it on the endpoint: Oxigraph's SUBSTR must count
# code points exactly as Python does, as the mapping writes offsets in code points.
ANCHOR_MISMATCHES = """
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
SELECT ?s WHERE {
  ?s nif:anchorOf ?anchor ; nif:beginIndex ?b ; nif:endIndex ?e ; nif:referenceContext ?c .
  ?c nif:isString ?text .
  FILTER (STR(?anchor) != SUBSTR(?text, ?b + 1, ?e - ?b))
}
"""


def test_oxigraph_counts_offsets_like_the_shapes() -> None:
    assert store_with(CONFORMING).query(ANCHOR_MISMATCHES).rows() == []
    bad = broken('nif:anchorOf "Aleppo" ;', 'nif:anchorOf "Alepp" ;')
    rows = store_with(bad).query(ANCHOR_MISMATCHES).rows()
    assert [row["s"].value for row in rows] == [f"{DOC}#char=56,62"]
