"""The SPARQL 1.1 Protocol endpoint, ``/sparql``: queries, updates, service description."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import BadRequest, Forbidden, NotAcceptable, Unauthorized

from kg.engine import QueryJob
from kg.errors import QueryError, QueryLimitError
from kg.store import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    TRIPLE_FORMATS,
    query_form,
    uses_load,
    uses_service,
    with_using,
)
from kg.web.description import service_description
from kg.web.metrics import current_metrics
from kg.web.negotiation import Choice, choose, media_types
from kg.web.protocol import DescriptionRequest, QueryRequest, UpdateRequest, parse_request
from kg.web.state import current_state

bp = Blueprint("sparql", __name__)

_KIND_NAMES = {"select": "a SELECT", "ask": "an ASK", "graph": "a CONSTRUCT or DESCRIBE"}
_FORMATS = {"select": tuple(RESULT_FORMATS), "ask": tuple(RESULT_FORMATS)}


@bp.route("/sparql", methods=["GET", "POST"], strict_slashes=False)
def query() -> Response:
    """Answer one protocol operation."""
    operation = parse_request(request)
    if isinstance(operation, DescriptionRequest):
        return _described(operation)
    if isinstance(operation, UpdateRequest):
        return _updated(operation)
    return _answered(operation)


def _answered(operation: QueryRequest) -> Response:
    """Run a query in the format negotiated from its form (known before it runs)."""
    settings = current_state().settings
    if uses_service(operation.query) and not settings.allow_service:
        raise Forbidden("SERVICE calls to other endpoints are disabled on this server")
    kind = query_form(operation.query) or "select"  # unparseable: the engine will say why
    choice = _negotiated(kind, _FORMATS.get(kind, tuple(GRAPH_FORMATS)), operation.format)
    job = QueryJob(
        operation.query,
        choice.format_name,
        operation.default_graphs,
        operation.named_graphs,
        base_iri=request.base_url,
    )
    try:
        body = current_state().engine.run(job)
    except QueryLimitError as error:
        current_metrics().stop(error.limit)
        raise
    return _represented(body, choice)


def _updated(operation: UpdateRequest) -> Response:
    """Apply an update, for a client holding the configured token."""
    settings = current_state().settings
    authorize(settings.update_token, "SPARQL Update")
    if uses_load(operation.update) and not settings.allow_load:
        raise Forbidden("LOAD is disabled on this server: it would fetch documents from the web")
    if uses_service(operation.update) and not settings.allow_service:
        raise Forbidden("SERVICE calls to other endpoints are disabled on this server")
    try:
        update = with_using(operation.update, operation.using_graphs, operation.using_named_graphs)
    except QueryError as error:
        raise BadRequest(str(error)) from None
    base = request.base_url
    current_state().write(lambda store: store.update(update, base_iri=base))
    return Response(status=204)


def authorize(token: str | None, what: str) -> None:
    """Let the request change the store only if it carries the configured token."""
    if token is None:
        raise Forbidden(
            f"this endpoint is read-only: {what} needs a server started with an "
            "update token (KG_UPDATE_TOKEN)"
        )
    sent = request.headers.get("Authorization", "")
    scheme, _, credentials = sent.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        credentials.strip().encode(), token.encode()
    ):
        problem = "a wrong token" if sent else "no token"
        raise Unauthorized(
            f"{what} needs the header Authorization: Bearer <token>; received {problem}",
            www_authenticate=WWWAuthenticate("bearer", {"realm": "strike-kg"}),
        )


def _described(operation: DescriptionRequest) -> Response:
    choice = _negotiated("graph", TRIPLE_FORMATS, operation.format)
    body = service_description(request.base_url, current_state().settings, choice.format_name)
    return _represented(body, choice)


def _negotiated(kind: str, formats: tuple[str, ...], format_param: str | None) -> Choice:
    """The format the request asks for among ``formats``, or a 406 naming them."""
    choice = choose(formats, request.headers.get("Accept"), format_param)
    if choice is None:
        raise NotAcceptable(_not_acceptable_message(kind, formats, format_param))
    return choice


def _represented(body: bytes, choice: Choice) -> Response:
    response = Response(body, content_type=choice.content_type)
    # Caches must key the answer on Accept, since the same URL has several representations.
    response.vary.add("Accept")
    return response


def _not_acceptable_message(kind: str, formats: tuple[str, ...], format_param: str | None) -> str:
    accept = request.headers.get("Accept", "")
    asked = f"format={format_param}" if format_param else f"Accept: {accept}"
    return (
        f"{_KIND_NAMES.get(kind, 'this')} query cannot be answered in {asked}; "
        f"acceptable formats are {', '.join(formats)} ({', '.join(media_types(formats))})"
    )
