"""Merged strikes in the shared graph: one node per real strike, linked to its reports.

A strike ``{base}strike/{key}`` carries every value its reports give (``sem:hasActor`` and
``sem:hasPlace`` beside ``sk:attacker`` and ``sk:location``, since Oxigraph does no
inference), ``sk:report`` each report and, on the report, ``sk:describes`` the strike.
Where reports disagree it is ``sk:contested``.
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.events.model import Outcome, StrikeType
from kg.mapping.events import KIND_LABELS
from kg.mapping.iris import Iris
from kg.mapping.terms import Triples, count, literal
from kg.merge.strikes import StrikeRecord
from kg.vocab import RDF, RDFS, SEM, SK


def strike_triples(records: Iterable[StrikeRecord], iris: Iris) -> str:
    """The shared-graph description of merged strikes."""
    out = Triples()
    for record in records:
        _describe(out, record, iris)
    return out.text()


def _describe(out: Triples, record: StrikeRecord, iris: Iris) -> None:
    node = iris.strike(record.key)
    add = out.add
    kinds = sorted(k.value for k in record.kinds if k.value != "Strike") or ["Strike"]
    add(node, str(RDF.type), f"<{SK.Strike}>")
    for kind in kinds:
        add(node, str(RDF.type), f"<{SK[kind]}>")
    add(node, str(RDFS.label), literal(_label(record, kinds)))
    for report in record.reports:
        add(node, str(SK.report), f"<{report.iri}>")
        add(report.iri, str(SK.describes), f"<{node}>")
    for attacker in record.values("attacker"):
        add(node, str(SK.attacker), f"<{attacker}>")
        add(node, str(SEM.hasActor), f"<{attacker}>")
    for target in record.values("target"):
        add(node, str(SK.target), f"<{target}>")
    for location in record.values("location"):
        add(node, str(SK.location), f"<{location}>")
        add(node, str(SEM.hasPlace), f"<{location}>")
    for country in record.values("country"):
        add(node, str(SK.country), f"<{country}>")
    _dates(out, node, record)
    for weapon in record.values("weapon"):
        add(node, str(SK.weapon), f"<{SK[str(weapon)]}>")
    outcomes = sorted({o for r in record.reports for o in r.outcomes})
    for outcome in outcomes or [Outcome.UNKNOWN]:
        add(node, str(SK.outcome), f"<{SK[str(outcome)]}>")
    for role in ("killed", "injured"):
        for value in record.values(role):
            add(node, str(SK[role]), count(int(str(value))))
    if record.contested:
        add(node, str(SK.contested), literal(True))


def _dates(out: Triples, node: str, record: StrikeRecord) -> None:
    resolved = [r.resolved for r in record.reports if r.resolved is not None]
    if not resolved:
        return
    days = sorted({r.earliest for r in resolved if r.date is not None})
    for day in days:
        out.add(node, str(SK.date), literal(day))
    if days:
        out.add(node, str(SK.datePrecision), f"<{SK.Day}>")
        return
    # Only ranges: the narrowest one says most.
    narrowest = min(resolved, key=lambda r: (r.latest - r.earliest, r.earliest))
    out.add(node, str(SK.earliestDate), literal(narrowest.earliest))
    out.add(node, str(SK.latestDate), literal(narrowest.latest))
    out.add(node, str(SK.datePrecision), f"<{SK[narrowest.precision.value]}>")


def _label(record: StrikeRecord, kinds: list[str]) -> str:
    parts = [" / ".join(KIND_LABELS[StrikeType(k)] for k in kinds)]
    dates = sorted(r.resolved.earliest.isoformat() for r in record.reports if r.resolved)
    if dates:
        parts.append(dates[0])
    parts.append(f"({len(record.reports)} report{'s' if len(record.reports) > 1 else ''})")
    return " ".join(parts)
