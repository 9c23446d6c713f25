"""Reading what the extractor wrote: articles and their reports, from the store by SPARQL.

The shape read is the reports contract of ``DESIGN.md``: each ``sk:Report`` in an article's
graph has ``sk:document``, ``prov:wasDerivedFrom`` its evidence sentences (NIF offset
strings), optional argument properties (``sk:attacker``, ``sk:target``, ``sk:location``,
``sk:attributedTo``, dates, weapon, outcome, casualties, status) and ``sk:evidence`` nodes
whose mentions give the exact words of each argument. The strike it ``sk:describes`` carries
the strike type.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from kg.evaluate.gold import TYPES
from kg.store import KGStore, Term, values_blocks
from kg.vocab import PREFIXES

Span = tuple[int, int]
_HEADER = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
_ENTITY_ROLES = ("attacker", "target", "location", "country", "attributedTo")
_SCALAR_ROLES = (
    *("date", "earliestDate", "latestDate", "datePrecision"),
    *("weapon", "outcome", "killed", "injured", "status"),
)
_GEONAMES = "http://sws.geonames.org/"


@dataclass(frozen=True)
class StoredArticle:
    """An article the store holds: its id, node and full text (``nif:isString``)."""

    doc_id: str
    iri: str
    text: str


@dataclass(frozen=True)
class EntityValue:
    """An entity a report names for one argument, with every name it goes by.

    Attributes:
        iri: the entity node.
        labels: ``rdfs:label`` first, then the ``skos:altLabel`` values, sorted.
        anchors: the words the report's evidence mentions for this argument.
        geonames: GeoNames ids of its ``skos:exactMatch`` links.
        admin1: names of its first-level division (``gn:parentADM1``), when linked.
        country: ISO code of its country (``gn:countryCode``), when linked.
    """

    iri: str
    labels: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()
    geonames: frozenset[int] = frozenset()
    admin1: tuple[str, ...] = ()
    country: str | None = None

    def names(self) -> tuple[str, ...]:
        """Labels, then the anchors that are not also labels."""
        return (*self.labels, *(a for a in self.anchors if a not in self.labels))


@dataclass(frozen=True)
class DateValue:
    """A predicted date as a range of possible days, with the precision the report gives."""

    earliest: datetime.date
    latest: datetime.date
    precision: str


@dataclass(frozen=True)
class PredictedReport:
    """One ``sk:Report``: controlled values are ``sk:`` local names."""

    iri: str
    doc_id: str
    spans: tuple[Span, ...]
    types: tuple[str, ...] = ()
    attackers: tuple[EntityValue, ...] = ()
    targets: tuple[EntityValue, ...] = ()
    locations: tuple[EntityValue, ...] = ()
    countries: tuple[EntityValue, ...] = ()
    attributed_to: tuple[EntityValue, ...] = ()
    dates: tuple[DateValue, ...] = ()
    weapons: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    killed: tuple[int, ...] = ()
    injured: tuple[int, ...] = ()

    @property
    def first_offset(self) -> int:
        """Where its first evidence sentence begins (reports without evidence sort last)."""
        return min((b for b, _ in self.spans), default=1 << 62)


def load_articles(store: KGStore) -> dict[str, StoredArticle]:
    """Every article the store holds, by id."""
    query = (
        _HEADER
        + """SELECT DISTINCT ?doc ?id ?text WHERE {
        ?doc a schema:NewsArticle ; schema:identifier ?id ; nif:isString ?text }"""
    )
    return {
        str(row["id"]): StoredArticle(str(row["id"]), str(row["doc"]), str(row["text"]))
        for row in store.query(query).rows()
    }


def load_reports(store: KGStore, articles: Iterable[StoredArticle]) -> list[PredictedReport]:
    """The reports of the given articles, ordered by article then by first evidence."""
    doc_ids = {a.iri: a.doc_id for a in articles}
    reports: list[PredictedReport] = []
    for values in values_blocks("doc", doc_ids):
        reports.extend(_load_block(store, values, doc_ids))
    return sorted(reports, key=lambda r: (r.doc_id, r.first_offset, r.iri))


def _load_block(
    store: KGStore, values: str, doc_ids: Mapping[str, str]
) -> Iterator[PredictedReport]:
    found = _rows(store, values, "?report sk:document ?doc .", "?report ?doc")
    spans = _by_report(_rows(store, values, _SPANS, "?report ?b ?e"))
    types = _by_report(_rows(store, values, _TYPES, "?report ?type"))
    scalars = _rows(store, values, _SCALARS, "?report ?p ?v")
    anchors = _rows(store, values, _ANCHORS, "?report ?role ?anchor ?entity")
    named = {r["v"] for r in scalars if _local(r["p"]) in _ENTITY_ROLES}
    entities = _describe(store, {t.value for t in named if t.kind == "iri"})
    # A literal where an entity belongs still names something: compare it by its text.
    entities |= {t.value: EntityValue(t.value, (t.value,)) for t in named if t.kind != "iri"}
    by_report, anchors_of = _by_report(scalars), _by_report(anchors)
    for row in found:
        iri = str(row["report"])
        yield _report(
            iri,
            doc_ids[str(row["doc"])],
            sorted((int(str(r["b"])), int(str(r["e"]))) for r in spans.get(iri, [])),
            [str(r["type"]) for r in types.get(iri, [])],
            by_report.get(iri, []),
            anchors_of.get(iri, []),
            entities,
        )


_SPANS = """?report sk:document ?doc ; prov:wasDerivedFrom ?s .
    ?s nif:beginIndex ?b ; nif:endIndex ?e ."""
_TYPES = "?report sk:document ?doc ; sk:describes ?strike . ?strike a ?type ."
_SCALARS = (
    "VALUES ?p { "
    + " ".join(f"sk:{r}" for r in (*_ENTITY_ROLES, *_SCALAR_ROLES))
    + " } ?report sk:document ?doc ; ?p ?v ."
)
_ANCHORS = """?report sk:document ?doc ; sk:evidence ?ev . ?ev sk:role ?role ; sk:mention ?m .
    ?m nif:anchorOf ?anchor . OPTIONAL { ?m itsrdf:taIdentRef ?entity }"""


def _rows(store: KGStore, values: str, pattern: str, variables: str) -> list[dict[str, Term]]:
    query = f"{_HEADER}SELECT DISTINCT {variables} WHERE {{ {values} {pattern} }}"
    return store.query(query).rows()


def _by_report(rows: list[dict[str, Term]]) -> dict[str, list[dict[str, Term]]]:
    grouped: dict[str, list[dict[str, Term]]] = defaultdict(list)
    for row in rows:
        grouped[str(row["report"])].append(row)
    return grouped


def _describe(store: KGStore, iris: set[str]) -> dict[str, EntityValue]:
    """Labels, GeoNames links and first-level division names of the given entities."""
    labels: dict[str, list[str]] = defaultdict(list)
    alts: dict[str, set[str]] = defaultdict(set)
    geonames: dict[str, set[int]] = defaultdict(set)
    admin1: dict[str, set[str]] = defaultdict(set)
    country: dict[str, str] = {}
    for values in values_blocks("e", iris):
        for row in _entity_rows(store, values, _NAMES):
            entity, prop, value = str(row["e"]), _local(row["p"]), str(row["v"])
            if prop == "label":
                labels[entity].append(value)
            elif prop == "altLabel":
                alts[entity].add(value)
            elif prop == "countryCode":
                country[entity] = value
            elif (linked := geonames_id(value)) is not None:
                geonames[entity].add(linked)
        for row in _entity_rows(store, values, _DIVISION):
            admin1[str(row["e"])].add(str(row["v"]))
    return {
        e: EntityValue(
            iri=e,
            labels=(*sorted(labels[e]), *sorted(alts[e] - set(labels[e]))),
            geonames=frozenset(geonames[e]),
            admin1=tuple(sorted(admin1[e])),
            country=country.get(e),
        )
        for e in iris
    }


_NAMES = "VALUES ?p { rdfs:label skos:altLabel skos:exactMatch gn:countryCode } ?e ?p ?v ."
# The division is named however the linker names it: label, GeoNames name or alias.
_DIVISION = "?e gn:parentADM1 ?a . ?a rdfs:label|gn:name|skos:altLabel ?v ."


def _entity_rows(store: KGStore, values: str, pattern: str) -> list[dict[str, Term]]:
    return store.query(f"{_HEADER}SELECT DISTINCT * {{ {values} {pattern} }}").rows()


def geonames_id(iri: str) -> int | None:
    """The id of a GeoNames IRI (``http://sws.geonames.org/{id}/``), else ``None``."""
    rest = iri.removeprefix(_GEONAMES).strip("/")
    return int(rest) if iri.startswith(_GEONAMES) and rest.isdigit() else None


def _report(
    iri: str,
    doc_id: str,
    spans: list[Span],
    types: list[str],
    scalars: list[dict[str, Term]],
    anchors: list[dict[str, Term]],
    entities: dict[str, EntityValue],
) -> PredictedReport:
    values: dict[str, list[Term]] = defaultdict(list)
    for row in scalars:
        values[_local(row["p"])].append(row["v"])

    def named(role: str) -> tuple[EntityValue, ...]:
        return _with_anchors(role, [entities[str(v)] for v in values[role]], anchors)

    local = {_local(t) for t in types if t.startswith(PREFIXES["sk"])} & TYPES
    return PredictedReport(
        iri=iri,
        doc_id=doc_id,
        spans=tuple(spans),
        # A generic sk:Strike next to a specific class says nothing more.
        types=tuple(sorted(local - {"Strike"} or local)),
        attackers=named("attacker"),
        targets=named("target"),
        locations=named("location"),
        countries=named("country"),
        attributed_to=named("attributedTo"),
        dates=_dates(values),
        weapons=tuple(sorted({_local(v) for v in values["weapon"]})),
        outcomes=tuple(sorted({_local(v) for v in values["outcome"]})),
        statuses=tuple(sorted({_local(v) for v in values["status"]})),
        killed=_integers(values["killed"]),
        injured=_integers(values["injured"]),
    )


def _with_anchors(
    role: str, values: list[EntityValue], anchors: list[dict[str, Term]]
) -> tuple[EntityValue, ...]:
    """Attach each argument mention's words to the entity it names, or to all of the role's
    entities when the mention names none."""
    mine = [a for a in anchors if _local(a["role"]) == role]
    out = []
    for value in sorted(values, key=lambda v: v.iri):
        words = [str(a["anchor"]) for a in mine if str(a.get("entity", value.iri)) == value.iri]
        anchored = tuple(sorted(set(words)))
        out.append(replace(value, anchors=anchored))
    return tuple(out)


def _dates(values: dict[str, list[Term]]) -> tuple[DateValue, ...]:
    precisions = sorted({_local(v) for v in values["datePrecision"]})
    days = [d for d in map(_date, values["date"]) if d is not None]
    if days:
        precision = precisions[0] if precisions else "Day"
        return tuple(DateValue(d, d, precision) for d in sorted(set(days)))
    earliest = [d for d in map(_date, values["earliestDate"]) if d is not None]
    latest = [d for d in map(_date, values["latestDate"]) if d is not None]
    if not earliest and not latest:
        return ()
    low, high = min(earliest or latest), max(latest or earliest)
    return (DateValue(low, high, precisions[0] if precisions else _range_precision(low, high)),)


def _range_precision(low: datetime.date, high: datetime.date) -> str:
    if low == high:
        return "Day"
    return "Month" if (low.year, low.month) == (high.year, high.month) else "Year"


def _date(term: Term) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(term.value[:10])
    except ValueError:
        return None


def _integers(terms: list[Term]) -> tuple[int, ...]:
    return tuple(sorted({int(t.value) for t in terms if t.value.lstrip("-").isdigit()}))


def _local(term: Term | str) -> str:
    """The local name of an IRI: after ``#``, else after the last ``/``."""
    iri = str(term)
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]
