"""Many readers at once while ``kg ingest`` writes the store, on the production server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kg.queries import saved_queries
from kg.resources import SAMPLES_DIR
from kg.snapshots import publish_snapshot
from kg.store import KGStore
from kg.vocab import NIF, SCHEMA, SK
from tests.conftest import SHARED
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


def start_ingest(store_path: Path, source: Path, **env: str) -> subprocess.Popen[bytes]:
    """``kg ingest`` of ``source`` into the served store, in one process."""
    return subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "--store", str(store_path), "ingest", str(source)],
        cwd=ROOT,
        env={**os.environ, "KG_PROCESSES": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def during(ingest: subprocess.Popen[bytes], client: Callable[[int], None], clients: int) -> None:
    """Run ``clients`` threads of ``client`` (given its number) until the ingest has ended
    and they have; the ingest must succeed."""
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    output = ingest.communicate(timeout=600)[0].decode()
    for thread in threads:
        thread.join(timeout=120)
    assert ingest.returncode == 0, output


def test_readers_during_an_ingest(served_store: tuple[str, Path], tmp_path: Path) -> None:
    url, store_path = served_store
    ingest = start_ingest(store_path, SAMPLES_DIR)
    seen: list[list[int]] = [[] for _ in range(READERS)]
    errors: list[BaseException] = []

    def read(number: int) -> None:
        try:
            while ingest.poll() is None:
                seen[number].append(article_count(url))
            seen[number].append(article_count(url))
        except BaseException as error:  # reported below, with the others
            errors.append(error)

    during(ingest, read, READERS)
    assert not errors, errors
    for counts in seen:
        assert counts, "a reader got no answer"
        # Each reader sees whole snapshots in order: never an article count that goes back,
        # and, once the ingest has published, both sample articles.
        assert counts == sorted(counts)
        assert set(counts) <= {0, 2} and counts[-1] == 2
    assert sum(len(c) for c in seen) > READERS


CLIENTS = 16
DEV_ARTICLES = 40
# True only of a half-written article: one with its fingerprint but without its sentences.
HALF_ARTICLE = f"""ASK {{ ?a a <{SCHEMA.NewsArticle}> ; <{SK.fingerprint}> ?f
    FILTER NOT EXISTS {{ ?s <{NIF.referenceContext}> ?a ; a <{NIF.Sentence}> }} }}"""


def timed_query(url: str, query: str) -> tuple[int, float, str]:
    encoded = urllib.parse.urlencode({"query": query})
    started = time.monotonic()
    status, _, body = fetch(urllib.request.Request(f"{url}/sparql?{encoded}"))
    return status, time.monotonic() - started, body


def test_sixteen_clients_mix_saved_queries_while_an_ingest_writes(
    served_store: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, store_path = served_store
    lines = (SHARED / "corpus" / "fakes-dev.jsonl").read_text(encoding="utf-8").splitlines()
    corpus = tmp_path / "dev.jsonl"
    corpus.write_text("\n".join(lines[:DEV_ARTICLES]) + "\n", encoding="utf-8")
    ingest = start_ingest(store_path, corpus, KG_BATCH_SIZE="4", KG_PUBLISH_SECONDS="1")
    queries = [q.text for q in saved_queries()] + [ARTICLES, HALF_ARTICLE]
    latencies: list[float] = []
    failures: list[str] = []
    counts: list[list[int]] = [[] for _ in range(CLIENTS)]

    def client(number: int) -> None:
        turn, end = number, None
        while end is None or turn < end:
            if end is None and ingest.poll() is not None:
                end = turn + len(queries)  # every query once more, on the last snapshot
            query = queries[turn % len(queries)]
            turn += 1
            status, seconds, body = timed_query(url, query)
            latencies.append(seconds)
            if status != 200:
                failures.append(f"{status}: {body[:200]}")
            elif query == ARTICLES:
                counts[number].append(int(json.loads(body)["results"]["bindings"][0]["n"]["value"]))
            elif query == HALF_ARTICLE and json.loads(body)["boolean"]:
                failures.append("a reader saw an article without its sentences")

    during(ingest, client, CLIENTS)
    assert not failures, failures[:5]
    for seen in counts:  # whole snapshots, in order: a count never goes back
        assert seen == sorted(seen) and seen[-1] == 2 + DEV_ARTICLES
    assert len({c for seen in counts for c in seen}) > 2, "no snapshot was seen mid-ingest"
    ordered = sorted(latencies)
    p50, p99 = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.99)]
    with capsys.disabled():
        print(
            f"\n{CLIENTS} clients during an ingest of {DEV_ARTICLES} articles: "
            f"{len(latencies)} requests, {len(failures)} errors, "
            f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
        )
