"""The SPARQL 1.1 Protocol query endpoint, ``/sparql``."""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.exceptions import NotAcceptable

from kg.store import QueryResult
from kg.web.negotiation import Choice, choose, media_types
from kg.web.protocol import parse_query_request
from kg.web.state import current_state

bp = Blueprint("sparql", __name__)

_KIND_NAMES = {"select": "a SELECT", "ask": "an ASK", "graph": "a CONSTRUCT or DESCRIBE"}


@bp.route("/sparql", methods=["GET", "POST"], strict_slashes=False)
def query() -> Response:
    """Answer one SPARQL query in the format the client negotiated.

    The store tells the query form only once it has parsed the query, so the query runs
    before negotiation; a 406 therefore costs a query, which is cheap next to guessing.
    """
    operation = parse_query_request(request)
    result = current_state().store.query(
        operation.query,
        default_graphs=operation.default_graphs,
        named_graphs=operation.named_graphs,
        base_iri=request.base_url,
    )
    choice = choose(result.formats(), request.headers.get("Accept"), operation.format)
    if choice is None:
        raise NotAcceptable(_not_acceptable_message(result, operation.format))
    return _result_response(result, choice)


def _result_response(result: QueryResult, choice: Choice) -> Response:
    response = Response(result.serialize(choice.format_name), content_type=choice.content_type)
    # Caches must key the answer on Accept, since the same URL has several representations.
    response.vary.add("Accept")
    return response


def _not_acceptable_message(result: QueryResult, format_param: str | None) -> str:
    accept = request.headers.get("Accept", "")
    asked = f"format={format_param}" if format_param else f"Accept: {accept}"
    return (
        f"{_KIND_NAMES.get(result.kind, 'this')} query cannot be answered in {asked}; "
        f"acceptable formats are {', '.join(result.formats())} "
        f"({', '.join(media_types(result.formats()))})"
    )
