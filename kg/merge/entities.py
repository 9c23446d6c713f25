"""Cross-article consolidation: one canonical node per entity in the ``graph/kg`` graph.

Articles only say what they say: each mention in an article graph names an entity IRI and
the class the article's wording suggests. This stage reads those mentions across all article
graphs and decides, for each entity, its class, label and other names: the curated gazetteer
wins where it knows the entity, otherwise the most frequent class and surface form (ties
broken alphabetically, so the result does not depend on ingest order).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from typing import TypeVar

from kg.entities import EntityKind
from kg.gazetteer import Gazetteer
from kg.linking import Place, PlaceGazetteer, link, nested_place, place_gazetteer
from kg.linking.geonames import read_admin1_table
from kg.linking.mentions import MIN_CITY_POPULATION, geonames_id_of, place_key
from kg.mapping import EntityRecord, Iris, entity_key, kind_of
from kg.merge.divisions import contextual_divisions
from kg.store import KGStore, values_blocks
from kg.vocab import ITSRDF, NIF, SK

_T = TypeVar("_T", bound=str)


def referenced_entities(store: KGStore, graphs: Iterable[str] | None = None) -> set[str]:
    """IRIs of the entities that mentions in ``graphs`` (or in any graph) name."""
    query = f"SELECT DISTINCT ?e WHERE {{ GRAPH ?g {{ ?m <{ITSRDF.taIdentRef}> ?e }} }}"
    # The graphs are the query's dataset, not a VALUES block: Oxigraph would evaluate the
    # pattern over every graph and then join, a cost that grows with the store.
    named = sorted(graphs) if graphs is not None else None
    if named == []:
        return set()
    return {str(row["e"]) for row in store.query(query, named_graphs=named or ()).rows()}


def consolidate(
    store: KGStore,
    entities: Iterable[str],
    iris: Iris,
    gazetteer: Gazetteer,
    places: PlaceGazetteer | None = None,
) -> list[EntityRecord]:
    """Decide the canonical description of each entity from every mention of it.

    Entities no longer mentioned anywhere get no record (their node is to be removed).
    """
    usage: dict[str, Counter[tuple[EntityKind, str]]] = defaultdict(Counter)
    # Each VALUES block comes first, so that Oxigraph looks up the mentions of its
    # entities; after the pattern it reads every mention of the store, then joins (6x
    # slower at 100,000 articles).
    for values in values_blocks("e", entities):
        query = f"""
            SELECT ?e ?cls ?anchor (COUNT(*) AS ?n) WHERE {{ {values}
              GRAPH ?g {{ ?m <{ITSRDF.taIdentRef}> ?e ; <{NIF.anchorOf}> ?anchor .
                         OPTIONAL {{ ?m <{ITSRDF.taClassRef}> ?cls }} }}
            }} GROUP BY ?e ?cls ?anchor"""
        for row in store.query(query).rows():
            entity = str(row["e"])
            kind = kind_of(str(row["cls"])) if "cls" in row else None
            if kind is not None:
                usage[entity][(kind, str(row["anchor"]))] += int(str(row["n"]))
            elif gazetteer.by_key(entity_key(entity, iris)) is not None:
                usage.setdefault(entity, Counter())  # named only by a report: curated
    roles = _report_roles(store, list(usage))
    records = (
        _with_roles(_record(entity_key(e, iris), counts, gazetteer), roles.get(e, set()))
        for e, counts in sorted(usage.items())
    )
    places = places or place_gazetteer()
    linked = with_places([r for r in records if r is not None], places)
    return with_tallies(store, with_contextual_divisions(store, linked, iris, places), iris)


def with_tallies(store: KGStore, records: list[EntityRecord], iris: Iris) -> list[EntityRecord]:
    """Records with how many mentions, and articles, of the store name each entity: kept on
    the entity so that listing entities by mentions reads one value, not every mention."""
    tallies: dict[str, tuple[int, int]] = {}
    for values in values_blocks("e", [iris.entity(r.key) for r in records]):
        query = f"""
            SELECT ?e (COUNT(?m) AS ?mentions) (COUNT(DISTINCT ?g) AS ?articles) WHERE {{
              {values} GRAPH ?g {{ ?m <{ITSRDF.taIdentRef}> ?e }}
            }} GROUP BY ?e"""
        for row in store.query(query).rows():
            tallies[str(row["e"])] = (int(str(row["mentions"])), int(str(row["articles"])))
    counted = []
    for record in records:
        mentions, articles = tallies.get(iris.entity(record.key), (0, 0))
        counted.append(replace(record, mentions=mentions, articles=articles))
    return counted


def with_contextual_divisions(
    store: KGStore, records: list[EntityRecord], iris: Iris, places: PlaceGazetteer
) -> list[EntityRecord]:
    """Places GeoNames does not know (and names a report places a strike in), with the
    division and country their articles put them in (``kg.merge.divisions``)."""
    unlinked = {
        iris.entity(r.key): r.key
        for r in records
        if (r.kind is EntityKind.PLACE or "Place" in r.also)
        and r.place is None
        and r.division is None
        and not _city_elsewhere(r.name, places)
    }
    found = contextual_divisions(store, unlinked, places) if unlinked else {}
    out = []
    for record in records:
        division_id = found.get(iris.entity(record.key))
        division = places.place(division_id) if division_id is not None else None
        if division is not None:
            names = division_names().get(division.geonames_id, (division.name,))
            record = replace(
                record, division=(division.geonames_id, names), country=division.country_code
            )
        out.append(record)
    return out


def _record(
    key: str, counts: Counter[tuple[EntityKind, str]], gazetteer: Gazetteer
) -> EntityRecord | None:
    known = gazetteer.by_key(key)
    if known is None and not counts:
        return None
    anchors: Counter[str] = Counter()
    kinds: Counter[EntityKind] = Counter()
    for (kind, anchor), n in counts.items():
        anchors[anchor] += n
        kinds[kind] += n
    name = known.name if known else _most_common(anchors)
    kind = EntityKind(known.kind) if known else _most_common(kinds)
    return EntityRecord(
        key=key,
        kind=kind,
        name=name,
        alt_labels=tuple(sorted(set(anchors) - {name})),
        wikidata=known.wikidata if known else None,
        point=known.point if known else None,
    )


_ACTORS = frozenset(
    {
        EntityKind.STATE,
        EntityKind.ARMED_FORCE,
        EntityKind.ARMED_GROUP,
        EntityKind.PERSON,
        EntityKind.ORGANIZATION,
    }
)


_REPORT_ROLES = (SK.location, SK.attacker, SK.attributedTo)


def _report_roles(store: KGStore, entities: list[str]) -> dict[str, set[str]]:
    """The roles (sk: property names) each entity plays in any report."""
    # One pattern per role, after the entities: a role bound by a VALUES block of its own
    # makes Oxigraph read every report's roles, then join (13x slower at 1,000 articles).
    by_role = " UNION ".join(
        f"{{ GRAPH ?g {{ ?r <{role}> ?e }} BIND(<{role}> AS ?role) }}" for role in _REPORT_ROLES
    )
    roles: dict[str, set[str]] = defaultdict(set)
    for values in values_blocks("e", entities):
        query = f"SELECT DISTINCT ?e ?role WHERE {{ {values} {by_role} }}"
        for row in store.query(query).rows():
            roles[str(row["e"])].add(str(row["role"]).removeprefix(str(SK._NS)))
    return roles


def _with_roles(record: EntityRecord | None, roles: set[str]) -> EntityRecord | None:
    """The classes a report role implies, where the entity's own class is another."""
    if record is None:
        return None
    also = []
    if "location" in roles and record.kind not in {EntityKind.PLACE, EntityKind.FACILITY}:
        also.append("Place")
    if roles & {"attacker", "attributedTo"} and record.kind not in _ACTORS:
        also.append("Actor")
    return replace(record, also=tuple(also)) if also else record


def with_places(records: list[EntityRecord], places: PlaceGazetteer) -> list[EntityRecord]:
    """Records with their GeoNames places; facilities also get the place their name holds
    ("Damascus International Airport" is in Damascus), whose record is added."""
    linked: list[EntityRecord] = []
    extra: dict[str, EntityRecord] = {}
    for record in records:
        place = _place_of(record, places)
        located_in = None
        if record.kind is EntityKind.FACILITY and (inner := nested_place(record.name, places)):
            inner_place = link(inner, None, places)
            if inner_place is not None and not inner_place.is_country:
                located_in = place_key(inner_place)
                extra.setdefault(located_in, _place_record(located_in, inner, inner_place, places))
        alt_labels = record.alt_labels
        if place is not None:  # GeoNames' own names help those who search by them
            names = (place.name, *division_names().get(place.geonames_id, ()))
            alt_labels = tuple(sorted({*alt_labels, *names} - {record.name}))
        linked.append(
            replace(
                record,
                alt_labels=alt_labels,
                place=place,
                division=_division(place, places),
                located_in=located_in,
            )
        )
    known = {r.key for r in linked}
    return linked + [r for key, r in sorted(extra.items()) if key not in known]


def _city_elsewhere(name: str, places: PlaceGazetteer) -> bool:
    """Whether GeoNames knows the name as a city the linker left out ("Geneva" in an
    article about Syria): such a name is no village of the article's provinces."""
    return any(p.population >= MIN_CITY_POPULATION for p in places.candidates(name))


def _place_of(record: EntityRecord, places: PlaceGazetteer) -> Place | None:
    if record.kind is EntityKind.PLACE and (geonames_id := geonames_id_of(record.key)) is not None:
        return places.place(geonames_id)
    return None


def _division(place: Place | None, places: PlaceGazetteer) -> tuple[int, tuple[str, ...]] | None:
    """GeoNames id and names (label first) of a place's first-level division."""
    if place is None or place.is_country or place.is_admin1 or not place.admin1_code:
        return None
    division_id = places.admin1_id(place.country_code, place.admin1_code)
    if division_id is None:
        return None
    names = division_names().get(division_id)
    if names is None:
        name = places.admin1_name(place.country_code, place.admin1_code)
        names = (name,) if name else ()
    return (division_id, names) if names else None


@cache
def division_names() -> dict[int, tuple[str, ...]]:
    """Names of the shipped first-level divisions by GeoNames id, label first."""
    return {
        entry.place.geonames_id: tuple(dict.fromkeys(entry.names)) for entry in read_admin1_table()
    }


def _place_record(key: str, name: str, place: Place, places: PlaceGazetteer) -> EntityRecord:
    return EntityRecord(key, EntityKind.PLACE, name, place=place, division=_division(place, places))


def _most_common(counts: Counter[_T]) -> _T:
    """The most frequent value, ties broken by the smallest value.

    Example:
        >>> _most_common(Counter({"b": 2, "a": 2, "c": 1}))
        'a'
    """
    return min(counts, key=lambda value: (-counts[value], value))
