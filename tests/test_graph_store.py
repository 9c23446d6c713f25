"""The Graph Store HTTP Protocol in-process: reads for anyone, writes only with the token,
and a refused write changes nothing."""

from __future__ import annotations

import pytest
import rdflib
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from kg.config import Settings
from kg.store import KGStore
from kg.web import create_app

TOKEN = "graph-store-token"
EX = "http://example.org/"
TURTLE = f"@prefix ex: <{EX}> . ex:a ex:knows ex:b , ex:c ."
ARTICLE = f"<{EX}doc>"


@pytest.fixture
def store() -> KGStore:
    store = KGStore()
    store.write_graph(f"{EX}g", f'{ARTICLE} <{EX}says> "kept" .', replace=True)
    return store


@pytest.fixture
def client(store: KGStore) -> FlaskClient:
    return create_app(Settings(update_token=TOKEN), store).test_client()


def send(
    client: FlaskClient,
    method: str,
    body: str | None = None,
    token: str | None = TOKEN,
    content_type: str = "text/turtle",
    path: str = "/graph-store",
    **params: str,
) -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.open(
        path,
        method=method,
        data=body,
        content_type=content_type if body is not None else None,
        headers=headers,
        query_string=params,
    )


def triples(response: TestResponse) -> rdflib.Graph:
    assert response.status_code == 200, response.data
    return rdflib.Graph().parse(data=response.data, format=response.mimetype)


def test_put_creates_then_replaces_and_get_reads_it_back(client: FlaskClient) -> None:
    assert send(client, "PUT", TURTLE, graph=f"{EX}new").status_code == 201
    assert len(triples(send(client, "GET", graph=f"{EX}new"))) == 2
    assert send(client, "PUT", f"<{EX}x> <{EX}y> <{EX}z> .", graph=f"{EX}new").status_code == 204
    assert len(triples(send(client, "GET", graph=f"{EX}new"))) == 1


def test_post_adds_and_delete_drops(client: FlaskClient) -> None:
    assert send(client, "POST", TURTLE, graph=f"{EX}g").status_code == 204
    assert len(triples(send(client, "GET", graph=f"{EX}g"))) == 3
    assert send(client, "DELETE", graph=f"{EX}g").status_code == 204
    assert send(client, "GET", graph=f"{EX}g").status_code == 404
    assert send(client, "DELETE", graph=f"{EX}g").status_code == 404


def test_the_default_graph_is_the_stores_own_not_the_union(client: FlaskClient) -> None:
    assert len(triples(send(client, "GET", default=""))) == 0
    assert send(client, "PUT", TURTLE, default="").status_code == 204
    assert len(triples(send(client, "GET", default=""))) == 2


def test_post_to_the_store_creates_a_graph_named_by_the_server(client: FlaskClient) -> None:
    response = send(client, "POST", TURTLE)
    assert response.status_code == 201
    location = response.headers["Location"]
    assert len(triples(send(client, "GET", graph=location))) == 2


def test_a_graph_named_by_its_url(client: FlaskClient) -> None:
    assert send(client, "PUT", TURTLE, path="/graph-store/people/1").status_code == 201
    assert len(triples(send(client, "GET", path="/graph-store/people/1"))) == 2
    assert len(triples(send(client, "GET", graph="http://localhost/graph-store/people/1"))) == 2


def test_head_has_no_body(client: FlaskClient) -> None:
    response = send(client, "HEAD", graph=f"{EX}g")
    assert response.status_code == 200 and response.data == b""
    assert send(client, "HEAD", graph=f"{EX}missing").status_code == 404


@pytest.mark.parametrize("token", [None, "wrong"])
@pytest.mark.parametrize(
    ("method", "body", "params"),
    [
        ("PUT", TURTLE, {"graph": f"{EX}g"}),
        ("POST", TURTLE, {"graph": f"{EX}g"}),
        ("DELETE", None, {"graph": f"{EX}g"}),
        ("PUT", TURTLE, {"default": ""}),
        ("POST", TURTLE, {}),
    ],
)
def test_writes_without_the_token_are_refused_and_change_nothing(
    client: FlaskClient,
    store: KGStore,
    token: str | None,
    method: str,
    body: str | None,
    params: dict[str, str],
) -> None:
    before = set(store.quads())
    response = send(client, method, body, token=token, **params)
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.get_data(as_text=True)
    assert set(store.quads()) == before


def test_a_read_only_server_refuses_every_write(store: KGStore) -> None:
    client = create_app(Settings(), store).test_client()
    before = set(store.quads())
    response = send(client, "PUT", TURTLE, graph=f"{EX}g")
    assert response.status_code == 403 and b"read-only" in response.data
    assert set(store.quads()) == before


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({}, 400, "name exactly one graph"),
        ({"graph": f"{EX}g", "default": ""}, 400, "name exactly one graph"),
        ({"graph": "not an iri"}, 400, "not an IRI"),
    ],
)
def test_bad_graph_names(
    client: FlaskClient, params: dict[str, str], status: int, words: str
) -> None:
    response = send(client, "GET", **params)
    assert response.status_code == status and words in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        ("<a> <b> .", "text/turtle", 400, "not valid text/turtle"),
        (TURTLE, "application/sparql-update", 415, "must be RDF triples"),
        ("{}", "application/n-quads", 415, "must be RDF triples"),
    ],
)
def test_bad_bodies_are_refused_and_change_nothing(
    client: FlaskClient, store: KGStore, body: str, content_type: str, status: int, words: str
) -> None:
    before = set(store.quads())
    response = send(client, "PUT", body, content_type=content_type, graph=f"{EX}g")
    assert response.status_code == status and words in response.get_data(as_text=True)
    assert set(store.quads()) == before
