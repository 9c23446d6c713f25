"""The shared graph ``{base}graph/kg``: canonical entities and ingest runs."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from kg.entities import EntityKind
from kg.mapping.iris import Iris
from kg.mapping.terms import Triples, literal
from kg.vocab import PROV, RDF, RDFS, SK, SKOS

WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"


@dataclass(frozen=True)
class RunInfo:
    """One ingest run, a ``prov:Activity``."""

    run_id: str
    started: datetime.datetime
    model_name: str
    model_version: str
    software_version: str


@dataclass(frozen=True)
class EntityRecord:
    """A canonical entity as consolidated over every article that names it."""

    key: str
    kind: EntityKind
    name: str
    alt_labels: tuple[str, ...] = ()
    wikidata: str | None = None


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
    """The canonical description of entities: class, label, every other surface form."""
    out = Triples()
    for record in records:
        node = iris.entity(record.key)
        out.add(node, str(RDF.type), f"<{SK[record.kind.value]}>")
        out.add(node, str(RDFS.label), literal(record.name))
        for alt in record.alt_labels:
            out.add(node, str(SKOS.altLabel), literal(alt))
        if record.wikidata:
            out.add(node, str(SKOS.exactMatch), f"<{WIKIDATA_ENTITY}{record.wikidata}>")
    return out.text()


def entity_key(entity_iri: str, iris: Iris) -> str:
    """The key of an entity IRI minted by ``Iris.entity``."""
    return entity_iri.removeprefix(iris.entity_prefix)


def kind_of(class_iri: str) -> EntityKind | None:
    """The entity kind named by an ``sk:`` class IRI, if it is one."""
    local = class_iri.removeprefix(str(SK._NS))
    return EntityKind(local) if local in EntityKind._value2member_map_ else None
