"""The W3C SPARQL 1.1 Protocol, Service Description and Graph Store Protocol tests, against
the real server.

The manifests in ``shared/w3c/`` are read as RDF; each protocol test is a sequence of HTTP
requests with the status class, result format and boolean expected. The server runs as a
separate process on a scratch store, with an update token that every request carries (the
tests assume an endpoint open to updates; ours is read-only without the token).
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from tests.servers import ROOT, fetch, free_port, running_server

W3C = ROOT.parent / "shared" / "w3c"
pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not W3C.is_dir(), reason="../shared/w3c is not checked out"),
]
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
STATUS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
TOKEN = "w3c-protocol-tests-token"


@dataclass(frozen=True)
class HttpRequest:
    """One ``ht:Request`` of a test and the response it expects."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[str]
    result_format: str | None
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    """One ``mf:ProtocolTest``: graphs to load, then requests in order."""

    name: str
    graph_data: dict[str, Path]
    requests: tuple[HttpRequest, ...]


def required(node: rdflib.term.Node | None) -> rdflib.term.Node:
    """A node the manifest must have."""
    assert node is not None, "the manifest lacks a node a protocol test needs"
    return node


def protocol_tests() -> list[ProtocolTest]:
    """The tests of ``protocol/manifest.ttl``, in manifest order."""
    path = W3C / "protocol" / "manifest.ttl"
    graph = rdflib.Graph().parse(path, publicID=path.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = Collection(graph, required(graph.value(manifest, MF.entries)))
    return [_protocol_test(graph, entry) for entry in entries]


def _protocol_test(graph: rdflib.Graph, entry: rdflib.term.Node) -> ProtocolTest:
    data = {
        str(graph.value(node, rdflib.RDFS.label)): Path(
            str(graph.value(node, UT.graph)).removeprefix("file://")
        )
        for node in graph.objects(entry, UT.graphData)
    }
    action = graph.value(entry, MF.action)
    requests = Collection(graph, required(graph.value(action, HT.requests)))
    return ProtocolTest(
        name=str(entry).rsplit("#", 1)[-1],
        graph_data=data,
        requests=tuple(_request(graph, node) for node in requests),
    )


def _request(graph: rdflib.Graph, node: rdflib.term.Node) -> HttpRequest:
    headers: dict[str, str] = {}
    header_list = graph.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName))] = str(
                graph.value(header, HT.fieldValue)
            )
    body = None
    content = graph.value(node, HT.body)
    if content is not None:
        encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(content, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    boolean = graph.value(response, MF.expectedBoolean)
    result_format = graph.value(response, MF.expectedFormat)
    return HttpRequest(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=headers,
        body=body,
        statuses=frozenset(
            str(s).removeprefix(STATUS) for s in graph.objects(response, MF.expectedStatus)
        ),
        result_format=str(result_format) if result_format is not None else None,
        boolean=str(boolean) == "true" if boolean is not None else None,
    )


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``kg serve`` on an empty scratch store, open to updates with the token."""
    tmp = tmp_path_factory.mktemp("w3c")
    port = free_port()
    env = {**os.environ, "KG_UPDATE_TOKEN": TOKEN, "KG_QUERY_WORKERS": "2"}
    command = [sys.executable, "-m", "kg.cli", "--store", str(tmp / "kg"), "serve"]
    command += ["--port", str(port)]
    with running_server(command, port, tmp / "server.log", env=env) as url:
        yield f"{url}/sparql"


def send(endpoint: str, request: HttpRequest) -> tuple[int, str, str]:
    """Send a manifest request to the endpoint as written, with the update token.

    http.client, not urllib: urllib adds a form Content-Type to every body, and two tests
    send a body without one.
    """
    url = urllib.parse.urlsplit(endpoint)
    path = url.path + request.path.removeprefix("/sparql")
    headers = {**request.headers, "Authorization": f"Bearer {TOKEN}"}
    connection = http.client.HTTPConnection(url.netloc, timeout=30)
    try:
        connection.request(request.method, path, body=request.body, headers=headers)
        response = connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        return response.status, response.headers.get("Content-Type", ""), body
    finally:
        connection.close()


def load_graphs(endpoint: str, graphs: dict[str, Path]) -> None:
    """Replace the store's content with the test's graphs, through the update protocol."""
    inserts = " ".join(
        f"INSERT DATA {{ GRAPH <{name}> {{ {path.read_text()} }} }} ;"
        for name, path in graphs.items()
    )
    update = HttpRequest(
        "POST",
        "/sparql/",
        {"Content-Type": "application/sparql-update"},
        f"DROP ALL ; {inserts}".rstrip(" ;").encode(),
        frozenset({"2xx"}),
        None,
        None,
    )
    status, _, body = send(endpoint, update)
    assert status == 204, body


def result_boolean(content_type: str, body: str) -> bool:
    """The boolean of an ASK answer in SPARQL JSON or XML."""
    if "json" in content_type:
        return bool(json.loads(body)["boolean"])
    root = ET.fromstring(body)
    element = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert element is not None, body
    return element.text == "true"


RESULT_TYPES = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ),
    "RDF": (
        "text/turtle",
        "application/n-triples",
        "application/rdf+xml",
        "application/ld+json",
        "application/n-quads",
        "application/trig",
    ),
}


@pytest.mark.parametrize("test", protocol_tests() if W3C.is_dir() else [], ids=lambda t: t.name)
def test_protocol(endpoint: str, test: ProtocolTest) -> None:
    if test.graph_data:
        load_graphs(endpoint, test.graph_data)
    for request in test.requests:
        status, content_type, body = send(endpoint, request)
        assert f"{status // 100}xx" in request.statuses, (status, body)
        if request.result_format is not None:
            media_type = content_type.split(";")[0].strip()
            assert media_type in RESULT_TYPES[request.result_format], content_type
        if request.boolean is not None:
            assert result_boolean(content_type, body) is request.boolean


def test_there_are_34_protocol_tests() -> None:
    assert len(protocol_tests()) == 34


# -- service description ------------------------------------------------------------------


def service_description(endpoint: str, accept: str) -> rdflib.Graph:
    request = urllib.request.Request(endpoint, headers={"Accept": accept})
    status, content_type, body = fetch(request)
    assert status == 200, body
    media_type = content_type.split(";")[0]
    return rdflib.Graph().parse(data=body, format=media_type, publicID=endpoint)


@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/rdf+xml", "application/ld+json", "*/*"]
)
def test_returns_rdf(endpoint: str, accept: str) -> None:
    assert len(service_description(endpoint, accept)) > 5


def test_has_endpoint_triple(endpoint: str) -> None:
    graph = service_description(endpoint, "text/turtle")
    assert (None, SD.endpoint, rdflib.URIRef(endpoint)) in graph


def test_conforms_to_schema(endpoint: str) -> None:
    """Each service is an sd:Service with an endpoint and languages, and every sd: term
    used is one the vocabulary defines, on the right kind of node."""
    graph = service_description(endpoint, "text/turtle")
    services = set(graph.subjects(RDF.type, SD.Service))
    assert services
    for service in services:
        assert graph.value(service, SD.endpoint) is not None
        languages = set(graph.objects(service, SD.supportedLanguage))
        assert languages and languages <= {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
        assert set(graph.objects(service, SD.feature)) <= {
            SD.DereferencesURIs,
            SD.UnionDefaultGraph,
            SD.RequiresDataset,
            SD.EmptyGraphs,
            SD.BasicFederatedQuery,
        }
        for fmt in graph.objects(service, SD.resultFormat):
            assert str(fmt).startswith("http://www.w3.org/ns/formats/")
        dataset = graph.value(service, SD.defaultDataset)
        assert (dataset, RDF.type, SD.Dataset) in graph
        default_graph = graph.value(dataset, SD.defaultGraph)
        assert (default_graph, RDF.type, SD.Graph) in graph
    # The token-holding server speaks SPARQL Update.
    assert (None, SD.supportedLanguage, SD.SPARQL11Update) in graph


# -- graph store protocol ----------------------------------------------------------------

GSP_STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}


@dataclass(frozen=True)
class GraphStoreRequest:
    """One request of a Graph Store test and what its response must be."""

    request: HttpRequest
    statuses: frozenset[int]
    content_type: str | None
    turtle: str | None  # the graph the response body must be isomorphic to
    location: str | None  # the template variable the Location header fills


def graph_store_tests() -> list[tuple[str, tuple[GraphStoreRequest, ...]]]:
    """The tests of the direct and indirect identification manifests, in order."""
    tests = []
    for name in ("manifest-indirect.ttl", "manifest-direct.ttl"):
        path = W3C / "graph-store-protocol" / name
        graph = rdflib.Graph().parse(path, publicID=path.as_uri())
        manifest = next(graph.subjects(RDF.type, MF.Manifest))
        for entry in Collection(graph, required(graph.value(manifest, MF.entries))):
            action = graph.value(entry, MF.action)
            requests = Collection(graph, required(graph.value(action, HT.requests)))
            steps = tuple(_graph_store_request(graph, node) for node in requests)
            tests.append((str(entry).rsplit("#", 1)[-1], steps))
    return tests


def _graph_store_request(graph: rdflib.Graph, node: rdflib.term.Node) -> GraphStoreRequest:
    response = required(graph.value(node, HT.resp))
    expected: dict[str, str] = {}
    header_list = graph.value(response, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            expected[str(graph.value(header, HT.fieldName)).lower()] = str(
                graph.value(header, HT.fieldValue)
            )
    body = graph.value(response, HT.body)
    location = graph.value(response, MF.expectedLocation)
    return GraphStoreRequest(
        request=_request(graph, node),
        statuses=frozenset(
            GSP_STATUS[str(s).rsplit("#", 1)[-1]]
            for s in graph.objects(response, MF.expectedStatus)
        ),
        content_type=expected.get("content-type"),
        turtle=str(graph.value(body, CNT.chars)) if body is not None else None,
        location=str(location) if location is not None else None,
    )


@pytest.mark.parametrize(
    ("name", "steps"), graph_store_tests() if W3C.is_dir() else [], ids=lambda t: str(t)[:60]
)
def test_graph_store(endpoint: str, name: str, steps: tuple[GraphStoreRequest, ...]) -> None:
    load_graphs(endpoint, {})  # each test starts from an empty graph store
    server = endpoint.removesuffix("/sparql")
    variables: dict[str, str] = {}
    for step in steps:
        path = step.request.path.replace("/gsp", "/graph-store", 1)
        for variable, value in variables.items():
            path = path.replace(variable, urllib.parse.quote(value, safe=""))
        status, content_type, body, location = send_to(server, step.request, path)
        assert status in step.statuses, (name, step.request.method, path, status, body)
        if step.location is not None:
            assert location, "a created graph has no Location"
            variables[step.location] = location
        if step.content_type is not None:
            assert content_type.split(";")[0] == step.content_type.split(";")[0], content_type
        if step.turtle is not None:
            expected = rdflib.Graph().parse(data=step.turtle, format="turtle")
            actual = rdflib.Graph().parse(data=body, format=content_type.split(";")[0])
            assert isomorphic(actual, expected), body


def send_to(server: str, request: HttpRequest, path: str) -> tuple[int, str, str, str | None]:
    """Send a manifest request to ``path`` on the server, with the update token."""
    headers = {**request.headers, "Authorization": f"Bearer {TOKEN}"}
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(server).netloc, timeout=30)
    try:
        connection.request(request.method, path, body=request.body, headers=headers)
        response = connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        content_type = response.headers.get("Content-Type", "")
        return response.status, content_type, body, response.getheader("Location")
    finally:
        connection.close()


def test_there_are_13_graph_store_tests() -> None:
    assert len(graph_store_tests()) == 13
