"""Where the endpoint's queries run, under a time limit and a result-size limit.

Oxigraph evaluates a query in native code that no Python thread can interrupt, so a time
limit that really stops a query needs a process to kill. ``WorkerEngine`` keeps a few worker
processes, each reading the current snapshot of the on-disk store (``kg.snapshots``); a query
that outlives the limit costs its worker, which is replaced. ``InlineEngine`` answers from a
store object in the calling thread (an in-memory store has no files a worker could open):
there a query is stopped only between two results it streams.

Both write results in the requested format as they stream, and stop a result that grows
past the size limit.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO, Protocol

from kg.errors import KGError, QueryError, QueryLimitError, StoreBusyError, StoreError
from kg.snapshots import current_snapshot, lease, published_at
from kg.store import KGStore, Term

# Seconds to wait for a fresh worker process to say it is ready.
WORKER_START_SECONDS = 60.0
# A query waits for a free worker as long as this many time limits: each worker frees at
# least once per time limit, so a burst of expensive queries delays the others by a few
# limits instead of failing them.
WAIT_LIMITS = 4


@dataclass(frozen=True)
class Limits:
    """What one query may cost.

    Attributes:
        timeout: seconds a query may run, serialisation included.
        max_result_bytes: largest serialised result.
    """

    timeout: float = 30.0
    max_result_bytes: int = 100_000_000


@dataclass(frozen=True)
class QueryJob:
    """One query to answer in one format (a name of ``kg.store`` RESULT/GRAPH_FORMATS)."""

    sparql: str
    format_name: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None


class Engine(Protocol):
    """Runs queries under limits; ``run`` raises ``QueryError`` (``QueryLimitError`` when a
    limit stopped it) or ``StoreError`` (``StoreBusyError`` when it cannot take more now)."""

    limits: Limits

    def run(self, job: QueryJob) -> bytes:
        """The query's result, serialised."""
        ...

    def close(self) -> None:
        """Release processes and files."""
        ...

    def describe(self) -> dict[str, object]:
        """Where queries are answered from, for the health check."""
        ...


def select_rows(engine: Engine, sparql: str) -> list[dict[str, Term]]:
    """A SELECT query's rows as ``{variable: Term}`` (unbound variables absent)."""
    body = json.loads(engine.run(QueryJob(sparql, "json")))
    return [
        {name: _json_term(value) for name, value in binding.items()}
        for binding in body["results"]["bindings"]
    ]


def _json_term(value: dict[str, str]) -> Term:
    kind = {"uri": "iri", "literal": "literal", "bnode": "bnode"}.get(value["type"], "literal")
    datatype = value.get("datatype")
    if kind == "literal" and datatype is None and "xml:lang" not in value:
        datatype = "http://www.w3.org/2001/XMLSchema#string"
    return Term(kind, value["value"], datatype, value.get("xml:lang"))


class _BoundedOutput:
    """A write-only buffer that stops the query writing into it at a size or a deadline."""

    def __init__(self, limits: Limits, deadline: float | None) -> None:
        self.limits = limits
        self.deadline = deadline
        self.chunks: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limits.max_result_bytes:
            raise QueryLimitError(
                f"the result is larger than the limit of {self.limits.max_result_bytes} bytes; "
                "ask for less (LIMIT, fewer variables) or page through it with OFFSET",
                limit="size",
            )
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise _timeout(self.limits)
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: chunks are kept in memory (Oxigraph calls this when done)."""

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


def answer(store: KGStore, job: QueryJob, limits: Limits, deadline: float | None) -> bytes:
    """Run ``job`` on ``store`` in this thread, bounded by ``limits`` (and ``deadline``)."""
    result = store.query(
        job.sparql,
        default_graphs=job.default_graphs,
        named_graphs=job.named_graphs,
        base_iri=job.base_iri,
    )
    if deadline is not None and time.monotonic() > deadline:
        raise _timeout(limits)
    out = _BoundedOutput(limits, deadline)
    result.serialize_to(out, job.format_name)
    return out.getvalue()


def _timeout(limits: Limits) -> QueryLimitError:
    return QueryLimitError(
        f"the query ran longer than the time limit of {limits.timeout:g} s and was stopped; "
        "narrow it (more selective patterns, LIMIT) or run it with `kg query`",
        limit="time",
    )


class InlineEngine:
    """Answers from a store object in the calling thread."""

    def __init__(self, store: KGStore, limits: Limits) -> None:
        self.store = store
        self.limits = limits

    def run(self, job: QueryJob) -> bytes:
        return answer(self.store, job, self.limits, time.monotonic() + self.limits.timeout)

    def close(self) -> None:
        """Nothing to release: the store belongs to the caller."""

    def describe(self) -> dict[str, object]:
        return {"store": str(self.store.path or "in memory"), "snapshot": None}


class WorkerEngine:
    """Answers from the current snapshot of an on-disk store, in killable worker processes.

    Args:
        store_path: the store's directory; its snapshots are read, never the store itself.
        limits: the time and size limits of every query.
        workers: worker processes, so queries that may run at once.
    """

    def __init__(self, store_path: Path, limits: Limits, workers: int) -> None:
        self.store_path = store_path
        self.limits = limits
        # Spawned, not forked: the server has threads, and a fork copies their locks.
        self._context = multiprocessing.get_context("spawn")
        # Last in, first out: the worker that answered last takes the next query, its CPU
        # caches and the store's blocks still warm (round-robin made each query on the
        # endpoint about 0.1 ms slower).
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        for _ in range(workers):
            self._idle.put(self._start())

    def run(self, job: QueryJob) -> bytes:
        snapshot = current_snapshot(self.store_path)
        if snapshot is None:
            raise StoreError(
                f"the store at {self.store_path} has no snapshot to serve yet: run `kg ingest` "
                "(it publishes one), or start the server once with no other process writing"
            )
        worker = self._take()
        try:
            reply = worker.ask((str(snapshot), job, self.limits), self.limits.timeout)
        except _WorkerLost as lost:
            self._retire(worker)
            self._idle.put(self._start())
            if lost.timed_out:
                raise _timeout(self.limits) from None
            raise StoreError("a query worker process died while answering; try again") from None
        self._idle.put(worker)
        if isinstance(reply, KGError):
            raise reply
        return reply

    def _take(self) -> _Worker:
        wait = self.limits.timeout * WAIT_LIMITS
        try:
            return self._idle.get(timeout=wait)
        except queue.Empty:
            raise StoreBusyError(
                f"all {len(self._all)} query workers stayed busy for {wait:g} s; try again later"
            ) from None

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(child,), name="kg-query-worker", daemon=True
        )
        process.start()
        child.close()
        if not parent.poll(WORKER_START_SECONDS) or parent.recv() != "ready":
            process.kill()
            raise StoreError("a query worker process failed to start")
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._all.discard(worker)

    def describe(self) -> dict[str, object]:
        snapshot = current_snapshot(self.store_path)
        published = None
        if snapshot is not None:
            published = published_at(snapshot).isoformat()
        return {
            "store": str(self.store_path),
            "snapshot": published,
            "query_workers": len(self._all),
        }

    def close(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()


class _WorkerLost(Exception):
    def __init__(self, timed_out: bool) -> None:
        super().__init__("timed out" if timed_out else "died")
        self.timed_out = timed_out


class _Worker:
    """One query worker process and the pipe to it."""

    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self.process = process
        self.connection = connection

    def ask(self, message: object, timeout: float) -> bytes | KGError:
        try:
            self.connection.send(message)
            if not self.connection.poll(timeout):
                raise _WorkerLost(timed_out=True)
            reply = self.connection.recv()
        except (EOFError, OSError):
            raise _WorkerLost(timed_out=False) from None
        if not isinstance(reply, bytes | KGError):
            raise _WorkerLost(timed_out=False)
        return reply

    def stop(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


@dataclass
class _Opened:
    """The snapshot a worker reads, opened, with its lease (``kg.snapshots.lease``)."""

    asked: str
    store: KGStore
    held: IO[bytes]

    @classmethod
    def lease(cls, snapshot: str) -> _Opened:
        path, held = lease(Path(snapshot))
        try:
            return cls(snapshot, KGStore(path, read_only=True), held)
        except BaseException:
            held.close()
            raise

    def close(self) -> None:
        self.store.close()
        self.held.close()


def _worker_main(connection: Connection) -> None:
    """A worker's loop: answer each job from the snapshot it names, reopening on change."""
    opened: _Opened | None = None
    connection.send("ready")
    while True:
        try:
            snapshot, job, limits = connection.recv()
        except (EOFError, OSError):
            return  # the server went away
        try:
            if opened is None or opened.asked != snapshot:
                if opened is not None:
                    opened.close()
                opened = _Opened.lease(snapshot)
            # The parent keeps the clock (it kills this process at the limit); a size limit
            # or a query error comes back as an error.
            connection.send(answer(opened.store, job, limits, deadline=None))
        except KGError as error:
            connection.send(error)
        except Exception as error:  # anything else must not kill the worker silently
            connection.send(QueryError(f"the query failed: {error}"))
