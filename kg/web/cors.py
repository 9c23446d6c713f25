"""Cross-origin reads (CORS), off unless origins are configured.

A browser script on another site may read the endpoint only from the configured origins
(``Settings.cors_origins``: a comma-separated list, or ``*``). Preflight requests get the
methods and headers a SPARQL client sends, ``Authorization`` included for updates.
"""

from __future__ import annotations

from flask import Flask, Response, request

ALLOWED_METHODS = "GET, POST, PUT, DELETE, HEAD, OPTIONS"
ALLOWED_HEADERS = "Accept, Authorization, Content-Type"
PREFLIGHT_MAX_AGE = "600"


def allowed_origins(setting: str) -> frozenset[str]:
    """The origins a setting names.

    Example:
        >>> sorted(allowed_origins("https://a.example, https://b.example"))
        ['https://a.example', 'https://b.example']
    """
    return frozenset(o.strip().rstrip("/") for o in setting.split(",") if o.strip())


def install(app: Flask, setting: str) -> None:
    """Add CORS headers to ``app``'s responses for the origins ``setting`` allows."""
    origins = allowed_origins(setting)
    if not origins:
        return

    @app.after_request
    def _cors(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin is None:
            return response
        if "*" in origins:
            response.headers["Access-Control-Allow-Origin"] = "*"
        elif origin.rstrip("/") in origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.vary.add("Origin")
        else:
            return response
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        return response
