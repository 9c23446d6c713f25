"""``python server.py`` from an empty store: builds the sample graph, then answers over HTTP."""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from kg.queries import saved_query
from tests.servers import ROOT, free_port, running_server

pytestmark = [pytest.mark.model, pytest.mark.server]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python server.py`` on an empty store, as a user runs it."""
    tmp = tmp_path_factory.mktemp("srv")
    port = free_port()
    env = {**os.environ, "KG_STORE": str(tmp / "kg"), "KG_PORT": str(port), "KG_PROCESSES": "1"}
    command = [sys.executable, str(ROOT / "server.py")]
    with running_server(command, port, tmp / "server.log", env=env) as url:
        yield url


def sparql(url: str, query: str, accept: str = "application/sparql-results+json") -> bytes:
    request = urllib.request.Request(
        f"{url}/sparql",
        data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return bytes(response.read())


def test_every_sentence_of_a_seed_is_served_with_its_entities(server: str) -> None:
    rows = json.loads(sparql(server, saved_query("sentences-with-entities").text))["results"][
        "bindings"
    ]
    assert len(rows) > 10
    articles = {row["article"]["value"] for row in rows}
    assert len(articles) == 1
    with_entities = [row for row in rows if row.get("entities", {}).get("value")]
    assert len(with_entities) >= len(rows) * 2 // 3
    safirah = next(
        r for r in rows if r["sentence"]["value"].startswith("Israel reportedly hit army barracks")
    )
    assert "al-Safirah" in safirah["entities"]["value"]


def test_health_reports_the_sample_graph(server: str) -> None:
    with urllib.request.urlopen(f"{server}/health", timeout=10) as response:
        health = json.loads(response.read())
    assert health["status"] == "ok" and health["snapshot"] is not None
    count = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    rows = json.loads(sparql(server, count))["results"]["bindings"]
    assert int(rows[0]["n"]["value"]) > 1000


def test_construct_as_turtle_over_http(server: str) -> None:
    body = sparql(server, "CONSTRUCT WHERE { ?s a <http://schema.org/NewsArticle> }", "text/turtle")
    assert b"NewsArticle" in body
