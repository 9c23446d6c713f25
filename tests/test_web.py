"""The SPARQL 1.1 Protocol endpoint, through Flask's test client over a real store."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.test import TestResponse

import kg
from kg.config import Settings
from kg.store import KGStore
from kg.web import create_app

EX = "http://example.org/id/"
GRAPH_A = "http://example.org/graph/doc/a"
GRAPH_B = "http://example.org/graph/doc/b"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
STRIKE = "<https://w3id.org/strike-kg/ontology#Strike>"
KILLED = "<https://w3id.org/strike-kg/ontology#killed>"
INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"

# Two articles, one strike each; B's label has a comma, quotes and non-ASCII letters, so
# CSV quoting and UTF-8 are exercised.
LABEL_A = "Strike on T4 airbase"
LABEL_B = 'Strike on al-Safīrah, "the complex"'
GRAPHS = {
    GRAPH_A: f"""
<{EX}strike/1> {RDF_TYPE} {STRIKE} .
<{EX}strike/1> {RDFS_LABEL} "{LABEL_A}"@en .
<{EX}strike/1> {KILLED} "3"^^{INTEGER} .
""",
    GRAPH_B: f"""
<{EX}strike/2> {RDF_TYPE} {STRIKE} .
<{EX}strike/2> {RDFS_LABEL} "Strike on al-Saf\u012brah, \\"the complex\\""@en .
""",
}
QUAD_COUNT = 5

LABELS = "SELECT ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
LABELS_BY_GRAPH = (
    "SELECT ?g ?label WHERE { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } }"
)
ASK_KILLED = "ASK { ?s <https://w3id.org/strike-kg/ontology#killed> 3 }"
CONSTRUCT = "CONSTRUCT WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o }"
DESCRIBE = f"DESCRIBE <{EX}strike/1>"

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"
SPARQL_NS = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture
def store() -> KGStore:
    store = KGStore()
    store.replace_graphs(GRAPHS)
    return store


@pytest.fixture
def app(store: KGStore) -> Iterator[Flask]:
    app = create_app(Settings(), store)
    app.config.update(TESTING=True)
    yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def get(client: FlaskClient, query: str, accept: str | None = None, **params: str) -> TestResponse:
    headers = {"Accept": accept} if accept is not None else {}
    return client.get("/sparql", query_string={"query": query, **params}, headers=headers)


def json_labels(response: TestResponse) -> set[str]:
    body = json.loads(response.data)
    return {row["label"]["value"] for row in body["results"]["bindings"]}


def assert_error(response: TestResponse, status: int) -> dict[str, object]:
    """The response is the one JSON error shape, with ``status``."""
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    body = json.loads(response.data)
    assert body["ok"] is False
    assert body["status"] == status
    assert body["title"] == HTTP_STATUS_CODES[status]
    assert isinstance(body["error"], str) and body["error"]
    assert set(body) <= {"ok", "status", "title", "error", "line", "column"}
    return dict(body)


# -- the three ways to send a query -------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "params", "data", "content_type"),
    [
        pytest.param("GET", "/sparql", {"query": LABELS}, None, None, id="get"),
        pytest.param("POST", "/sparql", {}, {"query": LABELS}, FORM, id="form-post"),
        pytest.param("POST", "/sparql", {}, LABELS, SPARQL_QUERY, id="direct-post"),
        pytest.param("POST", "/sparql", {}, LABELS, f"{SPARQL_QUERY}; charset=UTF-8", id="utf-8"),
        # The W3C protocol tests address the endpoint as /sparql/.
        pytest.param("GET", "/sparql/", {"query": LABELS}, None, None, id="trailing-slash"),
    ],
)
def test_query_operation(
    client: FlaskClient,
    method: str,
    path: str,
    params: dict[str, str],
    data: object,
    content_type: str | None,
) -> None:
    response = client.open(
        path, method=method, query_string=params, data=data, content_type=content_type
    )
    assert response.status_code == 200
    assert response.content_type == f"{JSON_RESULTS}; charset=utf-8"
    assert json_labels(response) == {LABEL_A, LABEL_B}


# -- result formats -------------------------------------------------------------------------


def parse_select(media_type: str, data: bytes) -> set[str]:
    """The label values of a SELECT answer, read with a parser for its format."""
    text = data.decode("utf-8")
    if media_type == JSON_RESULTS:
        return {row["label"]["value"] for row in json.loads(text)["results"]["bindings"]}
    if media_type == XML_RESULTS:
        root = ET.fromstring(data)
        return {literal.text or "" for literal in root.iter(f"{SPARQL_NS}literal")}
    if media_type == "text/csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows[0] == ["label"]
        return {row[0] for row in rows[1:]}
    rows = [line.split("\t") for line in text.splitlines()]
    assert rows[0] == ["?label"]
    # TSV keeps RDF term syntax: a language-tagged literal with escaped quotes.
    return {row[0] for row in rows[1:]}


@pytest.mark.parametrize(
    "media_type", [JSON_RESULTS, XML_RESULTS, "text/csv", "text/tab-separated-values"]
)
def test_select_formats(client: FlaskClient, media_type: str) -> None:
    response = get(client, LABELS, media_type)
    assert response.status_code == 200
    assert response.content_type == f"{media_type}; charset=utf-8"
    assert "Accept" in response.headers["Vary"]
    labels = parse_select(media_type, response.data)
    if media_type == "text/tab-separated-values":
        assert labels == {f'"{LABEL_A}"@en', '"Strike on al-Safīrah, \\"the complex\\""@en'}
    else:
        assert labels == {LABEL_A, LABEL_B}


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        (JSON_RESULTS, '"boolean":true'),
        (XML_RESULTS, "<boolean>true</boolean>"),
        ("text/csv", "true"),
        ("text/tab-separated-values", "true"),
    ],
)
def test_ask_formats(client: FlaskClient, media_type: str, expected: str) -> None:
    response = get(client, ASK_KILLED, media_type)
    assert response.status_code == 200
    assert response.content_type == f"{media_type}; charset=utf-8"
    assert expected in response.data.decode()


def test_ask_false(client: FlaskClient) -> None:
    response = get(client, "ASK { ?s <https://w3id.org/strike-kg/ontology#killed> 99 }")
    assert json.loads(response.data) == {"head": {}, "boolean": False}


@pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")
@pytest.mark.parametrize(
    ("media_type", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/n-quads", "nquads"),
        ("application/trig", "trig"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_graph_formats(client: FlaskClient, media_type: str, rdflib_format: str) -> None:
    response = get(client, CONSTRUCT, media_type)
    assert response.status_code == 200
    assert response.content_type == f"{media_type}; charset=utf-8"
    graph = rdflib.Dataset()
    graph.parse(data=response.data.decode("utf-8"), format=rdflib_format)
    labels = {str(o) for _, _, o, _ in graph.quads((None, rdflib.RDFS.label, None, None))}
    assert labels == {LABEL_A, LABEL_B}


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
def test_graph_default_is_turtle(client: FlaskClient, query: str) -> None:
    response = get(client, query)
    assert response.content_type == "text/turtle; charset=utf-8"
    graph = rdflib.Graph().parse(data=response.data.decode(), format="turtle")
    assert (rdflib.URIRef(f"{EX}strike/1"), rdflib.RDFS.label, None) in graph


# -- content negotiation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "accept", "media_type"),
    [
        (LABELS, "text/csv;q=0.5, application/sparql-results+xml", XML_RESULTS),
        (LABELS, "text/csv;q=0.9, application/sparql-results+xml;q=0.2", "text/csv"),
        (LABELS, "text/csv;q=0, */*", JSON_RESULTS),
        (LABELS, "text/csv, */*;q=0.1", "text/csv"),
        (LABELS, f"{XML_RESULTS}, {JSON_RESULTS}", XML_RESULTS),
        (LABELS, "*/*", JSON_RESULTS),
        (LABELS, "text/*", "text/csv"),
        (LABELS, "application/json", JSON_RESULTS),
        (LABELS, "application/xml", XML_RESULTS),
        (LABELS, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", XML_RESULTS),
        (LABELS, "", JSON_RESULTS),
        (ASK_KILLED, "application/json", JSON_RESULTS),
        (CONSTRUCT, "*/*", "text/turtle"),
        (CONSTRUCT, "text/*", "text/turtle"),
        (CONSTRUCT, "application/json", "application/ld+json"),
        (CONSTRUCT, "application/xml", "application/rdf+xml"),
        (CONSTRUCT, "text/turtle;q=0.3, application/n-triples;q=0.7", "application/n-triples"),
        (CONSTRUCT, "application/sparql-results+json, text/turtle;q=0.1", "text/turtle"),
    ],
)
def test_accept_negotiation(client: FlaskClient, query: str, accept: str, media_type: str) -> None:
    response = get(client, query, accept)
    assert response.status_code == 200
    assert response.mimetype == media_type


@pytest.mark.parametrize(
    ("query", "format_param", "media_type"),
    [
        (LABELS, "csv", "text/csv"),
        (LABELS, "tsv", "text/tab-separated-values"),
        (LABELS, "xml", XML_RESULTS),
        (LABELS, "json", JSON_RESULTS),
        (CONSTRUCT, "ntriples", "application/n-triples"),
        (CONSTRUCT, "nquads", "application/n-quads"),
        (CONSTRUCT, "trig", "application/trig"),
        (CONSTRUCT, "rdfxml", "application/rdf+xml"),
        (CONSTRUCT, "jsonld", "application/ld+json"),
        (CONSTRUCT, "json", "application/ld+json"),
        (CONSTRUCT, "turtle", "text/turtle"),
        (LABELS, "text/csv", "text/csv"),
    ],
)
def test_format_parameter_overrides_accept(
    client: FlaskClient, query: str, format_param: str, media_type: str
) -> None:
    response = get(client, query, "application/sparql-results+xml", format=format_param)
    assert response.status_code == 200
    assert response.mimetype == media_type


def test_format_parameter_in_a_form_post(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": LABELS, "format": "csv"}, content_type=FORM)
    assert response.mimetype == "text/csv"
    assert parse_select("text/csv", response.data) == {LABEL_A, LABEL_B}


@pytest.mark.parametrize(
    ("query", "accept", "params"),
    [
        (LABELS, "text/turtle", {}),
        (LABELS, "application/sparql-results+json;q=0, text/html", {}),
        (CONSTRUCT, "text/csv", {}),
        (CONSTRUCT, None, {"format": "csv"}),
        (ASK_KILLED, None, {"format": "turtle"}),
    ],
)
def test_not_acceptable(
    client: FlaskClient, query: str, accept: str | None, params: dict[str, str]
) -> None:
    body = assert_error(get(client, query, accept, **params), 406)
    assert "acceptable formats are" in str(body["error"])


# -- the RDF dataset of a query -----------------------------------------------------------------


def test_default_graph_is_the_union_of_all_graphs(client: FlaskClient) -> None:
    assert json_labels(get(client, LABELS)) == {LABEL_A, LABEL_B}


def test_default_graph_uri(client: FlaskClient) -> None:
    response = get(client, LABELS, **{"default-graph-uri": GRAPH_A})
    assert json_labels(response) == {LABEL_A}


def test_several_default_graph_uris_are_merged(client: FlaskClient) -> None:
    response = client.get(
        "/sparql",
        query_string=[
            ("query", LABELS),
            ("default-graph-uri", GRAPH_A),
            ("default-graph-uri", GRAPH_B),
        ],
    )
    assert json_labels(response) == {LABEL_A, LABEL_B}


def test_named_graph_uri_limits_graph_and_empties_default(client: FlaskClient) -> None:
    by_graph = get(client, LABELS_BY_GRAPH, **{"named-graph-uri": GRAPH_B})
    rows = json.loads(by_graph.data)["results"]["bindings"]
    assert [(row["g"]["value"], row["label"]["value"]) for row in rows] == [(GRAPH_B, LABEL_B)]
    assert json_labels(get(client, LABELS, **{"named-graph-uri": GRAPH_B})) == set()


def test_default_and_named_graph_uris_together(client: FlaskClient) -> None:
    query = (
        "ASK { ?a <http://www.w3.org/2000/01/rdf-schema#label> ?x "
        "GRAPH ?g { ?b <https://w3id.org/strike-kg/ontology#killed> ?k } }"
    )
    both = {"default-graph-uri": GRAPH_B, "named-graph-uri": GRAPH_A}
    assert json.loads(get(client, query, **both).data)["boolean"] is True
    swapped = {"default-graph-uri": GRAPH_A, "named-graph-uri": GRAPH_B}
    assert json.loads(get(client, query, **swapped).data)["boolean"] is False


def test_graph_uris_in_a_form_post_body(client: FlaskClient) -> None:
    response = client.post(
        "/sparql", data={"query": LABELS, "default-graph-uri": GRAPH_B}, content_type=FORM
    )
    assert json_labels(response) == {LABEL_B}


def test_graph_uris_with_a_direct_post(client: FlaskClient) -> None:
    response = client.post(
        "/sparql",
        query_string={"default-graph-uri": GRAPH_A},
        data=LABELS,
        content_type=SPARQL_QUERY,
    )
    assert json_labels(response) == {LABEL_A}


def test_from_clause_is_honoured_without_protocol_dataset(client: FlaskClient) -> None:
    query = f"SELECT ?label FROM <{GRAPH_A}> WHERE {{ ?s {RDFS_LABEL} ?label }}"
    assert json_labels(get(client, query)) == {LABEL_A}


# -- protocol errors -----------------------------------------------------------------------------


UPDATE = "application/sparql-update"
TWO = [("query", "ASK {}"), ("query", LABELS)]
Q: dict[str, str] = {"query": LABELS}
UTF16 = "ASK {}".encode("utf-16")

# One row a case: method, URL parameters, body, Content-Type, status, words of the message.
# fmt: off
PROTOCOL_ERRORS: list[tuple[str, object, object, str | None, int, str]] = [
    ("GET", {"default-graph-uri": GRAPH_A}, None, None, 400, "no query given"),
    ("GET", {"query": "  "}, None, None, 400, "no query given"),
    ("POST", {}, {"format": "csv"}, FORM, 400, "no query given"),
    ("GET", TWO, None, None, 400, "2 query parameters"),
    ("POST", {"query": "ASK {}"}, Q, FORM, 400, "2 query parameters"),
    ("POST", {"query": "ASK {}"}, LABELS, SPARQL_QUERY, 400, "in its body"),
    ("POST", {}, "ASK {}", "text/plain", 415, "text/plain"),
    ("POST", {}, "{}", "application/json", 415, "application/json"),
    ("POST", {}, "ASK {}", "multipart/form-data", 415, "multipart/form-data"),
    ("POST", {}, b"query=ASK%20%7B%7D", None, 415, "no Content-Type"),
    ("POST", {}, UTF16, f"{SPARQL_QUERY}; charset=UTF-16", 415, "must be UTF-8"),
    ("POST", {}, b"ASK { \xff }", SPARQL_QUERY, 400, "not UTF-8"),
    ("GET", {**Q, "default-graph-uri": "no iri"}, None, None, 400, "not an absolute IRI"),
    ("GET", {**Q, "named-graph-uri": "a/b"}, None, None, 400, "not an absolute IRI"),
    ("GET", {**Q, "default-graph-uri": "http://x/<g>"}, None, None, 400, "not an absolute IRI"),
    ("GET", {**Q, "format": "excel"}, None, None, 400, "unknown format 'excel'"),
    ("POST", {}, {"update": "CLEAR ALL"}, FORM, 403, "read-only"),
    ("POST", {}, "CLEAR ALL", UPDATE, 403, "read-only"),
    ("POST", {}, "DROP GRAPH <http://x/g>", f"{UPDATE}; charset=utf-8", 403, "read-only"),
    ("POST", {"update": "CLEAR ALL"}, "CLEAR ALL", UPDATE, 400, "in its body"),
    ("POST", {}, {"update": ["CLEAR ALL", "CLEAR ALL"]}, FORM, 400, "2 update parameters"),
    ("GET", {"update": "CLEAR ALL"}, None, None, 400, "must be sent by POST"),
    ("POST", {}, {"query": "ASK {}", "update": "CLEAR ALL"}, FORM, 400, "not both"),
]
# fmt: on


@pytest.mark.parametrize(
    ("method", "params", "data", "content_type", "status", "words"), PROTOCOL_ERRORS
)
def test_protocol_errors(
    client: FlaskClient,
    store: KGStore,
    method: str,
    params: object,
    data: object,
    content_type: str | None,
    status: int,
    words: str,
) -> None:
    response = client.open(
        "/sparql", method=method, query_string=params, data=data, content_type=content_type
    )
    body = assert_error(response, status)
    assert words in str(body["error"])
    assert "line" not in body and "column" not in body
    assert len(store) == QUAD_COUNT


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_unknown_method(client: FlaskClient, method: str) -> None:
    response = client.open("/sparql", method=method, query_string={"query": "ASK {}"})
    assert method in str(assert_error(response, 405)["error"])
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_syntax_error_has_line_and_column(client: FlaskClient) -> None:
    # The query ends early: the parser stops just past the "{" on line 2.
    body = assert_error(get(client, "SELECT *\nWHERE {"), 400)
    assert "syntax" in str(body["error"]).lower()
    assert (body["line"], body["column"]) == (2, 8)
    assert list(body) == ["ok", "status", "title", "error", "line", "column"]


def test_unknown_path(client: FlaskClient) -> None:
    assert_error(client.get("/no/such/page"), 404)


@pytest.mark.parametrize("content_type", [SPARQL_QUERY, FORM])
def test_request_too_large(client: FlaskClient, content_type: str) -> None:
    body = b"query=" + b"#" * Settings().max_request_bytes
    assert_error(client.post("/sparql", data=body, content_type=content_type), 413)


def test_unexpected_error_is_json_without_details(app: Flask) -> None:
    # Let the 500 handler answer instead of re-raising, as it does in production.
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    body = assert_error(app.test_client().get("/boom"), 500)
    assert "secret" not in str(body["error"])


def test_update_sent_as_a_query_is_a_syntax_error(client: FlaskClient, store: KGStore) -> None:
    assert_error(client.post("/sparql", data="CLEAR ALL", content_type=SPARQL_QUERY), 400)
    assert len(store) == QUAD_COUNT


# -- health and the query page ------------------------------------------------------------------


def test_health(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert json.loads(response.data) == {
        "status": "ok",
        "version": kg.__version__,
        "store": "in memory",
        "snapshot": None,
    }


def test_index_page(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    page = response.data.decode()
    assert '<form action="/sparql" method="get">' in page
    assert '<textarea id="query" name="query"' in page
    # The example query's IRIs are escaped inside the textarea.
    assert "PREFIX sk: &lt;https://w3id.org/strike-kg/ontology#&gt;" in page
    assert kg.__version__ in page


def test_index_page_escapes_a_prefilled_query(client: FlaskClient) -> None:
    attack = "</textarea><script>alert(1)</script>"
    page = client.get("/", query_string={"query": attack}).data.decode()
    assert "<script>" not in page
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_index_form_round_trip(client: FlaskClient) -> None:
    # What the form sends: the query and an empty format meaning "negotiate".
    response = client.get("/sparql", query_string={"query": LABELS, "format": ""})
    assert json_labels(response) == {LABEL_A, LABEL_B}


def test_relative_iris_resolve_against_the_endpoint_url(client: FlaskClient) -> None:
    # The W3C protocol test query_content_type_construct sends exactly this query.
    response = get(client, "CONSTRUCT { <s> <p> 1 } WHERE {}", "application/n-triples")
    assert response.status_code == 200
    assert b"<http://localhost/s> <http://localhost/p>" in response.data


# -- updates, limits, description, CORS, metrics ---------------------------------------------

TOKEN = "a-token-of-sixteen-chars"


@pytest.fixture
def writable(store: KGStore) -> FlaskClient:
    return create_app(Settings(update_token=TOKEN), store).test_client()


def post_update(
    client: FlaskClient, text: str, token: str | None = TOKEN, **params: str
) -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        "/sparql", data=text, content_type=UPDATE, headers=headers, query_string=params
    )


def test_update_with_the_protocol_dataset(writable: FlaskClient, store: KGStore) -> None:
    text = f"INSERT {{ GRAPH <{EX}g> {{ ?s a <{EX}Labelled> }} }} WHERE {{ ?s {RDFS_LABEL} ?o }}"
    assert post_update(writable, text, **{"using-graph-uri": GRAPH_A}).status_code == 204
    rows = store.query(f"SELECT ?s {{ GRAPH <{EX}g> {{ ?s a <{EX}Labelled> }} }}").rows()
    assert [str(r["s"]) for r in rows] == [f"{EX}strike/1"]


def test_update_naming_its_own_dataset_and_the_protocols_is_refused(
    writable: FlaskClient, store: KGStore
) -> None:
    text = f"INSERT {{ ?s a <{EX}T> }} USING <{GRAPH_B}> WHERE {{ ?s ?p ?o }}"
    response = post_update(writable, text, **{"using-graph-uri": GRAPH_A})
    assert "USING or WITH" in str(assert_error(response, 400)["error"])
    assert len(store) == QUAD_COUNT


@pytest.mark.parametrize("token", [None, "not-the-token-at-all"])
def test_update_needs_the_token(writable: FlaskClient, store: KGStore, token: str | None) -> None:
    response = post_update(writable, "CLEAR ALL", token)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert len(store) == QUAD_COUNT


def test_update_syntax_error_has_a_position(writable: FlaskClient, store: KGStore) -> None:
    body = assert_error(post_update(writable, "INSERT DATA {"), 400)
    assert body["line"] == 1
    assert len(store) == QUAD_COUNT


def test_result_size_limit(store: KGStore) -> None:
    client = create_app(Settings(max_result_bytes=200), store).test_client()
    assert "200 bytes" in str(assert_error(get(client, LABELS), 422)["error"])
    assert get(client, ASK_KILLED).status_code == 200


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        (None, "text/turtle"),
    ],
)
def test_service_description(client: FlaskClient, accept: str | None, media_type: str) -> None:
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.mimetype == media_type
    graph = rdflib.Graph().parse(data=response.data, format=media_type)
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef("http://localhost/sparql")) in graph
    # Read-only without a token: no update language is offered.
    assert (None, sd.supportedLanguage, sd.SPARQL11Update) not in graph


def test_service_description_not_acceptable(client: FlaskClient) -> None:
    assert_error(client.get("/sparql", headers={"Accept": "text/csv"}), 406)


@pytest.mark.parametrize(
    ("setting", "origin", "allowed"),
    [
        ("", "https://a.example", None),
        ("*", "https://a.example", "*"),
        ("https://a.example, https://b.example", "https://b.example", "https://b.example"),
        ("https://a.example", "https://evil.example", None),
    ],
)
def test_cors(store: KGStore, setting: str, origin: str, allowed: str | None) -> None:
    client = create_app(Settings(cors_origins=setting), store).test_client()
    response = client.get("/sparql", query_string={"query": ASK_KILLED}, headers={"Origin": origin})
    assert response.headers.get("Access-Control-Allow-Origin") == allowed
    preflight = client.options(
        "/sparql",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    if allowed:
        assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    else:
        assert "Access-Control-Allow-Headers" not in preflight.headers


def test_metrics_count_requests_by_route_and_status(client: FlaskClient) -> None:
    get(client, LABELS)
    get(client, "SELECT * {")
    text = client.get("/metrics").data.decode()
    assert 'kg_requests_total{route="/sparql",status="2xx"} 1' in text
    assert 'kg_requests_total{route="/sparql",status="4xx"} 1' in text
    assert 'kg_request_seconds_count{route="/sparql"} 2' in text
