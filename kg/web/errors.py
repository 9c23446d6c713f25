"""One JSON shape for every HTTP error, in the style of Datasette.

``{"ok": false, "status": 400, "title": "Bad Request", "error": "...", "line": 1,
"column": 10}``; ``line`` and ``column`` appear only for SPARQL syntax errors. Views raise
werkzeug's HTTP exceptions with a helpful description, or let a ``KGError`` through.
"""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES

from kg.errors import KGError, QueryError, QueryLimitError, StoreBusyError

logger = logging.getLogger(__name__)

JSON_TYPE = "application/json"
RETRY_AFTER_SECONDS = "5"
SERVER_ERROR = "the server failed to answer this request; the details are in its log"


def json_response(payload: dict[str, object], status: int = 200) -> Response:
    """A JSON response whose keys keep the order they were written in."""
    return Response(json.dumps(payload, ensure_ascii=False), status=status, mimetype=JSON_TYPE)


def error_payload(
    status: int, message: str, line: int | None = None, column: int | None = None
) -> dict[str, object]:
    """The error body for a status code.

    Example:
        >>> error_payload(404, "no such page")["title"]
        'Not Found'
    """
    payload: dict[str, object] = {
        "ok": False,
        "status": status,
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "error": message,
    }
    if line is not None:
        payload["line"] = line
    if column is not None:
        payload["column"] = column
    return payload


def error_response(
    status: int, message: str, line: int | None = None, column: int | None = None
) -> Response:
    """A JSON error response."""
    return json_response(error_payload(status, message, line, column), status)


def register_error_handlers(app: Flask) -> None:
    """Make every HTTP error, expected or not, answer in the JSON shape."""
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(KGError, _handle_kg_error)


def _handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    if isinstance(error, InternalServerError):
        message = SERVER_ERROR
    elif isinstance(error, MethodNotAllowed) and error.valid_methods:
        message = f"{request.method} is not allowed on {request.path}; use " + ", ".join(
            sorted(error.valid_methods)
        )
    else:
        message = error.description or HTTP_STATUS_CODES.get(status, "Error")
    response = error_response(status, message)
    # Keep headers the protocol needs, e.g. Allow on a 405.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _handle_kg_error(error: KGError) -> Response:
    if isinstance(error, QueryLimitError):
        # Stopped by the time limit: the server could not afford it (503, as Fuseki says);
        # by the size limit: the request asks for more than the server will send (422).
        return error_response(503 if error.limit == "time" else 422, str(error))
    if isinstance(error, QueryError):
        return error_response(400, str(error), error.line, error.column)
    if isinstance(error, StoreBusyError):
        response = error_response(503, str(error))
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return response
    # Other KGErrors are the store failing, not the client; their messages are meant for users.
    logger.error("request %s %s failed: %s", request.method, request.path, error)
    return error_response(500, str(error))
