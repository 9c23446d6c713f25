"""Keeping the merged strikes in the shared graph current, in bounded memory.

Every stored report is clustered, but from the few fields clustering compares; the strikes
whose reports, membership or key changed are then rewritten a chunk at a time, each chunk
loading its reports' full description and writing in one transaction. A run that adds a
few articles to a large store thus rewrites a few strikes, and a run over a whole archive
never holds every strike's description at once. A small store is read once, described.

A crash between chunks leaves the run without an end; the next run rewrites every strike and
deletes every strike node no cluster has.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from kg.mapping import Iris, strike_triples
from kg.merge.strikes import (
    ReportSummary,
    cluster,
    load_reports,
    places_within,
    strike_key,
    strike_records,
)
from kg.queries import article_count
from kg.store import KGStore
from kg.vocab import SK

# Strikes written per transaction: large enough that a transaction's overhead does not
# count, small enough that its text and Oxigraph's write batch stay a few megabytes.
CHUNK = 2_000
# A store of at most this many articles has its reports read once, with their full
# description, for both clustering and writing: a few megabytes, and one read of every
# report, not two.
READ_ONCE_ARTICLES = 5_000

Group = tuple[ReportSummary, ...]
_T = TypeVar("_T")


@dataclass(frozen=True)
class StrikeUpdate:
    """What ``update_strikes`` changed."""

    written: int
    deleted: int


def update_strikes(
    store: KGStore, iris: Iris, changed_docs: Collection[str] | None = None
) -> StrikeUpdate:
    """Re-derive the merged strikes from the stored reports; write only what changed.

    Args:
        changed_docs: the articles (document IRIs) whose reports were rewritten, so whose
            strikes' values may have changed; ``None`` rewrites every strike.
    """
    within = places_within(store, iris)
    read_once = article_count(store) <= READ_ONCE_ARTICLES
    reports = load_reports(store, iris, described=read_once, within=within)
    described = {report.iri: report for report in reports} if read_once else None
    articles = len({report.doc for report in reports})
    groups = cluster(reports)
    stored = _stored_strikes(store, iris)
    members = Counter(stored.values())
    nodes = {iris.strike(strike_key(group)) for group in groups}
    changed = [
        group
        for group in groups
        if changed_docs is None or _changed(group, iris, stored, members, changed_docs)
    ]
    for chunk in _chunks(changed):
        if described is None:  # a large store: this chunk's reports, described
            _write(store, iris, chunk, _described(store, iris, chunk, within, articles))
        else:
            _write(store, iris, chunk, described)
        # Written tables leave memory only when flushed: unflushed, they grew the process by
        # tens of megabytes per chunk over a whole archive.
        store.flush()
    # Every strike node, not only those a report points at: a crash between chunks can
    # leave a node that its reports no longer describe.
    stale = sorted((_strike_nodes(store, iris) | set(members)) - nodes)
    gone = sorted(set(stored) - {r.iri for group in groups for r in group})
    for subjects in _chunks(stale + gone):
        store.update(KGStore.subjects_deletion(iris.kg_graph, subjects))
    return StrikeUpdate(len(changed), len(stale))


def _strike_nodes(store: KGStore, iris: Iris) -> set[str]:
    query = f"SELECT ?s WHERE {{ GRAPH <{iris.kg_graph}> {{ ?s a <{SK.Strike}> }} }}"
    return {str(row["s"]) for row in store.query(query).iter_rows()}


def _stored_strikes(store: KGStore, iris: Iris) -> dict[str, str]:
    """The strike each stored report is said to describe."""
    query = f"SELECT ?r ?s WHERE {{ GRAPH <{iris.kg_graph}> {{ ?r <{SK.describes}> ?s }} }}"
    return {str(row["r"]): str(row["s"]) for row in store.query(query).iter_rows()}


def _changed(
    group: Group,
    iris: Iris,
    stored: dict[str, str],
    members: Counter[str],
    changed_docs: Collection[str],
) -> bool:
    """Whether a cluster differs from the strike stored for it: another key, other
    reports, or a report the run rewrote."""
    node = iris.strike(strike_key(group))
    return (
        members[node] != len(group)
        or any(stored.get(report.iri) != node for report in group)
        or any(report.doc in changed_docs for report in group)
    )


def _described(
    store: KGStore,
    iris: Iris,
    groups: Sequence[Group],
    within: dict[str, set[str]],
    articles: int,
) -> dict[str, ReportSummary]:
    """The full description of the reports of ``groups``, by IRI (a report gone meanwhile,
    under another writer, is left out).

    Args:
        articles: how many articles of the store have reports.
    """
    docs = {report.doc for group in groups for report in group}
    # Reading every report is faster than naming most of the articles as the dataset (half
    # the time when a run rewrote them all).
    named = docs if 2 * len(docs) < articles else None
    return {r.iri: r for r in load_reports(store, iris, named, within=within) if r.doc in docs}


def _write(
    store: KGStore, iris: Iris, groups: Sequence[Group], described: dict[str, ReportSummary]
) -> None:
    """Replace the strikes of ``groups`` in one transaction, from their reports' full
    description in ``described``."""
    present = (tuple(described[r.iri] for r in group if r.iri in described) for group in groups)
    records = strike_records(group for group in present if group)
    # What the shared graph says of the strikes, and of their reports (the strike each
    # describes), is replaced.
    subjects = [iris.strike(record.key) for record in records]
    subjects += [report.iri for group in groups for report in group]
    store.update(
        KGStore.subjects_replacement(iris.kg_graph, subjects, strike_triples(records, iris))
    )


def _chunks(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    return (items[start : start + CHUNK] for start in range(0, len(items), CHUNK))
