"""``kg.web.serve`` in a real process, queried over HTTP with urllib."""

from __future__ import annotations

import csv
import io
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

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
STARTUP_SECONDS = 30.0


def free_port() -> int:
    """A port nothing listens on now (the OS picks it for a socket bound to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"server did not answer within {STARTUP_SECONDS}s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a server process answering from the fixture graphs."""
    tmp = tmp_path_factory.mktemp("server")
    graphs = tmp / "graphs.json"
    graphs.write_text(json.dumps(GRAPHS), encoding="utf-8")
    log = tmp / "server.log"
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVER_SCRIPT, str(tmp / "store"), str(graphs), str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[1],
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fetch(request: urllib.request.Request) -> tuple[int, str, str]:
    """Status, Content-Type and decoded body, for error statuses too."""
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers["Content-Type"], error.read().decode()


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
