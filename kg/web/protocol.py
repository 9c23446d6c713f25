"""The SPARQL 1.1 Protocol's request rules: an HTTP request to one query operation.

A query arrives by GET (``?query=``), by POST of an HTML form
(``application/x-www-form-urlencoded``) or by POST of the query itself
(``application/sparql-query``). Anything else is refused with the status the protocol
implies; updates are refused because the endpoint is read-only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from werkzeug.exceptions import BadRequest, Forbidden, UnsupportedMediaType
from werkzeug.wrappers import Request

from kg.web.negotiation import MEDIA_TYPES, is_known_format

FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})  # ASCII is a subset of UTF-8
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"

# An absolute IRI without the characters IRIREF forbids (SPARQL 1.1, production 139).
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*$")


@dataclass(frozen=True)
class QueryRequest:
    """One query operation as the protocol defines it.

    Attributes:
        query: the SPARQL query text.
        default_graphs: ``default-graph-uri`` values, in order.
        named_graphs: ``named-graph-uri`` values, in order.
        format: the ``format`` parameter, which overrides ``Accept``; ``None`` if absent.
    """

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format: str | None = None


def parse_query_request(request: Request) -> QueryRequest:
    """Read the query operation of a GET or POST request, or raise the HTTP error it earns.

    Raises:
        BadRequest: no query, several, an update by GET, a bad graph IRI or format name.
        Forbidden: an update (the endpoint is read-only).
        UnsupportedMediaType: a POST body that is neither a form nor a SPARQL query, or
            not UTF-8.
    """
    query = _query_from_post(request) if request.method == "POST" else _query_from_get(request)
    return QueryRequest(
        query=query,
        default_graphs=_graph_iris(request, "default-graph-uri"),
        named_graphs=_graph_iris(request, "named-graph-uri"),
        format=_format(request),
    )


def _values(request: Request, name: str) -> list[str]:
    # A form POST may carry parameters in its body and in the URL; other requests in the URL.
    values = request.args.getlist(name)
    if request.method == "POST" and request.mimetype == FORM_TYPE:
        values += request.form.getlist(name)
    return values


def _query_from_get(request: Request) -> str:
    if "update" in request.args:
        raise BadRequest("SPARQL Update must be sent by POST, and this endpoint is read-only")
    return _single_query(request.args.getlist("query"))


def _query_from_post(request: Request) -> str:
    _require_utf8(request)
    mimetype = request.mimetype
    if mimetype == FORM_TYPE:
        queries = _values(request, "query")
        if _values(request, "update"):
            if queries:
                raise BadRequest("send either a query or an update, not both")
            raise Forbidden(READ_ONLY)
        return _single_query(queries)
    if mimetype == QUERY_TYPE:
        if "query" in request.args or "update" in request.args:
            raise BadRequest(
                "a direct POST carries the query in its body; remove the query parameter "
                "from the URL"
            )
        return _single_query([_body_text(request)])
    if mimetype == UPDATE_TYPE:
        raise Forbidden(READ_ONLY)
    received = f"Content-Type {mimetype!r}" if mimetype else "no Content-Type"
    raise UnsupportedMediaType(
        f"received {received}; POST a query as {FORM_TYPE} (query=...) or as {QUERY_TYPE}"
    )


def _single_query(queries: list[str]) -> str:
    if len(queries) > 1:
        raise BadRequest(f"received {len(queries)} queries; send exactly one query parameter")
    if not queries or not queries[0].strip():
        raise BadRequest(
            "no query given: send one with ?query=..., a form field query=..., "
            f"or a POST body of type {QUERY_TYPE}"
        )
    return queries[0]


def _require_utf8(request: Request) -> None:
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.strip().lower() not in UTF8_NAMES:
        raise UnsupportedMediaType(f"received charset={charset}; SPARQL requests must be UTF-8")


def _body_text(request: Request) -> str:
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the query body is not UTF-8 (byte {error.start} is invalid)") from None


def _graph_iris(request: Request, name: str) -> tuple[str, ...]:
    values = _values(request, name)
    for value in values:
        if not _IRI.match(value):
            raise BadRequest(f"{name} {value!r} is not an absolute IRI, e.g. http://example.org/g")
    return tuple(values)


def _format(request: Request) -> str | None:
    value = next(iter(_values(request, "format")), None)
    if value and not is_known_format(value):
        raise BadRequest(
            f"unknown format {value!r}; choose one of {', '.join(MEDIA_TYPES)} or a media type"
        )
    return value or None
