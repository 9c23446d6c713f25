"""The ingest pipeline: articles in, article graphs and canonical entities in the store.

Articles are read lazily and handled in batches. For each batch, the articles whose
fingerprint (their content plus the software and model that read them) is already stored
are skipped; the rest are parsed by spaCy, in worker processes when more than one is
configured, mapped to RDF, and written to the store, each named graph whole (see
``KGStore.replace_graphs``). At the end of the run, the entities the run touched are
consolidated across all articles and the run's end is recorded, in one transaction.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import multiprocessing
import signal
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from types import FrameType
from typing import IO

from spacy.tokens import Doc
from tqdm import tqdm

import kg
from kg.config import Settings
from kg.entities import Analysis, analyse
from kg.errors import ConfigError, IngestError, KGError, MappingError, NLPError
from kg.events import Report, extract_reports
from kg.gazetteer import Gazetteer, load_gazetteer, user_files
from kg.heap import release_free_memory
from kg.ingest import Article, read_articles
from kg.linking import PlaceLinker, gazetteer_identity, place_gazetteer
from kg.linking.mentions import link_places
from kg.mapping import (
    ArticleGraph,
    EntityRecord,
    Iris,
    RunInfo,
    article_graph,
    entity_triples,
    run_triples,
)
from kg.merge import consolidate, referenced_entities
from kg.merge.strike_graph import update_strikes
from kg.nlp import load_pipeline, model_info
from kg.queries import article_count
from kg.resources import SAMPLES_DIR, ontology_file
from kg.snapshots import publish_snapshot
from kg.store import GraphStatement, KGStore
from kg.timex import reference_date
from kg.vocab import PROV, SCHEMA, SK

ErrorHandler = Callable[[KGError], None]

# A run that wrote at least this share of the store's articles compacts it at its end. The
# cost is a rewrite of the whole store (seconds per 10,000 articles), so a run that adds a
# few articles to a large store leaves compaction to RocksDB's own background work.
COMPACT_SHARE = 0.1

# The ingest reopens the store after each this many articles it wrote. Otherwise the memory
# RocksDB keeps for the files the bulk loader hands it grows with the store, by about 9 MB
# per 1,000 articles in the writing process (``KGStore.reopen``). A reopening takes 0.1 s.
REOPEN_ARTICLES = 1_000
# Each of those reopenings keeps at most this many table files open while the ingest writes:
# RocksDB holds each open file's index in memory, and Oxigraph lets it keep every file
# open, a memory that grew with the store (docs/BENCHMARKS.md, "Ingest memory"). The
# run's end, which reads much of the store, opens it again without the bound.
WRITING_TABLE_FILES = 64


@dataclass
class IngestReport:
    """What one ingest run did."""

    read: int = 0
    stored: int = 0
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)
    run: str | None = None
    interrupted: bool = False

    def summary(self) -> str:
        """One line for the terminal."""
        line = (
            f"{self.read} articles read: {self.stored} stored, {self.unchanged} unchanged, "
            f"{len(self.failed)} skipped with errors"
        )
        if self.interrupted:
            line += "; interrupted: run the same command again to go on"
        return line


class Extractor:
    """Everything needed to turn articles into article graphs: the loaded spaCy pipeline,
    the gazetteer and the IRI scheme. One per process."""

    def __init__(
        self, settings: Settings, run: RunInfo, gazetteer: Gazetteer | None = None
    ) -> None:
        self.gazetteer = gazetteer or load_gazetteer()
        self.nlp = load_pipeline(settings.model, self.gazetteer)
        self.iris = Iris(settings.base)
        self.linker = PlaceLinker(place_gazetteer())
        self.run = run

    def fingerprint(self, article: Article) -> str:
        """Digest of the article as received and of the software and model reading it."""
        return fingerprint(article, self.run)

    def extract(self, articles: list[Article]) -> list[ArticleGraph | KGError]:
        """Parse and map a batch; an article that fails becomes an error, not an exception."""
        try:
            docs = list(self.nlp.pipe(a.text for a in articles))
        except Exception:
            return [self._extract_one(article) for article in articles]
        return [self._map(article, doc) for article, doc in zip(articles, docs, strict=True)]

    def _extract_one(self, article: Article) -> ArticleGraph | KGError:
        try:
            return self._map(article, self.nlp(article.text))
        except Exception as error:
            return NLPError(f"{article.origin}: spaCy could not process {article.doc_id}: {error}")

    def _map(self, article: Article, doc: Doc) -> ArticleGraph | KGError:
        reference = reference_date(article.text, article.published)
        analysis, reports = understand(doc, reference, self.gazetteer, self.linker)
        fingerprint = self.fingerprint(article)
        try:
            return article_graph(article, analysis, self.iris, fingerprint, reports)
        except MappingError as error:  # the article's own metadata cannot be stored
            return MappingError(f"{article.origin}: {error}")


def understand(
    doc: Doc,
    reference: datetime.date | None,
    gazetteer: Gazetteer | None = None,
    linker: PlaceLinker | None = None,
) -> tuple[Analysis, list[Report]]:
    """A parsed article's typed and linked mentions, and the strikes it reports.

    Args:
        doc: the article parsed by ``kg.nlp.load_pipeline``.
        reference: the date relative expressions resolve against.
    """
    gazetteer = gazetteer or load_gazetteer()
    linker = linker or PlaceLinker(place_gazetteer())
    analysis = link_places(doc, analyse(doc, gazetteer), linker, gazetteer)
    return analysis, extract_reports(doc, analysis, reference, gazetteer)


def fingerprint(article: Article, run: RunInfo) -> str:
    """Digest of the article as received plus the software, model and gazetteer."""
    parts = (
        article.digest(),
        run.software_version,
        run.model_name,
        run.model_version,
        run.gazetteer,
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def new_run(settings: Settings) -> RunInfo:
    """Describe a run that starts now, reading with this software and these settings."""
    info = model_info(settings.model)
    gazetteer = ";".join([gazetteer_identity(place_gazetteer()), *map(_identity, user_files())])
    return run_starting_now(info.name, info.version, kg.__version__, gazetteer)


def run_starting_now(
    model_name: str, model_version: str, software_version: str, gazetteer: str
) -> RunInfo:
    """A run that starts now, with a new id, of what the arguments name."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    run_id = f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    return RunInfo(run_id, now, model_name, model_version, software_version, gazetteer)


def _identity(path: Path) -> str:
    """A user gazetteer file as a fingerprint sees it, by content: edited, it rereads the
    articles; the same file on another machine reads them the same."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"cannot read the gazetteer file {path}: {error}") from None
    return f"{path.name}:{hashlib.sha256(content).hexdigest()[:16]}"


# -- worker processes -----------------------------------------------------------------------

_worker: Extractor | None = None


def _start_worker(extractor: Extractor) -> None:
    global _worker
    # Ctrl-C reaches the whole process group: the main process decides when to stop, and
    # the workers finish the batches under way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = extractor


def _extract_in_worker(articles: list[Article]) -> list[ArticleGraph | KGError]:
    assert _worker is not None, "worker used before its initializer ran"
    graphs = _worker.extract(articles)
    release_free_memory()
    return graphs


Extracted = Iterator[tuple[list[Article], list[ArticleGraph | KGError]]]
_Extracting = AsyncResult[list[ArticleGraph | KGError]]


def _split(batch: list[Article], parts: int) -> list[list[Article]]:
    """``batch`` in at most ``parts`` consecutive runs of nearly equal length."""
    size = max(1, -(-len(batch) // parts))
    return [batch[start : start + size] for start in range(0, len(batch), size)]


def _joined(
    extracting: tuple[list[Article], list[_Extracting]],
) -> tuple[list[Article], list[ArticleGraph | KGError]]:
    batch, parts = extracting
    return batch, [item for part in parts for item in part.get()]


class _Parallel:
    """Extract batches in worker processes, a bounded number in flight, in input order.

    Each batch is split into one part per worker: the workers finish a batch together,
    so none idles while another parses the run's last articles.
    """

    def __init__(self, extractor: Extractor, processes: int) -> None:
        # The workers fork with the extractor loaded (not pickled): the model and its
        # rulers load once per run, not once per worker, and the workers start at once.
        context = multiprocessing.get_context("fork")
        self.processes = processes
        # What exists now lives as long as the workers: the collector leaves it alone, so
        # it neither walks the pipeline's objects nor writes to their shared pages.
        gc.freeze()
        self.pool: Pool = context.Pool(processes, _start_worker, (extractor,))
        self.window = processes * 2  # batches in flight

    def map(self, batches: Iterable[list[Article]]) -> Extracted:
        pending: deque[tuple[list[Article], list[_Extracting]]] = deque()
        for batch in batches:
            parts = _split(batch, self.processes)
            pending.append(
                (batch, [self.pool.apply_async(_extract_in_worker, (p,)) for p in parts])
            )
            if len(pending) >= self.window:
                yield _joined(pending.popleft())
        while pending:
            yield _joined(pending.popleft())

    def close(self) -> None:
        self.pool.close()
        self.pool.join()
        gc.unfreeze()

    def terminate(self) -> None:
        self.pool.terminate()
        self.pool.join()
        gc.unfreeze()


@contextmanager
def extraction(
    settings: Settings, run: RunInfo, gazetteer: Gazetteer | None = None
) -> Iterator[Callable[[Iterable[list[Article]]], Extracted]]:
    """A function from batches of articles to their article graphs, in input order: in
    ``settings.processes`` worker processes when more than one, else in this process. The
    workers end with the block (at once if it raises)."""
    extractor = Extractor(settings, run, gazetteer)
    if settings.processes <= 1:
        yield lambda batches: ((batch, extractor.extract(batch)) for batch in batches)
        return
    parallel = _Parallel(extractor, settings.processes)
    try:
        yield parallel.map
    except BaseException:
        parallel.terminate()
        raise
    parallel.close()


# -- the run --------------------------------------------------------------------------------


def ingest(
    sources: Iterable[str | Path],
    store: KGStore,
    settings: Settings,
    *,
    on_error: ErrorHandler | None = None,
    progress: bool = False,
    stdin: IO[bytes] | None = None,
) -> IngestReport:
    """Read, extract and store articles; return what was done.

    Bad inputs are passed to ``on_error`` and skipped; the run goes on and nothing already
    stored is lost.
    """
    report = IngestReport()
    iris = Iris(settings.base)
    run = new_run(settings)
    gazetteer = load_gazetteer()
    writer = GraphWriter(store, iris, run, gazetteer, settings.publish_seconds)

    def fail(error: KGError) -> None:
        report.failed.append(str(error))
        if on_error is not None:
            on_error(error)

    bar = tqdm(unit=" articles", disable=not progress, desc="ingest")
    with StopRequest() as stop:
        articles = stop.cut(
            _counted(
                read_articles(sources, max_chars=settings.max_chars, stdin=stdin),
                report,
                bar,
                fail,
            )
        )
        batches = _changed_batches(articles, store, settings, run, report)
        with extraction(settings, run, gazetteer) as extract:
            _store_all(extract(batches), writer, fail)
        bar.close()
        report.stored = writer.stored
        report.run = writer.finish()
    report.interrupted = stop.requested
    return report


class StopRequest:
    """Ctrl-C during a run: the first asks it to read no further article and to end cleanly
    (the batches under way are stored, entities consolidated, the run recorded); a second
    one interrupts at once, which the store survives like any crash."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Callable[[int, FrameType | None], object] | int | None = None

    def __enter__(self) -> StopRequest:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._request)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._previous is not None and signal.getsignal(signal.SIGINT) == self._request:
            signal.signal(signal.SIGINT, self._previous)

    def _request(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        signal.signal(signal.SIGINT, self._previous)

    def cut(self, items: Iterable[Article]) -> Iterator[Article]:
        """``items`` until a stop is requested."""
        for item in items:
            if self.requested:
                return
            yield item


def _counted(
    items: Iterable[Article | IngestError],
    report: IngestReport,
    bar: tqdm,
    fail: ErrorHandler,
) -> Iterator[Article]:
    for item in items:
        if isinstance(item, IngestError):
            fail(item)
            continue
        report.read += 1
        bar.update(1)
        yield item


def _changed_batches(
    articles: Iterable[Article],
    store: KGStore,
    settings: Settings,
    run: RunInfo,
    report: IngestReport,
) -> Iterator[list[Article]]:
    """Batches of the articles whose stored fingerprint differs (or that are new)."""
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) == settings.batch_size:
            yield from _only_changed(batch, store, settings, run, report)
            batch = []
    if batch:
        yield from _only_changed(batch, store, settings, run, report)


def _only_changed(
    batch: list[Article], store: KGStore, settings: Settings, run: RunInfo, report: IngestReport
) -> Iterator[list[Article]]:
    iris = Iris(settings.base)
    stored = stored_fingerprints(store, iris, [a.doc_id for a in batch])
    changed = [a for a in batch if stored.get(iris.doc(a.doc_id)) != fingerprint(a, run)]
    report.unchanged += len(batch) - len(changed)
    if changed:
        yield changed


def stored_fingerprints(store: KGStore, iris: Iris, doc_ids: list[str]) -> dict[str, str]:
    """The fingerprint stored for each of the articles ``doc_ids`` that is in the store, by
    document IRI."""
    if not doc_ids:
        return {}
    # The articles' graphs are the query's dataset: a VALUES block would make Oxigraph read
    # every stored fingerprint for each batch.
    graphs = [iris.doc_graph(doc_id) for doc_id in doc_ids]
    query = f"SELECT ?doc ?fp WHERE {{ GRAPH ?g {{ ?doc <{SK.fingerprint}> ?fp }} }}"
    rows = store.query(query, named_graphs=graphs).rows()
    return {str(row["doc"]): str(row["fp"]) for row in rows}


def _store_all(
    results: Extracted,
    writer: GraphWriter,
    fail: ErrorHandler,
) -> None:
    for _, extracted in results:
        graphs = []
        for item in extracted:
            if isinstance(item, KGError):
                fail(item)
            else:
                graphs.append(item)
        writer.write(graphs)


class GraphWriter:
    """Writes article graphs batch by batch and closes the run with consolidation."""

    def __init__(
        self,
        store: KGStore,
        iris: Iris,
        run: RunInfo,
        gazetteer: Gazetteer,
        publish_seconds: float,
        *,
        rebuild: bool = False,
    ) -> None:
        """``rebuild`` consolidates every entity and strike at the end, not only those the
        written articles touch (as after a crash, which it detects itself)."""
        self.store = store
        # A snapshot flushes and hard-links the store's files: cheap, but not free per batch.
        self.publish_seconds = publish_seconds
        self.iris = iris
        self.run = run
        self.gazetteer = gazetteer
        self.touched: set[str] = set()
        self.docs: set[str] = set()  # the articles written: their strikes may change
        self.stored = 0
        self.reopen_at = REOPEN_ARTICLES
        self.files_bounded = False  # whether the store was reopened with WRITING_TABLE_FILES
        self.full_rebuild = rebuild or _interrupted_run_exists(store)
        self.begun = False
        # Which run stored each article graph, said in the shared graph.
        self.generated = GraphStatement(
            iris.kg_graph, str(PROV.wasGeneratedBy), iris.run(run.run_id)
        )
        self.published = time.monotonic()

    def write(self, graphs: list[ArticleGraph]) -> None:
        if not graphs:
            return
        replaced = [g.graph for g in graphs]
        self.touched |= referenced_entities(self.store, replaced)
        for graph in graphs:
            self.touched |= graph.entities
            self.docs.add(self.iris.doc(graph.doc_id))
        self.begin()
        # Before a batch, not after: the run's end opens the store again, without the bound.
        if self.stored >= self.reopen_at:
            self.store.reopen(table_files=WRITING_TABLE_FILES)
            self.reopen_at = self.stored + REOPEN_ARTICLES
            self.files_bounded = True
        self.store.replace_graphs({g.graph: g.ntriples for g in graphs}, said=self.generated)
        release_free_memory()
        self.stored += len(graphs)
        if time.monotonic() - self.published > self.publish_seconds:
            self.publish()

    def begin(self) -> None:
        """Record the run (and a changed ontology) before its first change: a crash after
        this leaves a run without an end, which the next run repairs."""
        if self.begun:
            return
        run = run_triples(self.run, self.iris)
        self.store.update(
            _ontology_update(self.store, self.iris)
            + f"INSERT DATA {{ GRAPH <{self.iris.kg_graph}> {{\n{run}\n}} }}"
        )
        self.begun = True

    def publish(self) -> None:
        """Let readers in other processes (the endpoint) see what is stored so far."""
        if self.store.path is not None:
            publish_snapshot(self.store)
        self.published = time.monotonic()

    def finish(self) -> str | None:
        """Consolidate touched entities and strikes, record the run's end and, after a run
        that wrote much of the store, compact it; the run's IRI, or ``None`` if nothing
        changed."""
        if self.stored == 0 and not self.full_rebuild:
            return None
        if self.files_bounded:  # consolidation reads across the whole store
            self.store.reopen()
        entities = self.touched
        if self.full_rebuild:
            entities = referenced_entities(self.store) | _described_entities(self.store, self.iris)
        with ThreadPoolExecutor(max_workers=1) as background:
            # The articles' files are compacted on the other core (Oxigraph lets go of the
            # GIL) while this one reads what to consolidate. Reads only: a RocksDB flush that
            # overlaps a manual compaction can wait forever (1 run in 35 did).
            compaction = background.submit(self.store.compact) if self._compacts() else None
            records = consolidate(self.store, entities, self.iris, self.gazetteer)
            if compaction is not None:
                compaction.result()
        self._write_consolidated(entities, records)
        self.store.flush()
        self.publish()
        return self.iris.run(self.run.run_id) if self.stored else None

    def _compacts(self) -> bool:
        """Whether the run wrote enough of the store to compact it (``COMPACT_SHARE``)."""
        return bool(self.stored) and self.stored >= COMPACT_SHARE * article_count(self.store)

    def _write_consolidated(self, entities: set[str], records: list[EntityRecord]) -> None:
        """Write the consolidated entities, then the strikes, then the run's end."""
        kg_graph = self.iris.kg_graph
        self.store.update(
            KGStore.subjects_replacement(
                kg_graph, sorted(entities), entity_triples(records, self.iris)
            )
        )
        # Strikes are merged after: they compare places through the entities just written.
        # A crash before the run's end is recorded makes the next run rebuild both.
        update_strikes(self.store, self.iris, None if self.full_rebuild else self.docs)
        if self.begun:
            ended = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
            run_node = self.iris.run(self.run.run_id)
            self.store.update(
                KGStore.subjects_replacement(
                    kg_graph, [run_node], run_triples(self.run, self.iris, ended)
                )
            )


def _interrupted_run_exists(store: KGStore) -> bool:
    """Whether a run started after the last completed one never ended (it crashed)."""
    query = f"""ASK {{
        ?run <{PROV.startedAtTime}> ?start .
        FILTER NOT EXISTS {{ ?run <{PROV.endedAtTime}> ?end }}
        FILTER NOT EXISTS {{ ?later <{PROV.endedAtTime}> ?e2 ; <{PROV.startedAtTime}> ?s2 .
                             FILTER(?s2 > ?start) }}
    }}"""
    return store.query(query).boolean


def _described_entities(store: KGStore, iris: Iris) -> set[str]:
    query = f"""SELECT DISTINCT ?e WHERE {{ GRAPH <{iris.kg_graph}> {{ ?e ?p ?o }}
                FILTER(STRSTARTS(STR(?e), "{iris.entity_prefix}")) }}"""
    return {str(row["e"]) for row in store.query(query).rows()}


def _ontology_update(store: KGStore, iris: Iris) -> str:
    """Update text that (re)loads the ontology graph when the ontology file changed."""
    path = ontology_file()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    graph = iris.ontology_graph
    ask = f'ASK {{ GRAPH <{graph}> {{ <{graph}> <{SK.fingerprint}> "{digest}" }} }}'
    if store.query(ask).boolean:
        return ""
    ntriples = KGStore.to_ntriples(path.read_bytes(), "turtle")
    ntriples += f'<{graph}> <{SK.fingerprint}> "{digest}" .\n'
    return (
        f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}} }} ;\n"
    )


def consolidate_store(store: KGStore, settings: Settings) -> None:
    """Re-derive every canonical entity and merged strike from the stored article graphs:
    after article graphs were stored by other means (a server's own bulk loader)."""
    writer = GraphWriter(
        store,
        Iris(settings.base),
        new_run(settings),
        load_gazetteer(),
        settings.publish_seconds,
        rebuild=True,
    )
    writer.begin()
    writer.finish()


def ingest_samples_if_empty(
    store: KGStore, settings: Settings, *, progress: bool = True
) -> IngestReport | None:
    """Build the graph from the bundled sample articles when the store holds no article."""
    if store.query(f"ASK {{ GRAPH ?g {{ ?doc a <{SCHEMA.NewsArticle}> }} }}").boolean:
        return None
    return ingest([SAMPLES_DIR], store, settings, progress=progress)
