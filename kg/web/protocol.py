"""The SPARQL 1.1 Protocol's request rules: an HTTP request to one operation.

A query arrives by GET (``?query=``), by POST of an HTML form
(``application/x-www-form-urlencoded``) or by POST of the query itself
(``application/sparql-query``); an update by form POST (``update=``) or by POST of
``application/sparql-update``. A GET with no parameter asks for the service description.
Anything else is refused with the status the protocol implies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from werkzeug.exceptions import BadRequest, UnsupportedMediaType
from werkzeug.wrappers import Request

from kg.web.negotiation import MEDIA_TYPES, is_known_format

FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})  # ASCII is a subset of UTF-8

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


@dataclass(frozen=True)
class UpdateRequest:
    """One update operation as the protocol defines it.

    Attributes:
        update: the SPARQL Update text.
        using_graphs: ``using-graph-uri`` values, in order.
        using_named_graphs: ``using-named-graph-uri`` values, in order.
    """

    update: str
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class DescriptionRequest:
    """A GET with no query: the client asks what the service is."""

    format: str | None = None


Operation = QueryRequest | UpdateRequest | DescriptionRequest


def parse_request(request: Request) -> Operation:
    """Read the operation of a GET or POST request, or raise the HTTP error it earns.

    Raises:
        BadRequest: no operation, several, an update by GET, a bad graph IRI or format.
        UnsupportedMediaType: a POST body that is neither a form nor SPARQL, or not UTF-8.
    """
    if request.method == "POST":
        return _from_post(request)
    if "update" in request.args:
        raise BadRequest("SPARQL Update must be sent by POST")
    if not request.args.getlist("query") and set(request.args) <= {"format"}:
        return DescriptionRequest(_format(request))
    return _query(request, _single("query", request.args.getlist("query")))


def _query(request: Request, query: str) -> QueryRequest:
    return QueryRequest(
        query=query,
        default_graphs=_graph_iris(request, "default-graph-uri"),
        named_graphs=_graph_iris(request, "named-graph-uri"),
        format=_format(request),
    )


def _update(request: Request, update: str) -> UpdateRequest:
    return UpdateRequest(
        update=update,
        using_graphs=_graph_iris(request, "using-graph-uri"),
        using_named_graphs=_graph_iris(request, "using-named-graph-uri"),
    )


def _values(request: Request, name: str) -> list[str]:
    # A form POST may carry parameters in its body and in the URL; other requests in the URL.
    values = request.args.getlist(name)
    if request.method == "POST" and request.mimetype == FORM_TYPE:
        values += request.form.getlist(name)
    return values


def _from_post(request: Request) -> Operation:
    _require_utf8(request)
    mimetype = request.mimetype
    if mimetype == FORM_TYPE:
        queries, updates = _values(request, "query"), _values(request, "update")
        if queries and updates:
            raise BadRequest("send either a query or an update, not both")
        if updates:
            return _update(request, _single("update", updates))
        return _query(request, _single("query", queries))
    if mimetype in (QUERY_TYPE, UPDATE_TYPE):
        if "query" in request.args or "update" in request.args:
            raise BadRequest(
                "a direct POST carries the operation in its body; remove the query or update "
                "parameter from the URL"
            )
        body = _body_text(request)
        if mimetype == UPDATE_TYPE:
            return _update(request, _single("update", [body]))
        return _query(request, _single("query", [body]))
    received = f"Content-Type {mimetype!r}" if mimetype else "no Content-Type"
    raise UnsupportedMediaType(
        f"received {received}; POST a query as {FORM_TYPE} (query=...) or as {QUERY_TYPE}, "
        f"an update as {FORM_TYPE} (update=...) or as {UPDATE_TYPE}"
    )


def _single(name: str, values: list[str]) -> str:
    if len(values) > 1:
        raise BadRequest(f"received {len(values)} {name} parameters; send exactly one")
    if not values or not values[0].strip():
        raise BadRequest(
            f"no {name} given: send one with ?query=..., a form field {name}=..., "
            f"or a POST body of type {QUERY_TYPE if name == 'query' else UPDATE_TYPE}"
        )
    return values[0]


def _require_utf8(request: Request) -> None:
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.strip().lower() not in UTF8_NAMES:
        raise UnsupportedMediaType(f"received charset={charset}; SPARQL requests must be UTF-8")


def _body_text(request: Request) -> str:
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the request body is not UTF-8 (byte {error.start} is invalid)") from None


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
