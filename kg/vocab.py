"""The strike-kg ontology and the standard vocabularies it builds on, as rdflib namespaces.

``SK`` mirrors ``ontology/strike-kg.ttl`` term for term as a closed ``DefinedNamespace``:
a misspelt term (``SK.atacker``) raises ``AttributeError`` instead of minting an IRI that
nothing else uses. ``tests/test_vocab.py`` keeps ``SK`` and the Turtle file in step.

The standard vocabularies are rdflib's closed namespaces where rdflib's namespace IRI is the
one the graph uses (PROV, SKOS, RDF, RDFS, XSD, SH, GeoSPARQL), and open ``Namespace``
constants otherwise. rdflib's own ``SDO`` and ``WGS`` use ``https://`` IRIs, which is not
what the graph writes, so ``SCHEMA`` and ``WGS`` are defined here.

Example:
    >>> SK.attacker
    rdflib.term.URIRef('https://w3id.org/strike-kg/ontology#attacker')
    >>> NIF.anchorOf
    rdflib.term.URIRef('http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf')
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib.namespace import GEO, PROV, RDF, RDFS, SH, SKOS, XSD, DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = [
    "GEO",
    "GN",
    "ITSRDF",
    "NIF",
    "ONTOLOGY_IRI",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SEM",
    "SH",
    "SK",
    "SKOS",
    "WGS",
    "XSD",
    "curie",
]

ONTOLOGY_IRI = URIRef("https://w3id.org/strike-kg/ontology")


class SK(DefinedNamespace):
    """strike-kg ontology v1 (``ontology/strike-kg.ttl``)."""

    _NS = Namespace("https://w3id.org/strike-kg/ontology#")
    _fail = True

    # http://www.w3.org/2002/07/owl#Class
    Strike: URIRef  # one real-world strike, merged across articles (sem:Event)
    AirStrike: URIRef  # strike by aircraft or helicopters
    DroneStrike: URIRef  # strike by an unmanned aerial vehicle
    MissileStrike: URIRef  # strike with missiles
    RocketOrArtilleryStrike: URIRef  # rockets, shelling, mortars, artillery
    Bombing: URIRef  # car bomb, IED, suicide bombing
    Report: URIRef  # what one article says about one strike (prov:Entity)
    Evidence: URIRef  # one argument's evidence node of a report
    Actor: URIRef  # a party that strikes, is struck or reports (sem:Actor)
    State: URIRef  # a sovereign state acting as a party
    ArmedForce: URIRef  # a state's military or one of its units
    ArmedGroup: URIRef  # a non-state armed group or militia
    Person: URIRef  # a named person
    Organization: URIRef  # media, monitors, ministries
    Facility: URIRef  # a built site that can be struck (sem:Place)
    Place: URIRef  # a town, province, country or region (sem:Place)
    Weapon: URIRef  # concept class of WeaponScheme
    Outcome: URIRef  # concept class of OutcomeScheme
    ReportStatus: URIRef  # concept class of StatusScheme
    DatePrecision: URIRef  # concept class of DatePrecisionScheme
    FacilityKind: URIRef  # concept class of FacilityKindScheme

    # http://www.w3.org/2002/07/owl#ObjectProperty
    attacker: URIRef  # who carried out the strike (sem:hasActor)
    target: URIRef  # the facility, actor or place hit
    location: URIRef  # the most specific place hit (sem:hasPlace)
    country: URIRef  # the State whose land was hit, as the text names it
    datePrecision: URIRef  # Day, Month or Year
    weapon: URIRef  # a Weapon concept
    outcome: URIRef  # an Outcome concept
    report: URIRef  # Strike -> Report
    describes: URIRef  # Report -> Strike, inverse of report
    document: URIRef  # Report -> schema:NewsArticle (prov:hadPrimarySource)
    attributedTo: URIRef  # Report -> the actor the article cites (prov:wasAttributedTo)
    status: URIRef  # Report -> ReportStatus
    evidence: URIRef  # Report -> Evidence
    role: URIRef  # Evidence -> the argument property, e.g. SK.attacker
    mention: URIRef  # Evidence -> nif:Phrase or nif:Sentence
    facilityKind: URIRef  # Facility -> FacilityKind (sem:placeType)
    locatedIn: URIRef  # Facility -> Place (schema:containedInPlace)

    # http://www.w3.org/2002/07/owl#DatatypeProperty
    date: URIRef  # xsd:date of the strike (day precision)
    earliestDate: URIRef  # xsd:date, first possible day
    latestDate: URIRef  # xsd:date, last possible day
    killed: URIRef  # xsd:integer >= 0, absent when unknown
    injured: URIRef  # xsd:integer >= 0, absent when unknown
    confidence: URIRef  # xsd:decimal in [0, 1], the extractor's score
    contested: URIRef  # xsd:boolean, on a strike whose reports disagree
    fingerprint: URIRef  # xsd:string digest of an article plus software and model
    mentionCount: URIRef  # xsd:integer, mentions naming an entity in the store's articles
    articleCount: URIRef  # xsd:integer, articles naming an entity
    modelName: URIRef  # xsd:string, on an ingest run (prov:Activity)
    modelVersion: URIRef  # xsd:string, on an ingest run
    softwareVersion: URIRef  # xsd:string, on an ingest run

    # http://www.w3.org/2004/02/skos/core#ConceptScheme
    WeaponScheme: URIRef  # weapons
    OutcomeScheme: URIRef  # outcomes
    StatusScheme: URIRef  # report statuses
    DatePrecisionScheme: URIRef  # date precisions
    FacilityKindScheme: URIRef  # facility kinds

    # https://w3id.org/strike-kg/ontology#Weapon
    Missile: URIRef  # missile
    Rocket: URIRef  # rocket
    Aircraft: URIRef  # aircraft (jets, warplanes)
    Helicopter: URIRef  # helicopter
    Drone: URIRef  # drone
    Artillery: URIRef  # artillery, shelling, mortars
    BarrelBomb: URIRef  # barrel bomb
    CarBomb: URIRef  # car bomb
    SuicideBomb: URIRef  # suicide bomb
    IED: URIRef  # improvised explosive device
    OtherWeapon: URIRef  # any other means

    # https://w3id.org/strike-kg/ontology#Outcome
    Destroyed: URIRef  # target destroyed
    Damaged: URIRef  # target hit, not destroyed
    Intercepted: URIRef  # intercepted or shot down
    Missed: URIRef  # missed its target
    UnknownOutcome: URIRef  # the text does not say

    # https://w3id.org/strike-kg/ontology#ReportStatus
    Reported: URIRef  # stated as fact
    Claimed: URIRef  # attributed to a party ("said")
    Unconfirmed: URIRef  # "reportedly", "believed to"
    Denied: URIRef  # a party denies it

    # https://w3id.org/strike-kg/ontology#DatePrecision
    Day: URIRef  # day known
    Month: URIRef  # only the month known
    Year: URIRef  # only the year known

    # https://w3id.org/strike-kg/ontology#FacilityKind
    MilitaryBase: URIRef  # base, airbase, barracks
    Airport: URIRef  # civil or dual-use airport
    ResearchFacility: URIRef  # research centre, laboratory
    WeaponsDepot: URIRef  # weapons or ammunition store
    Hospital: URIRef  # hospital, clinic
    School: URIRef  # school, college, university
    Market: URIRef  # market
    Residential: URIRef  # homes, residential buildings
    Convoy: URIRef  # convoy of vehicles
    Checkpoint: URIRef  # military or police checkpoint
    OtherFacility: URIRef  # any other facility


# Open namespaces: attribute access mints any term, so spell with care. A local name that is
# also a ``str`` method (``count``, ``index``, ``title``...) must be written ``NS["name"]``.
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GN = Namespace("http://www.geonames.org/ontology#")
SCHEMA = Namespace("http://schema.org/")

# Prefix -> namespace IRI, for binding in serialisations and for SPARQL PREFIX headers.
PREFIXES: dict[str, str] = {
    "sk": str(SK._NS),
    "sem": str(SEM),
    "prov": str(PROV._NS),
    "nif": str(NIF),
    "itsrdf": str(ITSRDF),
    "geo": str(GEO._NS),
    "wgs": str(WGS),
    "gn": str(GN),
    "schema": str(SCHEMA),
    "skos": str(SKOS._NS),
    "rdf": str(RDF._NS),
    "rdfs": str(RDFS._NS),
    "xsd": str(XSD._NS),
    "sh": str(SH._NS),
}


def curie(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """Write ``iri`` as a prefixed name when a known namespace fits (the longest one), else
    return it unchanged.

    Example:
        >>> curie("https://w3id.org/strike-kg/ontology#killed")
        'sk:killed'
        >>> curie("http://schema.org/a/b")
        'http://schema.org/a/b'
    """
    ordered = _LONGEST_FIRST if prefixes is PREFIXES else _longest_first(prefixes)
    for prefix, namespace in ordered:
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and local and "/" not in local and "#" not in local:
            return f"{prefix}:{local}"
    return iri


def _longest_first(prefixes: Mapping[str, str]) -> list[tuple[str, str]]:
    return sorted(prefixes.items(), key=lambda item: -len(item[1]))


_LONGEST_FIRST = _longest_first(PREFIXES)
