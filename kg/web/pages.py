"""The small pages around the endpoint: the query form at ``/`` and ``/health``."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

import kg
from kg.web.errors import json_response
from kg.web.metrics import health_status
from kg.web.negotiation import MEDIA_TYPES

bp = Blueprint("pages", __name__)

EXAMPLE_QUERY = """\
PREFIX sk: <https://w3id.org/strike-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?strike ?label WHERE {
  ?strike a sk:Strike ;
          rdfs:label ?label .
}
LIMIT 25
"""


@bp.get("/")
def index() -> str:
    """A form that sends a query to ``/sparql`` by GET; ``?query=`` prefills it."""
    return render_template(
        "index.html",
        query=request.args.get("query") or EXAMPLE_QUERY,
        formats=list(MEDIA_TYPES),
        version=kg.__version__,
    )


@bp.get("/health")
def health() -> Response:
    """Whether the server is up, and which snapshot of the store it answers from."""
    return json_response(health_status())
