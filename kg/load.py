"""Storing shards: the article graphs ``kg extract`` wrote, then the cross-article steps.

Each shard's article graphs replace the stored ones (an article whose stored fingerprint is
the shard's is left alone), as ``kg ingest`` would store them, and the run that loaded them
is recorded with what extracted them (the shard's first line). At the end, the entities and
strikes the loaded articles touch are consolidated across the whole store: the only step
that looks beyond one shard.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.config import Settings
from kg.errors import IngestError, KGError
from kg.extract import HEADER
from kg.gazetteer import load_gazetteer
from kg.mapping import ArticleGraph, Iris, RunInfo
from kg.pipeline import ErrorHandler, GraphWriter, run_starting_now, stored_fingerprints
from kg.store import KGStore
from kg.vocab import ITSRDF, SK

_HEADER = re.compile(
    re.escape(HEADER)
    + r" software=(?P<software>\S+) model=(?P<model>\S+) model-version=(?P<version>\S+)"
    r" gazetteer=(?P<gazetteer>.*)"
)
_FORMATS = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
}


@dataclass
class LoadReport:
    """What one ``kg load`` did."""

    articles: int = 0
    stored: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)
    run: str | None = None

    def summary(self) -> str:
        """One line for the terminal."""
        return (
            f"{self.articles} article graphs read: {self.stored} stored, {self.unchanged} "
            f"unchanged, {len(self.failed)} shards skipped with errors"
        )


def load(
    shards: list[Path], store: KGStore, settings: Settings, *, on_error: ErrorHandler | None = None
) -> LoadReport:
    """Store the article graphs of shards made by one extractor, then consolidate.

    Every shard's first line is read first: a shard without one, or shards of different
    extractors, stop the load before anything is stored. A shard whose quads cannot be
    read is then reported and skipped whole; the others are stored.
    """
    report = LoadReport()
    iris = Iris(settings.base)
    run = _run(shards)
    writer = GraphWriter(store, iris, run, load_gazetteer(), settings.publish_seconds)
    for shard in shards:
        try:
            graphs = _article_graphs(shard, iris)
        except KGError as error:
            report.failed.append(str(error))
            if on_error is not None:
                on_error(error)
            continue
        report.articles += len(graphs)
        for start in range(0, len(graphs), settings.batch_size):
            batch = graphs[start : start + settings.batch_size]
            changed = _changed(store, iris, batch)
            report.unchanged += len(batch) - len(changed)
            writer.write([graph for graph, _ in changed])
    report.stored = writer.stored
    report.run = writer.finish()
    return report


def _run(shards: list[Path]) -> RunInfo:
    """The load's run, described by the extractor its shards name (one for all)."""
    extractors = {shard: _extractor(shard) for shard in shards}
    distinct = set(extractors.values())
    if len(distinct) > 1:
        first, *others = sorted(distinct)
        other = next(s for s, e in extractors.items() if e != first)
        raise IngestError(
            f"extracted by {' '.join(others[0])}, where other shards were extracted by "
            f"{' '.join(first)}: load the shards of one extraction at a time",
            str(other),
        )
    software, model, version, gazetteer = distinct.pop()
    return run_starting_now(model, version, software, gazetteer)


def _extractor(shard: Path) -> tuple[str, str, str, str]:
    """What extracted a shard, from its first line."""
    try:
        with shard.open(encoding="utf-8") as lines:
            first = lines.readline().rstrip("\n")
    except (OSError, UnicodeDecodeError) as error:
        raise IngestError(f"cannot read the shard: {error}", str(shard)) from None
    match = _HEADER.fullmatch(first)
    if match is None:
        raise IngestError(
            f"not a strike-kg shard (its first line is not {HEADER!r} ...): make shards "
            "with kg extract",
            str(shard),
            1,
        )
    return match["software"], match["model"], match["version"], match["gazetteer"]


def _article_graphs(shard: Path, iris: Iris) -> list[tuple[ArticleGraph, str]]:
    """The shard's article graphs, each with its stored fingerprint, in the shard's order."""
    rdf_format = _FORMATS.get(shard.suffix.lower())
    if rdf_format is None:
        known = ", ".join(sorted(_FORMATS))
        raise IngestError(f"unknown shard format {shard.suffix!r} (known: {known})", str(shard))
    lines: dict[str, list[str]] = defaultdict(list)
    entities: dict[str, set[str]] = defaultdict(set)
    fingerprints: dict[str, str] = {}
    previous = None
    for quad in _quads(shard, rdf_format):
        graph = quad.graph_name
        if not isinstance(graph, ox.NamedNode) or not graph.value.startswith(iris.doc_graph_prefix):
            raise IngestError(
                f"{graph} is not an article graph ({iris.doc_graph_prefix}...): a shard holds "
                "article graphs only",
                str(shard),
            )
        if graph.value != previous and graph.value in lines:
            # The same article again (its id twice in the input): the later one wins, as
            # in kg ingest.
            del lines[graph.value], entities[graph.value]
            fingerprints.pop(graph.value, None)
        previous = graph.value
        lines[graph.value].append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
        value = quad.object
        if isinstance(value, ox.NamedNode) and quad.predicate.value == str(ITSRDF.taIdentRef):
            entities[graph.value].add(value.value)
        elif isinstance(value, ox.Literal) and quad.predicate.value == str(SK.fingerprint):
            fingerprints[graph.value] = value.value
    return [
        (
            ArticleGraph(
                graph.removeprefix(iris.doc_graph_prefix),
                graph,
                "".join(triples),
                frozenset(entities[graph]),
            ),
            fingerprints.get(graph, ""),
        )
        for graph, triples in lines.items()
    ]


def _quads(shard: Path, rdf_format: ox.RdfFormat) -> Iterator[ox.Quad]:
    try:
        yield from ox.parse(path=str(shard), format=rdf_format)
    except (OSError, SyntaxError, ValueError) as error:
        raise IngestError(f"cannot parse the shard: {error}", str(shard)) from None


def _changed(
    store: KGStore, iris: Iris, batch: list[tuple[ArticleGraph, str]]
) -> list[tuple[ArticleGraph, str]]:
    """The graphs of the batch whose fingerprint differs from the stored one."""
    stored = stored_fingerprints(store, iris, [graph.doc_id for graph, _ in batch])
    return [
        (graph, fingerprint)
        for graph, fingerprint in batch
        if stored.get(iris.doc(graph.doc_id)) != fingerprint or not fingerprint
    ]
