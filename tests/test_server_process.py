"""``kg.web.serve`` in a real process, queried over HTTP with urllib."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import fetch, free_port, running_server, server_pid

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

# Runs in the child process: build an on-disk store from the JSON graphs, publish it for
# the query workers, then serve it with a short time limit, a small result limit and a token.
SERVER_SCRIPT = """
import json, sys
from pathlib import Path
from kg.config import Settings
from kg.snapshots import publish_snapshot
from kg.store import KGStore
from kg.web import serve

store_path, graphs_path, port = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
with KGStore(store_path) as store:
    store.replace_graphs(json.loads(graphs_path.read_text(encoding="utf-8")))
    publish_snapshot(store)
serve(Settings(
    store_path=store_path, port=port, threads=4, query_workers=2, query_timeout=1.0,
    max_result_bytes=100_000, update_token=sys.argv[4],
))
"""
TOKEN = "server-process-test-token"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a server process answering from the fixture graphs."""
    tmp = tmp_path_factory.mktemp("server")
    graphs = tmp / "graphs.json"
    graphs.write_text(json.dumps(GRAPHS), encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-c", SERVER_SCRIPT, str(tmp / "store"), str(graphs), str(port)]
    command.append(TOKEN)
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


def update(server: str, text: str, token: str | None) -> tuple[int, str]:
    headers = {"Content-Type": "application/sparql-update"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{server}/sparql", data=text.encode(), headers=headers)
    status, _, body = fetch(request)
    return status, body


def labels(server: str) -> set[str]:
    query = urllib.parse.urlencode({"query": QUERY})
    return json_labels(fetch(urllib.request.Request(f"{server}/sparql?{query}"))[2])


@pytest.mark.parametrize(("token", "words"), [(None, "no token"), ("wrong-token", "wrong")])
def test_update_without_the_token_is_refused_and_changes_nothing(
    server: str, token: str | None, words: str
) -> None:
    status, body = update(server, "CLEAR ALL", token)
    assert status == 401
    assert words in json.loads(body)["error"]
    assert labels(server) == LABELS


@pytest.mark.parametrize("token", [None, "wrong-token"])
@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_graph_store_writes_without_the_token_are_refused_and_change_nothing(
    server: str, token: str | None, method: str
) -> None:
    headers = {"Content-Type": "text/turtle"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    body = f'<http://example.org/id/x> {LABEL} "Intruder" .'.encode()
    request = urllib.request.Request(
        f"{server}/graph-store?default", data=body, headers=headers, method=method
    )
    status, _, answer = fetch(request)
    assert status == 401, answer
    assert labels(server) == LABELS


def test_update_with_the_token_is_seen_by_the_next_query(server: str) -> None:
    graph = "http://example.org/graph/extra"
    text = f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/id/x> {LABEL} "Extra" }} }}'
    assert update(server, text, TOKEN) == (204, "")
    assert labels(server) == {*LABELS, "Extra"}
    assert update(server, f"DROP GRAPH <{graph}>", TOKEN) == (204, "")
    assert labels(server) == LABELS


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("LOAD <file:///etc/passwd>", "LOAD is disabled"),
        ("LOAD <http://127.0.0.1:1/data.ttl>", "LOAD is disabled"),
        (
            "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
            "SERVICE",
        ),
    ],
)
def test_load_and_service_are_refused_in_updates(server: str, text: str, words: str) -> None:
    status, body = update(server, text, TOKEN)
    assert status == 403
    assert words in json.loads(body)["error"]


def test_service_is_refused_in_queries(server: str) -> None:
    query = "SELECT * { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    request = urllib.request.Request(f"{server}/sparql?{urllib.parse.urlencode({'query': query})}")
    status, _, body = fetch(request)
    assert status == 403 and "SERVICE" in json.loads(body)["error"]


# Far more work than a second allows: 10^3 rows of VALUES cubed, counted.
SLOW_QUERY = (
    "SELECT (COUNT(*) AS ?n) { VALUES ?a { "
    + " ".join(str(i) for i in range(1000))
    + " } VALUES ?b { "
    + " ".join(str(i) for i in range(1000))
    + " } VALUES ?c { "
    + " ".join(str(i) for i in range(1000))
    + " } }"
)


def children_cpu_seconds(pid: int) -> float:
    """CPU time used so far by the child processes of ``pid`` (the query workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def test_time_limit_stops_the_query_and_others_go_on(server: str) -> None:
    query = urllib.parse.urlencode({"query": SLOW_QUERY})
    started = time.monotonic()
    status, _, body = fetch(urllib.request.Request(f"{server}/sparql?{query}"))
    assert status == 503 and "time limit of 1 s" in json.loads(body)["error"]
    assert time.monotonic() - started < 10
    assert labels(server) == LABELS
    # Stopped, not abandoned: no worker process keeps computing it.
    pid = server_pid(server)
    before = children_cpu_seconds(pid)
    time.sleep(1.0)
    assert children_cpu_seconds(pid) - before < 0.3
    metrics = fetch(urllib.request.Request(f"{server}/metrics"))[2]
    assert 'kg_queries_stopped_total{limit="time"} 1' in metrics


def test_result_size_limit(server: str) -> None:
    values = " ".join(f'"{"x" * 100}{i}"' for i in range(2000))
    query = urllib.parse.urlencode({"query": f"SELECT ?v {{ VALUES ?v {{ {values} }} }}"})
    status, _, body = fetch(urllib.request.Request(f"{server}/sparql?{query}"))
    assert status == 422 and "100000 bytes" in json.loads(body)["error"]


def test_health_over_http(server: str) -> None:
    status, _, body = fetch(urllib.request.Request(f"{server}/health"))
    assert status == 200
    health = json.loads(body)
    assert health["status"] == "ok" and health["query_workers"] == 2
    assert health["snapshot"] is not None


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on ``port`` (from /proc/net)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc/net/tcp")
def test_the_server_listens_on_loopback_only_by_default(server: str) -> None:
    port = int(urllib.parse.urlsplit(server).port or 0)
    assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, little-endian hex
