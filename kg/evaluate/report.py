"""An evaluation as a readable table or as JSON (the same numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kg.evaluate.crowd import CrowdScore
from kg.evaluate.results import Counts, EvaluationResult, EventScore, FieldScore, PlaceScore

_DIGITS = 4
_LISTED = 5  # article ids listed in the table; --json lists them all


def to_dict(result: EvaluationResult) -> dict[str, Any]:
    """The result as JSON-ready data: events, fields, crowd, then the pairing details."""
    return {
        "events": _events(result.events),
        "fields": {f.name: _field(f) for f in result.fields},
        "crowd": _crowd(result.crowd) if result.crowd is not None else None,
        "places": _places(result.places) if result.places is not None else None,
        "pairs": [
            {
                "doc": p.doc_id,
                "event": p.event,
                "report": p.report,
                "overlap": p.overlap,
                "wrong": list(p.wrong),
            }
            for p in result.pairs
        ],
        "missed": [{"doc": doc, "event": index} for doc, index in result.missed],
        "extra": list(result.extra),
    }


def _counts(counts: Counts) -> dict[str, Any]:
    return {
        "tp": counts.tp,
        "fp": counts.fp,
        "fn": counts.fn,
        "precision": round(counts.precision, _DIGITS),
        "recall": round(counts.recall, _DIGITS),
        "f1": round(counts.f1, _DIGITS),
    }


def _events(events: EventScore) -> dict[str, Any]:
    evidence = events.evidence
    return {
        **_counts(events.counts),
        "gold_docs": events.gold_docs,
        "gold_events": events.gold_events,
        "reports": events.reports,
        "missing_docs": list(events.missing_docs),
        "evidence": {
            "exact": evidence.exact,
            "fuzzy": evidence.fuzzy,
            "missing": evidence.missing,
            "total": evidence.total,
        },
    }


def _field(score: FieldScore) -> dict[str, Any]:
    return {
        "n": score.n,
        "correct": score.correct,
        "accuracy": round(score.accuracy, _DIGITS),
        **_counts(score.counts),
    }


def _crowd(crowd: CrowdScore) -> dict[str, Any]:
    return {
        "rows": crowd.rows,
        "absent": crowd.absent,
        "with_report": crowd.with_report,
        "coverage": round(crowd.coverage, _DIGITS),
        "aspects": {
            a.name: {"n": a.n, "agree": a.agree, "rate": round(a.rate, _DIGITS)}
            for a in crowd.aspects
        },
        "note": crowd.note,
    }


def _places(places: PlaceScore) -> dict[str, Any]:
    return {
        "docs": places.docs,
        "detection": _counts(places.detection),
        "geonames": {
            "with_id": places.with_id,
            "linked": places.linked,
            "correct": places.correct,
            "accuracy": round(places.accuracy, _DIGITS),
            "coverage": round(places.coverage, _DIGITS),
        },
    }


def render(result: EvaluationResult) -> str:
    """The result as text tables for the terminal."""
    parts = [_render_events(result.events), _render_fields(result.fields)]
    if result.places is not None:
        parts.append(_render_places(result.places))
    if result.crowd is not None:
        parts.append(_render_crowd(result.crowd))
    return "\n\n".join(parts)


def _render_events(events: EventScore) -> str:
    c, evidence = events.counts, events.evidence
    missing = f", {len(events.missing_docs)} not in the store" if events.missing_docs else ""
    lines = [
        f"Events: {events.gold_docs} gold articles{missing}; "
        f"{events.gold_events} gold events, {events.reports} reports",
        f"  matched {c.tp}   false positives {c.fp}   false negatives {c.fn}",
        f"  precision {c.precision:.3f}   recall {c.recall:.3f}   F1 {c.f1:.3f}",
        f"  gold evidence: {evidence.exact} found, {evidence.fuzzy} found fuzzily, "
        f"{evidence.missing} not located",
    ]
    if events.missing_docs:
        shown = ", ".join(events.missing_docs[:_LISTED])
        more = len(events.missing_docs) - _LISTED
        lines.append(f"  not in the store: {shown}" + (f" and {more} more" if more > 0 else ""))
    return "\n".join(lines)


def _render_fields(fields: tuple[FieldScore, ...]) -> str:
    header = ("field", "n", "accuracy", "tp", "fp", "fn", "precision", "recall", "F1")
    rows = [
        (
            f.name,
            str(f.n),
            f"{f.accuracy:.3f}",
            str(f.counts.tp),
            str(f.counts.fp),
            str(f.counts.fn),
            f"{f.counts.precision:.3f}",
            f"{f.counts.recall:.3f}",
            f"{f.counts.f1:.3f}",
        )
        for f in fields
    ]
    title = "Fields: accuracy on matched pairs (n), end to end over all events and reports"
    return title + "\n" + _table(header, rows)


def _render_places(places: PlaceScore) -> str:
    d = places.detection
    return (
        f"Places: {places.docs} articles whose gold lists them\n"
        f"  detection: found {d.tp}   spurious {d.fp}   missed {d.fn}   "
        f"precision {d.precision:.3f}   recall {d.recall:.3f}   F1 {d.f1:.3f}\n"
        f"  GeoNames: {places.with_id} found places with a gold id, {places.linked} linked, "
        f"{places.correct} right: accuracy {places.accuracy:.3f}, coverage {places.coverage:.3f}"
    )


def _render_crowd(crowd: CrowdScore) -> str:
    title = (
        f"Crowd labels: {crowd.rows} rows of stored articles ({crowd.absent} of others "
        f"skipped); {crowd.with_report} with a main report, coverage {crowd.coverage:.3f}"
    )
    rows = [(a.name, str(a.n), str(a.agree), f"{a.rate:.3f}") for a in crowd.aspects]
    return f"{title}\n{_table(('label', 'n', 'agree', 'rate'), rows)}\nnote: {crowd.note}"


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    return "\n".join([line(header), *(line(r) for r in rows)])
