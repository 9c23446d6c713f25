"""Reports of the same real strike, across articles, become one ``sk:Strike``.

Two reports from different articles describe the same strike when they share a place (the
same entity or GeoNames id) or a named target, their dates could be the same day, and they
do not name different attackers. Dates must be known on both sides unless the target is
the same named facility: "a strike on Aleppo" in two articles is not enough. Reports are
clustered transitively; a strike keeps every value its reports give, and is contested where
they disagree.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from kg.events.lexicon import load_lexicon
from kg.events.model import Outcome, PartialDate, Precision, ResolvedDate, StrikeType, Weapon
from kg.mapping import Iris
from kg.store import KGStore, Term
from kg.timex import compatible, parse_date_expression
from kg.vocab import NIF, RDF, SK, SKOS


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """What clustering needs to know of one stored report."""

    iri: str
    doc: str
    attacker: str | None = None
    target: str | None = None
    location: str | None = None
    country: str | None = None
    places: frozenset[str] = frozenset()
    resolved: ResolvedDate | None = None
    partial: PartialDate | None = None
    weapon: Weapon | None = None
    outcomes: frozenset[Outcome] = frozenset()
    killed: int | None = None
    injured: int | None = None
    kind: StrikeType = StrikeType.STRIKE

    @property
    def dated(self) -> bool:
        return self.resolved is not None or self.partial is not None


@dataclass(frozen=True)
class StrikeRecord:
    """One merged strike: the union of what its reports say."""

    key: str
    reports: tuple[ReportSummary, ...]
    kinds: frozenset[StrikeType] = field(default_factory=frozenset)
    contested: bool = False

    def values(self, name: str) -> list[object]:
        """Distinct non-empty values of a report field, in report order."""
        seen: dict[object, None] = {}
        for report in self.reports:
            value = getattr(report, name)
            if value is not None:
                seen.setdefault(value, None)
        return list(seen)


def load_reports(
    store: KGStore,
    iris: Iris,
    docs: Iterable[str] | None = None,
    *,
    described: bool = True,
    within: dict[str, set[str]] | None = None,
) -> list[ReportSummary]:
    """Stored reports, of every article or of those named, sorted by IRI.

    Args:
        docs: the articles (document IRIs) whose reports to load; ``None`` loads all.
        described: also load what a strike's description gives (country, weapon, outcomes,
            tolls, kind); without it, only what ``cluster`` compares, which is what a pass
            over every stored report needs.
        within: ``places_within`` of the store, when the caller has read it already.
    """
    # The articles are named as the query's dataset: Oxigraph joins VALUES by evaluating
    # the whole pattern, but a dataset of named graphs bounds the work to those graphs.
    graphs = None if docs is None else sorted({iris.graph_of_doc(doc) for doc in docs})
    if graphs == []:
        return []
    result = store.query(_report_query(iris, described), named_graphs=graphs or ())
    within = within if within is not None else places_within(store, iris)
    found = _summaries(result.iter_rows(), within)
    return [found[iri] for iri in sorted(found)]


def _report_query(iris: Iris, described: bool) -> str:
    description = f"""
        OPTIONAL {{ ?r <{SK.country}> ?country }}
        OPTIONAL {{ ?r <{SK.weapon}> ?weapon }}
        OPTIONAL {{ ?r <{SK.outcome}> ?outcome }}
        OPTIONAL {{ ?r <{SK.killed}> ?killed }}
        OPTIONAL {{ ?r <{SK.injured}> ?injured }}
        OPTIONAL {{ ?r <{SK.evidence}> [ <{SK.role}> <{RDF.type}> ;
                                       <{SK.mention}> [ <{NIF.anchorOf}> ?kind ] ] }}"""
    return f"""
    SELECT * WHERE {{
      GRAPH ?g {{
        ?r a <{SK.Report}> ; <{SK.document}> ?doc .
        OPTIONAL {{ ?r <{SK.attacker}> ?attacker }}
        OPTIONAL {{ ?r <{SK.target}> ?target
                    FILTER(STRSTARTS(STR(?target), "{iris.entity_prefix}")) }}
        OPTIONAL {{ ?r <{SK.location}> ?location }}
        OPTIONAL {{ ?r <{SK.date}> ?date }}
        OPTIONAL {{ ?r <{SK.earliestDate}> ?earliest ; <{SK.latestDate}> ?latest }}
        OPTIONAL {{ ?r <{SK.datePrecision}> ?precision }}
        OPTIONAL {{ ?r <{SK.evidence}> [ <{SK.role}> <{SK.date}> ;
                                       <{SK.mention}> [ <{NIF.anchorOf}> ?dateText ] ] }}
        {description if described else ""}
      }}
    }}"""


def _summaries(
    rows: Iterable[dict[str, Term]], within: dict[str, set[str]]
) -> dict[str, ReportSummary]:
    """One summary per report from the query's rows, which come one report at a time.

    A report's single values come from its first row; its places and outcomes gather over
    all its rows. Only summaries are kept, not rows: a pass over every stored report must
    not hold the query's whole answer.
    """
    found: dict[str, ReportSummary] = {}
    for row in rows:
        values = {name: str(term) for name, term in row.items()}
        summary = _summary(values, frozenset(_places(values, within)), _outcomes(values))
        earlier = found.get(summary.iri)
        if earlier is not None:
            summary = replace(
                earlier,
                places=earlier.places | summary.places,
                outcomes=earlier.outcomes | summary.outcomes,
            )
        found[summary.iri] = summary
    return found


def _places(values: dict[str, str], within: dict[str, set[str]]) -> set[str]:
    places = set()
    if "location" in values:
        places |= {values["location"], *within.get(values["location"], ())}
    if "target" in values:
        places |= within.get(values["target"], set())
    return places


def _outcomes(values: dict[str, str]) -> frozenset[Outcome]:
    if "outcome" not in values:
        return frozenset()
    outcome = Outcome(values["outcome"].removeprefix(str(SK._NS)))
    return frozenset() if outcome is Outcome.UNKNOWN else frozenset({outcome})


def places_within(store: KGStore, iris: Iris) -> dict[str, set[str]]:
    """For each entity, the places it is or lies in: its GeoNames place, the place a
    facility is located in (and that place's GeoNames place)."""
    query = f"""
    SELECT ?e ?place WHERE {{ GRAPH <{iris.kg_graph}> {{
      {{ ?e <{SKOS.exactMatch}> ?place FILTER(STRSTARTS(STR(?place), "http://sws.geonames.org/")) }}
      UNION {{ ?e <{SK.locatedIn}> ?place }}
      UNION {{ ?e <{SK.locatedIn}>/<{SKOS.exactMatch}> ?place
               FILTER(STRSTARTS(STR(?place), "http://sws.geonames.org/")) }}
    }} }}"""
    found: dict[str, set[str]] = defaultdict(set)
    for row in store.query(query).rows():
        found[str(row["e"])].add(str(row["place"]))
    return found


def _local(iri: str | None, namespace: str) -> str | None:
    return iri.removeprefix(namespace) if iri else None


def _summary(
    values: dict[str, str], places: frozenset[str], outcomes: frozenset[Outcome]
) -> ReportSummary:
    ns = str(SK._NS)
    resolved = None
    precision = _local(values.get("precision"), ns)
    if "date" in values:
        day = datetime.date.fromisoformat(values["date"])
        resolved = ResolvedDate(day, day, Precision.DAY)
    elif "earliest" in values and precision:
        resolved = ResolvedDate(
            datetime.date.fromisoformat(values["earliest"]),
            datetime.date.fromisoformat(values["latest"]),
            Precision(precision),
        )
    partial = parse_date_expression(values["dateText"]) if "dateText" in values else None
    weapon = _local(values.get("weapon"), ns)
    killed, injured = values.get("killed"), values.get("injured")
    return ReportSummary(
        iri=values["r"],
        doc=values["doc"],
        attacker=values.get("attacker"),
        target=values.get("target"),
        location=values.get("location"),
        country=values.get("country"),
        places=places,
        resolved=resolved,
        partial=partial,
        weapon=Weapon(weapon) if weapon else None,
        outcomes=outcomes,
        killed=int(killed) if killed else None,
        injured=int(injured) if injured else None,
        kind=load_lexicon().strike_kind(Weapon(weapon) if weapon else None, values.get("kind", "")),
    )


# -- clustering -----------------------------------------------------------------------------


def cluster(reports: list[ReportSummary]) -> list[tuple[ReportSummary, ...]]:
    """Group reports of the same strike (transitively), in a stable order.

    The groups are those ``same_strike`` gives when tried on every pair of reports, found
    without trying every pair: a place named by thousands of reports (a country) would
    make that quadratic.
    """
    links = _Links(reports)
    blocks: dict[tuple[str, datetime.date | None], list[ReportSummary]] = defaultdict(list)
    partial: list[ReportSummary] = []
    for report in reports:
        day = _day(report)
        if day is not None:
            for key in _keys(report):
                blocks[key, day].append(report)
        elif not report.dated and report.target:
            blocks[report.target, None].append(report)  # undated: only the same target
        elif report.resolved is None and report.partial is not None:
            partial.append(report)
    for block in blocks.values():
        _link_block(block, links)
    for report in partial:  # rare: a date the article's own date could not resolve
        for key in _keys(report):
            for (block_key, day), block in blocks.items():
                if block_key == key and day is not None:
                    for other in block:
                        if same_strike(report, other):
                            links.join(report, other)
    groups: dict[str, list[ReportSummary]] = defaultdict(list)
    for report in reports:
        groups[links.root(report.iri)].append(report)
    return [tuple(group) for _, group in sorted(groups.items())]


class _Links:
    """Union-find over report IRIs; a group's root is its smallest IRI."""

    def __init__(self, reports: list[ReportSummary]) -> None:
        self.parent = {r.iri: r.iri for r in reports}

    def root(self, iri: str) -> str:
        while self.parent[iri] != iri:
            self.parent[iri] = self.parent[self.parent[iri]]
            iri = self.parent[iri]
        return iri

    def join(self, a: ReportSummary, b: ReportSummary) -> None:
        first, second = sorted((self.root(a.iri), self.root(b.iri)))
        self.parent[second] = first

    def join_all(self, reports: list[ReportSummary]) -> None:
        for report in reports[1:]:
            self.join(reports[0], report)


def _keys(report: ReportSummary) -> set[str]:
    """What two reports must share to be one strike: a place, or the named target."""
    return set(report.places) | ({report.target} if report.target else set())


def _day(report: ReportSummary) -> datetime.date | None:
    resolved = report.resolved
    return resolved.earliest if resolved and resolved.precision is Precision.DAY else None


def _link_block(block: list[ReportSummary], links: _Links) -> None:
    """Join the reports of one block (same place or target, same day or both undated) as
    trying ``same_strike`` on each pair would.

    In a block, two reports match unless they come from the same article or name different
    attackers. Reports naming the same attacker, from two or more articles, are therefore
    all one strike. A report naming no attacker matches every report of another article:
    if such reports come from two or more articles the whole block is one strike, and if
    from one article they join every report of the others.
    """
    by_attacker: dict[str | None, list[ReportSummary]] = defaultdict(list)
    for report in block:
        by_attacker[report.attacker].append(report)
    for attacker, members in by_attacker.items():
        if attacker is not None and len({r.doc for r in members}) > 1:
            links.join_all(members)
    unattributed = by_attacker.get(None, [])
    docs = {r.doc for r in unattributed}
    if len(docs) > 1:
        links.join_all(block)
    elif docs:
        others = [r for r in block if r.doc not in docs]
        if others:
            links.join_all([*unattributed, *others])


def same_strike(a: ReportSummary, b: ReportSummary) -> bool:
    """Whether two reports from different articles describe one strike.

    They must share a place or a named target and not name different attackers; and the
    day must be known on one side and agree with the other (a day, or what the other
    says of it: "early May", "Friday"). A month or a year alone says too little: two
    reports of strikes on Aleppo in April 2017 are not one strike. Undated reports merge
    only on the same named target.
    """
    if a.doc == b.doc:
        return False  # an article's own reports are distinct strikes by construction
    if a.attacker and b.attacker and a.attacker != b.attacker:
        return False
    same_target = a.target is not None and a.target == b.target
    if not (a.places & b.places or same_target):
        return False
    if not a.dated and not b.dated:
        return same_target
    return _same_day(a, b)


def _same_day(a: ReportSummary, b: ReportSummary) -> bool:
    days = [r for r in (a, b) if r.resolved is not None and r.resolved.precision is Precision.DAY]
    if not days:
        return False
    other = b if days[0] is a else a
    day = days[0].resolved
    assert day is not None
    if other.resolved is not None:
        return other.resolved.precision is Precision.DAY and other.resolved.earliest == day.earliest
    return other.partial is not None and compatible(day, other.partial)


def strike_records(clusters: Iterable[tuple[ReportSummary, ...]]) -> list[StrikeRecord]:
    """One record per cluster."""
    return [
        StrikeRecord(strike_key(group), group, frozenset(r.kind for r in group), _contested(group))
        for group in clusters
    ]


def strike_key(group: Iterable[ReportSummary]) -> str:
    """A cluster's key, from its earliest report: stable across re-runs."""
    return hashlib.sha256(min(r.iri for r in group).encode()).hexdigest()[:16]


def _contested(group: tuple[ReportSummary, ...]) -> bool:
    """Reports disagree on the outcome, the day or a toll."""
    outcomes = {o for r in group for o in r.outcomes}
    days = {r.resolved.date for r in group if r.resolved is not None and r.resolved.date}
    killed = {r.killed for r in group if r.killed is not None}
    injured = {r.injured for r in group if r.injured is not None}
    return max(len(outcomes), len(days), len(killed), len(injured)) > 1
