"""The SPARQL 1.1 Graph Store HTTP Protocol, ``/graph-store``: one graph at a time.

A graph is named indirectly (``/graph-store?graph=IRI`` or ``?default``, the store's own
default graph, not the union that queries see) or directly (``/graph-store/any/path``: the
graph whose IRI is that URL). ``GET`` and ``HEAD`` read it; ``PUT`` replaces it, ``POST``
adds to it (or, without a graph, creates a new one), ``DELETE`` drops it. Reads go through
the query engine, writes through the same token and single writer as SPARQL Update, each in
one transaction.
"""

from __future__ import annotations

import json
import uuid

from flask import Blueprint, Response, request
from werkzeug.exceptions import BadRequest, NotAcceptable, NotFound, UnsupportedMediaType
from werkzeug.http import parse_options_header

from kg.engine import QueryJob
from kg.errors import StoreError
from kg.store import STORE_DEFAULT_GRAPH, TRIPLE_FORMATS, KGStore
from kg.web.negotiation import MEDIA_TYPES, OFFERS, choose, media_types
from kg.web.sparql import authorize
from kg.web.state import current_state

bp = Blueprint("graph_store", __name__)

PATH = "/graph-store"
_BODY_FORMATS = {media_type: name for media_type, name in OFFERS if name in TRIPLE_FORMATS}


@bp.route(PATH, methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
@bp.route(f"{PATH}/<path:_rest>", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store(_rest: str | None = None) -> Response:
    """Answer one Graph Store operation."""
    if request.method not in ("GET", "HEAD"):
        authorize(current_state().settings.update_token, "Graph Store writes")
    if request.method == "POST" and _rest is None and not request.args:
        return _created_graph()
    graph = _target(direct=_rest is not None)
    if request.method in ("GET", "HEAD"):
        return _read(graph)
    if request.method == "DELETE":
        return _deleted(graph)
    return _written(graph, replace=request.method == "PUT")


def _target(direct: bool) -> str:
    """The graph a request names: its own URL, ``?graph=IRI``, or ``?default``."""
    if direct:
        if request.args:
            raise BadRequest("a graph named by its URL takes no graph or default parameter")
        return request.base_url
    graphs = request.args.getlist("graph")
    default = "default" in request.args
    if default == bool(graphs) or len(graphs) > 1:
        raise BadRequest(
            "name exactly one graph: ?graph=<IRI> (percent-encoded) or ?default; "
            f"received {len(graphs)} graph parameter(s){' and default' if default else ''}"
        )
    if default:
        return STORE_DEFAULT_GRAPH
    iri = graphs[0]
    if not iri or any(c in iri for c in '<>"{}|^`\\ \n'):
        raise BadRequest(f"the graph parameter is not an IRI: {iri!r}")
    return iri


def _read(graph: str) -> Response:
    choice = choose(TRIPLE_FORMATS, request.headers.get("Accept"), None)
    if choice is None:
        raise NotAcceptable(
            "a graph can be written as "
            f"{', '.join(media_types(TRIPLE_FORMATS))}; none of them is acceptable"
        )
    if not _exists(graph):
        raise NotFound(f"the store has no graph {_name(graph)}")
    body = b""
    if request.method == "GET":
        job = QueryJob("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", choice.format_name, (graph,))
        body = current_state().engine.run(job)
    response = Response(body, content_type=_with_charset(choice.content_type))
    response.vary.add("Accept")
    if request.method == "HEAD":
        response.headers["Content-Length"] = "0"
    return response


def _exists(graph: str) -> bool:
    if graph == STORE_DEFAULT_GRAPH:
        return True  # the default graph always exists, if empty
    job = QueryJob(f"ASK {{ GRAPH <{graph}> {{}} }}", "json")
    return bool(json.loads(current_state().engine.run(job))["boolean"])


def _written(graph: str, replace: bool) -> Response:
    """PUT (``replace``) or POST a body into ``graph``: 201 if it is new, else 204."""
    ntriples = _body_as_ntriples()
    created: list[bool] = []

    def change(store: KGStore) -> None:
        created.append(not store.has_graph(graph))
        store.write_graph(graph, ntriples, replace=replace)

    current_state().write(change)
    return Response(status=201 if created[0] else 204)


def _deleted(graph: str) -> Response:
    found: list[bool] = []

    def change(store: KGStore) -> None:
        found.append(store.has_graph(graph))
        if found[0]:
            store.write_graph(graph, "", replace=True, drop=True)

    current_state().write(change)
    if not found[0]:
        raise NotFound(f"the store has no graph {_name(graph)}")
    return Response(status=204)


def _created_graph() -> Response:
    """POST to the graph store itself: a new graph, named by the server."""
    ntriples = _body_as_ntriples()
    graph = f"{request.host_url.rstrip('/')}{PATH}/{uuid.uuid4().hex}"
    current_state().write(lambda store: store.write_graph(graph, ntriples, replace=True))
    response = Response(status=201)
    response.headers["Location"] = graph
    return response


def _body_as_ntriples() -> str:
    """The request's RDF as N-Triples: its body, or each file of a ``multipart/form-data``
    POST (a form uploading several documents)."""
    media_type, _ = parse_options_header(request.headers.get("Content-Type", ""))
    if media_type.lower() == "multipart/form-data" and request.method == "POST":
        parts = [(part.mimetype, part.read()) for part in request.files.values()]
        if not parts:
            raise BadRequest("the multipart/form-data body holds no file")
        return "".join(_as_ntriples(part_type, data) for part_type, data in parts)
    return _as_ntriples(media_type, request.get_data())


def _as_ntriples(media_type: str, data: bytes) -> str:
    format_name = _BODY_FORMATS.get(media_type.lower())
    if format_name is None:
        raise UnsupportedMediaType(
            f"the body must be RDF triples, one of {', '.join(sorted(_BODY_FORMATS))} "
            f"(or files of these in multipart/form-data); received {media_type or 'none'}"
        )
    try:
        return KGStore.to_ntriples(data, format_name, base_iri=request.base_url)
    except StoreError as error:
        raise BadRequest(f"the body is not valid {MEDIA_TYPES[format_name]}: {error}") from None


def _name(graph: str) -> str:
    return "default graph" if graph == STORE_DEFAULT_GRAPH else f"<{graph}>"


def _with_charset(content_type: str) -> str:
    return content_type if content_type.endswith("json") else f"{content_type}; charset=utf-8"
