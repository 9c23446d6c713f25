"""``kg.web.serve`` in a real process, queried over HTTP with urllib."""

from __future__ import annotations

import csv
import io
import json
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from tests.servers import fetch, free_port, running_server

pytestmark = pytest.mark.server

GRAPH_A = "http://example.org/graph/doc/a"
GRAPH_B = "http://example.org/graph/doc/b"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
GRAPHS = {
    GRAPH_A: f'<http://example.org/id/strike/1> {LABEL} "Strike on T4 airbase" .',
    GRAPH_B: f'<http://example.org/id/strike/2> {LABEL} "Strike on al-Saf\u012brah, Hama" .',
}
LABELS = {"Strike on T4 airbase", "Strike on al-Safīrah, Hama"}
QUERY = f"SELECT ?s ?label WHERE {{ ?s {LABEL} ?label }} ORDER BY ?s"

# Runs in the child process: build an on-disk store from the JSON graphs, then serve it.
SERVER_SCRIPT = """
import json, sys
from pathlib import Path
from kg.config import Settings
from kg.store import KGStore
from kg.web import serve

store_path, graphs_path, port = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
store = KGStore(store_path)
store.replace_graphs(json.loads(graphs_path.read_text(encoding="utf-8")))
serve(store, Settings(store_path=store_path, port=port, threads=2))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a server process answering from the fixture graphs."""
    tmp = tmp_path_factory.mktemp("server")
    graphs = tmp / "graphs.json"
    graphs.write_text(json.dumps(GRAPHS), encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-c", SERVER_SCRIPT, str(tmp / "store"), str(graphs), str(port)]
    with running_server(command, port, tmp / "server.log", startup=30) as url:
        yield url


def json_labels(body: str) -> set[str]:
    return {row["label"]["value"] for row in json.loads(body)["results"]["bindings"]}


def test_get_json(server: str) -> None:
    query = urllib.parse.urlencode({"query": QUERY})
    request = urllib.request.Request(
        f"{server}/sparql?{query}", headers={"Accept": "application/sparql-results+json"}
    )
    status, content_type, body = fetch(request)
    assert (status, content_type) == (200, "application/sparql-results+json; charset=utf-8")
    assert json_labels(body) == LABELS


def test_get_csv_with_default_graph(server: str) -> None:
    query = urllib.parse.urlencode({"query": QUERY, "default-graph-uri": GRAPH_B})
    request = urllib.request.Request(f"{server}/sparql?{query}", headers={"Accept": "text/csv"})
    status, content_type, body = fetch(request)
    assert (status, content_type) == (200, "text/csv; charset=utf-8")
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    assert rows == [{"s": "http://example.org/id/strike/2", "label": "Strike on al-Safīrah, Hama"}]


def test_form_post_csv(server: str) -> None:
    data = urllib.parse.urlencode({"query": QUERY}).encode()
    request = urllib.request.Request(
        f"{server}/sparql",
        data=data,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"},
    )
    status, content_type, body = fetch(request)
    assert (status, content_type) == (200, "text/csv; charset=utf-8")
    assert {row["label"] for row in csv.DictReader(io.StringIO(body, newline=""))} == LABELS


def test_direct_post_json(server: str) -> None:
    request = urllib.request.Request(
        f"{server}/sparql",
        data=QUERY.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    status, _, body = fetch(request)
    assert status == 200
    assert json_labels(body) == LABELS


def test_errors_are_json_over_http(server: str) -> None:
    query = urllib.parse.urlencode({"query": "SELECT * WHERE {"})
    status, content_type, body = fetch(urllib.request.Request(f"{server}/sparql?{query}"))
    assert (status, content_type) == (400, "application/json")
    error = json.loads(body)
    assert (error["ok"], error["status"], error["line"]) == (False, 400, 1)


def test_update_is_refused_over_http(server: str) -> None:
    request = urllib.request.Request(
        f"{server}/sparql",
        data=b"CLEAR ALL",
        headers={"Content-Type": "application/sparql-update"},
    )
    status, _, body = fetch(request)
    assert status == 403
    assert "read-only" in json.loads(body)["error"]


def test_health_over_http(server: str) -> None:
    status, _, body = fetch(urllib.request.Request(f"{server}/health"))
    assert status == 200
    health = json.loads(body)
    assert (health["status"], health["quads"], health["named_graphs"]) == ("ok", 2, 2)
