"""The endpoint under abuse: random methods, paths, parameters, headers and bodies never get
a 5xx; pathological queries are stopped by the time limit while other clients are served;
oversized bodies and malformed HTTP are refused."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.config import Settings
from kg.store import KGStore
from kg.web import create_app
from tests.servers import fetch, free_port, running_server
from tests.test_server_process import SERVER_SCRIPT

TOKEN = "endpoint-fuzz-test-token"
EX = "http://example.org/"
CHAIN = 3_000  # nodes in a chain: every pair joined by a path is millions of answers

# -- in-process: any request at all -------------------------------------------------------

PATHS = ["/sparql", "/graph-store", "/graph-store/x", "/", "/health", "/metrics", "/id/x"]
PARAMS = ["query", "update", "format", "default-graph-uri", "named-graph-uri", "graph"]
PARAMS += ["default", "using-graph-uri", "q", "iri"]
HEADERS = ["Accept", "Content-Type", "Authorization", "Origin", "Content-Encoding", "Range"]
SPARQL_BITS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "INSERT DATA", "DELETE WHERE", "WHERE", "{", "}",
    "?s", "?p", "?o", "<http://example.org/a>", '"x"@en', "GRAPH", "OPTIONAL", "FILTER(",
    ")", "SERVICE", "LOAD", "VALUES", "*", ".", ";", "|", "/", "^", "+", "PREFIX ex: <x:>",
]  # fmt: skip
texts = st.text(max_size=200) | st.lists(st.sampled_from(SPARQL_BITS), max_size=30).map(" ".join)


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    store = KGStore()
    store.write_graph(f"{EX}g", f'<{EX}a> <{EX}p> "x" .', replace=True)
    return create_app(Settings(update_token=TOKEN, query_timeout=2.0), store).test_client()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
    path=st.sampled_from(PATHS)
    | st.text(min_size=1, max_size=40).map(lambda t: "/" + urllib.parse.quote(t)),
    params=st.dictionaries(st.sampled_from(PARAMS) | st.text(max_size=10), texts, max_size=4),
    headers=st.dictionaries(st.sampled_from(HEADERS), st.text(max_size=60), max_size=4),
    body=st.none() | st.binary(max_size=500) | texts.map(str.encode),
)
def test_no_request_gets_a_server_error(
    client: FlaskClient,
    method: str,
    path: str,
    params: dict[str, str],
    headers: dict[str, str],
    body: bytes | None,
) -> None:
    safe_headers = {k: v for k, v in headers.items() if v.isprintable() and v.isascii()}
    response = client.open(
        path, method=method, query_string=params, headers=safe_headers, data=body
    )
    assert response.status_code < 500, (method, path, params, response.data[:300])


# -- a real server: expensive queries ------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server process with a 1 s time limit over a long chain of nodes."""
    tmp = tmp_path_factory.mktemp("abuse")
    chain = "\n".join(f"<{EX}n{i}> <{EX}next> <{EX}n{i + 1}> ." for i in range(CHAIN))
    graphs = tmp / "graphs.json"
    graphs.write_text(json.dumps({f"{EX}chain": chain}), encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-c", SERVER_SCRIPT, str(tmp / "store"), str(graphs), str(port)]
    command.append(TOKEN)
    with running_server(command, port, tmp / "server.log", startup=30) as url:
        yield url


PATHOLOGICAL = [
    # every pair of nodes linked by a path of any length: about 4.5 million answers
    f"SELECT (COUNT(*) AS ?n) {{ ?a <{EX}next>* ?b }}",
    f"SELECT (COUNT(*) AS ?n) {{ ?a (<{EX}next>|^<{EX}next>)* ?b }}",
    f"SELECT (COUNT(*) AS ?n) {{ ?a (!<{EX}x>)*/(!<{EX}y>)* ?b }}",
    # a cartesian product of the whole graph with itself, three times
    "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    'SELECT ?a { ?a ?b ?c . ?d ?e ?f FILTER(REGEX(CONCAT(STR(?a), STR(?d)), "(x+x+)+y")) }',
    f"SELECT (COUNT(*) AS ?n) {{ {{ SELECT ?a {{ ?a <{EX}next>+ ?z }} }} ?a ?p ?o }}",
]


def ask(server: str, query: str) -> tuple[int, float]:
    started = time.monotonic()
    encoded = urllib.parse.urlencode({"query": query})
    status, _, _ = fetch(urllib.request.Request(f"{server}/sparql?{encoded}"))
    return status, time.monotonic() - started


def test_pathological_queries_are_stopped_while_others_are_served(server: str) -> None:
    results: dict[str, tuple[int, float]] = {}

    def run(query: str) -> None:
        results[query] = ask(server, query)

    threads = [threading.Thread(target=run, args=(query,)) for query in PATHOLOGICAL]
    for thread in threads:
        thread.start()
    quick = [ask(server, f"ASK {{ <{EX}n1> <{EX}next> <{EX}n2> }}") for _ in range(10)]
    for thread in threads:
        thread.join(timeout=60)
    assert all(status == 200 for status, _ in quick), quick
    # Served between the expensive ones (1 s limit, 2 workers): delayed, not starved.
    assert max(seconds for _, seconds in quick) < 8
    for query, (status, seconds) in results.items():
        assert status in (200, 503), query
        assert seconds < 15, query
    assert sum(status == 503 for status, _ in results.values()) >= 3


def test_an_oversized_body_is_refused(server: str) -> None:
    body = b"query=" + b"x" * 2_000_000
    request = urllib.request.Request(
        f"{server}/sparql",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    status, _, _ = fetch(request)
    assert status == 413


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /sparql?query=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /sparql HTTP/1.1\r\n" + b"X: y\r\n" * 5_000 + b"\r\n",
    ],
)
def test_malformed_http_gets_no_server_error(server: str, raw: bytes) -> None:
    host, port = urllib.parse.urlsplit(server).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(raw)
        connection.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    status_line = reply.split(b"\r\n", 1)[0]
    assert not status_line or int(status_line.split()[1]) < 500, status_line
