"""The ontology file and ``kg.vocab.SK`` stay in step, and every term is documented."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from kg.resources import ontology_file
from kg.vocab import ONTOLOGY_IRI, RDF, RDFS, SK, SKOS

SK_NS = str(SK._NS)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_file(), format="turtle")


def declared_terms(graph: Graph) -> set[str]:
    """Local names of sk: IRIs that the ontology types (classes, properties, concepts...)."""
    return {
        str(s)[len(SK_NS) :]
        for s in graph.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(SK_NS)
    }


def sk_terms() -> set[str]:
    return {name for name in SK.__annotations__ if not name.startswith("_")}


def test_ontology_and_sk_declare_the_same_terms(ontology: Graph) -> None:
    in_ontology, in_python = declared_terms(ontology), sk_terms()
    missing_in_python = sorted(in_ontology - in_python)
    missing_in_ontology = sorted(in_python - in_ontology)
    assert not missing_in_python and not missing_in_ontology, (
        f"declared in strike-kg.ttl but not in kg.vocab.SK: {missing_in_python}; "
        f"in kg.vocab.SK but not declared in strike-kg.ttl: {missing_in_ontology}"
    )


def test_no_sk_iri_is_used_without_being_declared(ontology: Graph) -> None:
    used = {
        str(term)[len(SK_NS) :]
        for triple in ontology
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(SK_NS)
    }
    assert sorted(used - declared_terms(ontology)) == []


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is not None


@pytest.mark.parametrize("name", sorted(sk_terms()))
def test_term_is_documented(ontology: Graph, name: str) -> None:
    term = URIRef(SK_NS + name)
    assert ontology.value(term, RDFS.label) is not None, f"sk:{name} has no rdfs:label"
    assert ontology.value(term, RDFS.comment) is not None, f"sk:{name} has no rdfs:comment"
    assert ontology.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI, f"sk:{name} lacks isDefinedBy"


def test_every_concept_has_a_pref_label_and_scheme(ontology: Graph) -> None:
    concepts = set(ontology.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == 34
    problems = [
        f"{c}: {what}"
        for c in sorted(concepts, key=str)
        for what, prop in (("skos:prefLabel", SKOS.prefLabel), ("skos:inScheme", SKOS.inScheme))
        if ontology.value(c, prop) is None
    ]
    assert problems == []


def test_concepts_are_typed_with_their_concept_class(ontology: Graph) -> None:
    concept_classes = (SK.Weapon, SK.Outcome, SK.ReportStatus, SK.DatePrecision, SK.FacilityKind)
    for concept_class in concept_classes:
        members = set(ontology.subjects(RDF.type, concept_class))
        assert members, f"{concept_class} has no concepts"
        schemes = {ontology.value(m, SKOS.inScheme) for m in members}
        assert len(schemes) == 1, f"{concept_class} concepts span several schemes: {schemes}"
        (scheme,) = schemes
        assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology
        for member in members:
            assert (member, SKOS.topConceptOf, scheme) in ontology
            assert (scheme, SKOS.hasTopConcept, member) in ontology
            assert (member, RDF.type, SKOS.Concept) in ontology


SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
PROV = "http://www.w3.org/ns/prov#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
ALIGNMENTS = [
    ("Strike", RDFS.subClassOf, SEM + "Event"),
    ("AirStrike", RDFS.subClassOf, SK_NS + "Strike"),
    ("Bombing", RDFS.subClassOf, SK_NS + "Strike"),
    ("Report", RDFS.subClassOf, PROV + "Entity"),
    ("Actor", RDFS.subClassOf, SEM + "Actor"),
    ("Actor", RDFS.subClassOf, PROV + "Agent"),
    ("ArmedGroup", RDFS.subClassOf, SK_NS + "Actor"),
    ("Person", RDFS.subClassOf, "http://schema.org/Person"),
    ("Facility", RDFS.subClassOf, SEM + "Place"),
    ("Place", RDFS.subClassOf, SEM + "Place"),
    ("Place", RDFS.subClassOf, "http://www.opengis.net/ont/geosparql#Feature"),
    ("Weapon", RDFS.subClassOf, SKOS_NS + "Concept"),
    ("attacker", RDFS.subPropertyOf, SEM + "hasActor"),
    ("location", RDFS.subPropertyOf, SEM + "hasPlace"),
    ("describes", OWL.inverseOf, SK_NS + "report"),
    ("attributedTo", RDFS.subPropertyOf, PROV + "wasAttributedTo"),
    ("locatedIn", RDFS.subPropertyOf, "http://schema.org/containedInPlace"),
]


@pytest.mark.parametrize(("name", "relation", "target"), ALIGNMENTS)
def test_alignment_to_standard_vocabularies(
    ontology: Graph, name: str, relation: URIRef, target: str
) -> None:
    assert (URIRef(SK_NS + name), relation, URIRef(target)) in ontology


def test_counts_are_integers_never_zero_for_unknown(ontology: Graph) -> None:
    for name in ("killed", "injured"):
        comment = str(ontology.value(URIRef(SK_NS + name), RDFS.comment))
        assert "absent when the text gives no figure, never 0 for unknown" in comment.lower()


@pytest.mark.parametrize("name", ["strike-kg.ttl", "shapes.ttl"])
def test_turtle_parses_with_rdflib_and_oxigraph(name: str) -> None:
    path: Path = ontology_file(name)
    with_rdflib = Graph().parse(path, format="turtle")
    with_oxigraph = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    assert len(with_rdflib) == len(with_oxigraph) > 0
