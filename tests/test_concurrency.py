"""Many readers at once while ``kg ingest`` writes the store, on the production server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.resources import SAMPLES_DIR
from kg.snapshots import publish_snapshot
from kg.store import KGStore
from tests.servers import ROOT, fetch, free_port, running_server

pytestmark = [pytest.mark.model, pytest.mark.server]

READERS = 8
ARTICLES = "SELECT (COUNT(DISTINCT ?a) AS ?n) { ?a a <http://schema.org/NewsArticle> }"


@pytest.fixture(scope="module")
def served_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``kg serve`` (waitress, worker processes) on a store that starts empty."""
    tmp = tmp_path_factory.mktemp("concurrency")
    store_path = tmp / "kg"
    with KGStore(store_path) as store:
        publish_snapshot(store)
    port = free_port()
    command = [sys.executable, "-m", "kg.cli", "--store", str(store_path), "serve"]
    command += ["--port", str(port), "--threads", "16"]
    with running_server(command, port, tmp / "server.log") as url:
        yield url, store_path


def article_count(url: str) -> int:
    query = urllib.parse.urlencode({"query": ARTICLES})
    status, _, body = fetch(urllib.request.Request(f"{url}/sparql?{query}"))
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_readers_during_an_ingest(served_store: tuple[str, Path], tmp_path: Path) -> None:
    url, store_path = served_store
    ingest = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "--store", str(store_path), "ingest", str(SAMPLES_DIR)],
        cwd=ROOT,
        env={**os.environ, "KG_PROCESSES": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    seen: list[list[int]] = [[] for _ in range(READERS)]
    errors: list[BaseException] = []

    def read(counts: list[int]) -> None:
        try:
            while ingest.poll() is None:
                counts.append(article_count(url))
            counts.append(article_count(url))
        except BaseException as error:  # reported below, with the others
            errors.append(error)

    readers = [threading.Thread(target=read, args=(counts,)) for counts in seen]
    for reader in readers:
        reader.start()
    output = ingest.communicate(timeout=300)[0].decode()
    for reader in readers:
        reader.join(timeout=60)
    assert ingest.returncode == 0, output
    assert not errors, errors
    for counts in seen:
        assert counts, "a reader got no answer"
        # Each reader sees whole snapshots in order: never an article count that goes back,
        # and, once the ingest has published, both sample articles.
        assert counts == sorted(counts)
        assert set(counts) <= {0, 2} and counts[-1] == 2
    assert sum(len(c) for c in seen) > READERS
