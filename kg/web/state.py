"""What the web layer shares across requests: settings, the query engine, and writes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

from kg.config import Settings
from kg.engine import Engine, InlineEngine, Limits, WorkerEngine
from kg.errors import StoreBusyError, StoreError
from kg.remote import SparqlStore
from kg.snapshots import publish_snapshot
from kg.store import KGStore

EXTENSION = "strike_kg"


@dataclass
class AppState:
    """The engine an app answers from, the settings it was built with, and the store object
    it writes to (``None`` when it serves the store at ``settings.store_path``)."""

    settings: Settings
    engine: Engine
    store: KGStore | None = None
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    def write(self, change: Callable[[KGStore], None]) -> None:
        """Apply ``change`` to the store, one writer at a time, and let readers see it.

        Served from disk, the store is opened for writing only for the change, so a
        ``kg ingest`` may run between changes; while one runs, this raises
        ``StoreBusyError``.
        """
        with self.write_lock:
            if self.store is not None:
                change(self.store)
                return
            try:
                store = KGStore(self.settings.store_path)
            except StoreError as error:
                raise StoreBusyError(
                    f"the store is being written by another process (an ingest?): {error}"
                ) from None
            with store:
                change(store)
                store.flush()
                publish_snapshot(store)


def limits(settings: Settings) -> Limits:
    """The query limits the settings ask for."""
    return Limits(timeout=settings.query_timeout, max_result_bytes=settings.max_result_bytes)


def attach(app: Flask, settings: Settings, store: KGStore | None) -> AppState:
    """Build the app's state: a store object, or the SPARQL server at ``settings.store_url``,
    is answered from in-process; otherwise the store at ``settings.store_path`` is answered
    from its snapshots by worker processes."""
    engine: Engine
    if store is None and settings.store_url:
        store = SparqlStore(settings.store_url)  # the server answers, and keeps its writes
    if store is not None:
        engine = InlineEngine(store, limits(settings))
    else:
        engine = WorkerEngine(settings.store_path, limits(settings), settings.query_workers)
    state = AppState(settings, engine, store)
    app.extensions[EXTENSION] = state
    return state


def current_state() -> AppState:
    """The state of the app handling the current request."""
    state = current_app.extensions[EXTENSION]
    if not isinstance(state, AppState):
        raise TypeError(f"app.extensions[{EXTENSION!r}] is not an AppState: {state!r}")
    return state
