"""The shared graph ``{base}graph/kg``: canonical entities and ingest runs."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from kg.entities import EntityKind
from kg.linking.geonames import Place, point_wkt
from kg.mapping.iris import Iris
from kg.mapping.terms import Triples, literal
from kg.vocab import GEO, GN, PROV, RDF, RDFS, SK, SKOS, WGS, XSD

WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
GEONAMES = "http://sws.geonames.org/"


@dataclass(frozen=True)
class RunInfo:
    """One ingest run, a ``prov:Activity``.

    Attributes:
        gazetteer: what the place gazetteer was built from (articles read with another
            gazetteer are read again).
    """

    run_id: str
    started: datetime.datetime
    model_name: str
    model_version: str
    software_version: str
    gazetteer: str = ""


@dataclass(frozen=True)
class EntityRecord:
    """A canonical entity as consolidated over every article that names it.

    Attributes:
        place: its GeoNames place (places and states).
        division: GeoNames id and names (label first) of the place's first-level division
            (for places GeoNames does not know, the one their articles put them in).
        country: ISO code of the country of such a place (linked ones have ``place``).
        point: latitude and longitude of a facility, from the curated gazetteer.
        located_in: key of the place entity a facility is in.
        also: further ``sk:`` classes the entity's roles in reports imply (the place of a
            strike is an ``sk:Place`` whatever else its name was taken for).
        mentions: how many mentions in the store's articles name it.
        articles: how many of the store's articles name it.
    """

    key: str
    kind: EntityKind
    name: str
    alt_labels: tuple[str, ...] = ()
    wikidata: str | None = None
    place: Place | None = None
    division: tuple[int, tuple[str, ...]] | None = None
    country: str | None = None
    point: tuple[float, float] | None = None
    located_in: str | None = None
    also: tuple[str, ...] = ()
    mentions: int = 0
    articles: int = 0


def run_triples(run: RunInfo, iris: Iris, ended: datetime.datetime | None = None) -> str:
    """The ``prov:Activity`` of an ingest run (its end time once known)."""
    out = Triples()
    node = iris.run(run.run_id)
    out.add(node, str(RDF.type), f"<{PROV.Activity}>")
    out.add(node, str(RDFS.label), literal(f"strike-kg ingest run {run.run_id}"))
    out.add(node, str(PROV.startedAtTime), literal(run.started))
    out.add(node, str(SK.modelName), literal(run.model_name))
    out.add(node, str(SK.modelVersion), literal(run.model_version))
    out.add(node, str(SK.softwareVersion), literal(run.software_version))
    if ended is not None:
        out.add(node, str(PROV.endedAtTime), literal(ended))
    return out.text()


def entity_triples(records: Iterable[EntityRecord], iris: Iris) -> str:
    """The canonical description of entities: class, label, every other surface form, how
    often the store's articles name them, and their GeoNames and Wikidata links."""
    out = Triples()
    for record in records:
        node = iris.entity(record.key)
        for kind in (record.kind.value, *record.also):
            out.add(node, str(RDF.type), f"<{SK[kind]}>")
        out.add(node, str(RDFS.label), literal(record.name))
        for alt in record.alt_labels:
            out.add(node, str(SKOS.altLabel), literal(alt))
        out.add(node, str(SK.mentionCount), literal(record.mentions))
        out.add(node, str(SK.articleCount), literal(record.articles))
        if record.wikidata:
            out.add(node, str(SKOS.exactMatch), f"<{WIKIDATA_ENTITY}{record.wikidata}>")
        if record.place is not None:
            _place(out, node, record.place)
        elif record.country is not None:
            out.add(node, str(GN.countryCode), literal(record.country))
        if record.place is None and record.point is not None:
            _geometry(out, node, *record.point)
        if record.division is not None:
            _division(out, node, record.division)
        if record.located_in is not None:
            out.add(node, str(SK.locatedIn), f"<{iris.entity(record.located_in)}>")
    return out.text()


def _place(out: Triples, node: str, place: Place) -> None:
    """GeoNames link, point geometry (GeoSPARQL and W3C Basic Geo) and country."""
    out.add(node, str(SKOS.exactMatch), f"<{place.iri}>")
    out.add(node, str(GN.countryCode), literal(place.country_code))
    if place.latitude is not None and place.longitude is not None:
        _geometry(out, node, place.latitude, place.longitude)


def _geometry(out: Triples, node: str, latitude: float, longitude: float) -> None:
    """A point as GeoSPARQL (``geo:hasGeometry/geo:asWKT``) and W3C Basic Geo."""
    geometry = f"{node}/geometry"
    out.add(node, str(GEO.hasGeometry), f"<{geometry}>")
    out.add(geometry, str(RDF.type), f"<{GEO.Geometry}>")
    wkt = point_wkt(latitude, longitude)
    out.add(geometry, str(GEO.asWKT), literal(wkt, str(GEO.wktLiteral)))
    out.add(node, str(WGS.lat), literal(f"{latitude}", str(XSD.decimal)))
    out.add(node, str(WGS.long), literal(f"{longitude}", str(XSD.decimal)))


def _division(out: Triples, node: str, division: tuple[int, tuple[str, ...]]) -> None:
    """The first-level division (``gn:parentADM1``), named."""
    division_id, names = division
    division_iri = f"{GEONAMES}{division_id}/"
    out.add(node, str(GN.parentADM1), f"<{division_iri}>")
    out.add(division_iri, str(RDFS.label), literal(names[0]))
    for name in names[1:]:
        out.add(division_iri, str(SKOS.altLabel), literal(name))


def entity_key(entity_iri: str, iris: Iris) -> str:
    """The key of an entity IRI minted by ``Iris.entity``."""
    return entity_iri.removeprefix(iris.entity_prefix)


def kind_of(class_iri: str) -> EntityKind | None:
    """The entity kind named by an ``sk:`` class IRI, if it is one."""
    local = class_iri.removeprefix(str(SK._NS))
    return EntityKind(local) if local in EntityKind._value2member_map_ else None
