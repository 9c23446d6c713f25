"""The endpoint's query workers (``kg.engine.WorkerEngine``) on a real on-disk store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.engine import Limits, QueryJob, WorkerEngine
from kg.snapshots import publish_snapshot
from kg.store import KGStore


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[WorkerEngine]:
    with KGStore(tmp_path / "store") as store:
        store.update('INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> "o" } }')
        publish_snapshot(store)
    workers = WorkerEngine(tmp_path / "store", Limits(timeout=30.0), workers=3)
    yield workers
    workers.close()


def test_a_query_is_answered_from_the_snapshot(engine: WorkerEngine) -> None:
    body = json.loads(engine.run(QueryJob("SELECT ?o WHERE { ?s ?p ?o }", "json")))
    assert [row["o"]["value"] for row in body["results"]["bindings"]] == ["o"]


def test_the_worker_that_answered_last_takes_the_next_query(engine: WorkerEngine) -> None:
    # A worker handed back goes first again; with three workers taken in turn, the one
    # after the query would be another.
    first = engine._take()
    engine._idle.put(first)
    engine.run(QueryJob("ASK {}", "json"))
    assert engine._take() is first
