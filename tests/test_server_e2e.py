"""``python server.py`` from an empty store: builds the sample graph, then answers over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.queries import saved_query

pytestmark = [pytest.mark.model, pytest.mark.server]

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "KG_STORE": str(tmp_path_factory.mktemp("srv") / "kg"),
        "KG_PORT": str(port),
        "KG_PROCESSES": "1",
    }
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "server.py")],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"server.py exited: {process.stdout.read().decode()}")  # type: ignore[union-attr]
            try:
                urllib.request.urlopen(f"{url}/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("server.py did not answer within 120 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def sparql(url: str, query: str, accept: str = "application/sparql-results+json") -> bytes:
    request = urllib.request.Request(
        f"{url}/sparql",
        data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return bytes(response.read())


def test_every_seed_sentence_is_served_with_its_entities(server: str) -> None:
    rows = json.loads(sparql(server, saved_query("sentences-with-entities").text))["results"][
        "bindings"
    ]
    assert len(rows) == 35
    articles = {row["article"]["value"] for row in rows}
    assert len(articles) == 2
    with_entities = [row for row in rows if row.get("entities", {}).get("value")]
    assert len(with_entities) >= 25
    safirah = next(
        r for r in rows if r["sentence"]["value"].startswith("Israel reportedly hit army barracks")
    )
    assert "al-Safirah" in safirah["entities"]["value"]


def test_health_reports_the_sample_graph(server: str) -> None:
    with urllib.request.urlopen(f"{server}/health", timeout=10) as response:
        health = json.loads(response.read())
    assert health["status"] == "ok" and health["quads"] > 1000


def test_construct_as_turtle_over_http(server: str) -> None:
    body = sparql(server, "CONSTRUCT WHERE { ?s a <http://schema.org/NewsArticle> }", "text/turtle")
    assert b"NewsArticle" in body
