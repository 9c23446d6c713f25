"""The pages for people, and the linked-data view of every resource.

- ``/``: a query editor with the saved queries, results as a table (``static/app.js``; the
  form also works without JavaScript), and every strike on a timeline and a map.
- ``/id/{rest}``: what the graph says about the IRI ``{base}{rest}``, as HTML for a browser
  or as Turtle, JSON-LD, N-Triples or RDF/XML by ``Accept`` or ``?format=``. The base's
  host (``https://w3id.org/strike-kg/id/``) redirects ``{base}{rest}`` to this server's
  ``/id/{rest}``, so every minted IRI dereferences. A strike's page shows its reports with
  the evidence marked in each article's text; an article's page, its text with an anchor
  at each sentence and mention (a browser never sends a ``#char=b,e`` fragment: it scrolls
  to the anchor instead).
- ``/health``: whether the server is up.

Article text reaches pages only through Jinja's autoescaping (and ``textContent`` in the
script); the pages' Content-Security-Policy allows no inline script besides.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import NotAcceptable, NotFound

import kg
from kg.engine import QueryJob, select_rows
from kg.errors import KGError
from kg.queries import saved_queries, saved_query
from kg.vocab import RDF, SK, curie
from kg.web import resources
from kg.web.errors import json_response
from kg.web.metrics import health_status
from kg.web.negotiation import MEDIA_TYPES, OFFERS, best_offer, choose
from kg.web.state import current_state

bp = Blueprint(
    "pages",
    __name__,
    static_folder="static",
    static_url_path="/assets",
    template_folder="templates",
)

# Where the resource ``{base}{rest}`` is served.
ID_PATH = "/id/"

EXAMPLE_QUERY = """\
PREFIX sk: <https://w3id.org/strike-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?strike ?label WHERE {
  ?strike a sk:Strike ;
          rdfs:label ?label .
}
LIMIT 25
"""

# Scripts and styles only from this server: text that slipped past escaping still cannot
# run. SVG marks use presentation attributes, not style attributes, for the same reason.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# The RDF a resource is served in, besides HTML (graph formats without graph names).
RDF_FORMATS = ("turtle", "jsonld", "ntriples", "rdfxml")
HTML = "html"
HTML_TYPES = ("text/html", "application/xhtml+xml")

# Literals of these XSD types read as they are; other datatypes are shown beside the value.
PLAIN_TYPES = frozenset({"string", "integer", "decimal", "double", "float", "boolean", "date"})

# A strike's merged values and a report's claims, in the order the pages list them.
STRIKE_FIELDS = (
    SK.attacker,
    SK.target,
    SK.location,
    SK.date,
    SK.earliestDate,
    SK.latestDate,
    SK.weapon,
    SK.outcome,
    SK.killed,
    SK.injured,
)
REPORT_FIELDS = (*STRIKE_FIELDS, SK.status, SK.attributedTo, SK.confidence)


@bp.after_request
def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@bp.context_processor
def _template_helpers() -> dict[str, object]:
    base = current_state().settings.base
    return {
        "base": base,
        "id_root": request.script_root + ID_PATH,
        "href": functools.partial(href, base),
        "curie": curie,
        "group_by_predicate": resources.group_by_predicate,
        "local_name": resources.local_name,
        "version": kg.__version__,
        "RDF_TYPE": str(RDF.type),
        "PLAIN_TYPES": PLAIN_TYPES,
    }


def href(base: str, iri: str) -> str | None:
    """Where a link to ``iri`` goes: its ``/id/`` page for an IRI under the base, the IRI
    itself for any other http(s) IRI; ``None`` for anything else (a ``javascript:`` IRI in
    the data must never become a link).

    Example:
        >>> href("https://x.org/id/", "https://x.org/id/doc/a#char=0,4")
        '/id/doc/a#char=0,4'
    """
    if iri.startswith(base):
        return request_root() + ID_PATH + iri[len(base) :]
    if iri.startswith(("http://", "https://")):
        return iri
    return None


def request_root() -> str:
    """The path the app is mounted at ('' at the root; works outside a request too)."""
    try:
        return request.script_root
    except RuntimeError:
        return ""


def _select() -> resources.Select:
    return functools.partial(select_rows, current_state().engine)


@bp.get("/")
def index() -> str:
    """The query editor, prefilled by ``?query=`` or ``?saved=NAME``; the strike overview."""
    saved = request.args.get("saved")
    if saved:
        try:
            query = saved_query(saved).text
        except KGError as error:
            raise NotFound(str(error)) from None
    else:
        query = request.args.get("query") or EXAMPLE_QUERY
    overview_error = None
    try:
        strikes = resources.read_strikes(_select())
    except KGError as error:
        # The editor is useful without the overview, e.g. while the store is busy.
        strikes, overview_error = [], str(error)
    return render_template(
        "index.html",
        query=query,
        saved=saved,
        saved_queries=saved_queries(),
        formats=list(MEDIA_TYPES),
        strikes=strikes,
        timeline=resources.timeline(strikes),
        strike_map=resources.strike_map(strikes),
        overview_error=overview_error,
    )


@bp.get("/health")
def health() -> Response:
    """Whether the server is up, and which snapshot of the store it answers from."""
    return json_response(health_status())


@bp.get("/id/<path:rest>")
def resource(rest: str) -> Response:
    """What the graph says about ``{base}{rest}``: HTML for a browser, RDF by negotiation."""
    representation = choose_representation(
        request.headers.get("Accept"),
        request.args.get("format"),
        from_browser=_from_browser(),
    )
    if representation is None:
        raise NotAcceptable(
            "a resource can be served as text/html, "
            + ", ".join(MEDIA_TYPES[name] for name in RDF_FORMATS)
            + " (or ?format=html, turtle, jsonld, ntriples, rdfxml)"
        )
    select = _select()
    iri = _find_resource(select, _raw_rest(rest))
    if representation.name == HTML:
        response = Response(_resource_page(select, iri), content_type="text/html; charset=utf-8")
    else:
        job = QueryJob(
            f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?p2 <{iri}> }} "
            f"WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p2 <{iri}> }} }}",
            representation.name,
        )
        response = Response(
            current_state().engine.run(job), content_type=representation.content_type
        )
    # One URL, several representations: caches must key on Accept.
    response.vary.add("Accept")
    return response


def _raw_rest(rest: str) -> str:
    # Minted IRIs may hold escapes such as %2F, which the router has decoded: take the
    # path as the client sent it when the server says (waitress and werkzeug both do).
    raw = request.environ.get("REQUEST_URI") or request.environ.get("RAW_URI")
    if not isinstance(raw, str):
        return rest
    path = raw.split("?", 1)[0].split("#", 1)[0]
    prefix = request.script_root + ID_PATH
    if path.startswith(("http://", "https://")):  # an absolute request target
        path = "/" + path.split("/", 3)[-1]
    return path[len(prefix) :] if path.startswith(prefix) else rest


def _find_resource(select: resources.Select, rest: str) -> str:
    """The IRI under the base that ``rest`` names and the graph says something about."""
    base = current_state().settings.base
    candidates = dict.fromkeys([base + rest, base + resources.iri_from_uri(rest)])
    for iri in candidates:
        if resources.is_iri(iri) and select(
            f"SELECT ?x WHERE {{ {{ <{iri}> ?x ?o }} UNION {{ ?s ?x <{iri}> }} }} LIMIT 1"
        ):
            return iri
    raise NotFound(
        f"the graph says nothing about <{base}{rest}>: no triple has it as subject or object. "
        f"Resources are served at {request.script_root}{ID_PATH}{{path}} for the IRI "
        f"{base}{{path}}; find IRIs with a query at {request.script_root}/"
    )


def _resource_page(select: resources.Select, iri: str) -> str:
    description = resources.describe(select, iri)
    strike = report = document = None
    if description.has_type(str(SK.Strike)):
        strike = resources.read_strike(select, description)
    elif description.has_type(str(SK.Report)):
        report = resources.read_report(select, iri)
    else:
        document = resources.read_document(select, iri)
    return render_template(
        "resource.html",
        description=description,
        strike=strike,
        report=report,
        document=document,
        contested=any(v.value == "true" for v in description.values(str(SK.contested))),
        strike_fields=[str(f) for f in STRIKE_FIELDS],
        report_fields=[str(f) for f in REPORT_FIELDS],
        rdf_formats=[(name, MEDIA_TYPES[name]) for name in RDF_FORMATS],
    )


class Representation(NamedTuple):
    """What a resource is answered with: ``html`` or a name of ``RDF_FORMATS``."""

    name: str
    content_type: str


def choose_representation(
    accept: str | None, format_param: str | None, *, from_browser: bool
) -> Representation | None:
    """HTML or an RDF serialisation for a resource request; ``None`` if none is acceptable.

    A ``format`` parameter decides; else the ``Accept`` header, weighed as for ``/sparql``.
    A bare ``*/*`` (or no header) gets HTML from a browser and Turtle from anything else.

    Example:
        >>> choose_representation("text/html,application/xml;q=0.9,*/*;q=0.8", None,
        ...                       from_browser=True).name
        'html'
        >>> choose_representation("application/ld+json", None, from_browser=True).name
        'jsonld'
        >>> choose_representation(None, None, from_browser=False).name
        'turtle'
    """
    if format_param:
        wanted = format_param.strip().lower()
        if wanted == HTML or wanted in HTML_TYPES:
            return Representation(HTML, "text/html; charset=utf-8")
        choice = choose(RDF_FORMATS, None, format_param)
        return None if choice is None else Representation(choice.format_name, choice.content_type)
    html_offers = [(media_type, HTML) for media_type in HTML_TYPES]
    rdf_offers = [(media_type, name) for media_type, name in OFFERS if name in RDF_FORMATS]
    offers = html_offers + rdf_offers if from_browser else rdf_offers + html_offers
    name = best_offer(offers, accept)
    if name is None:
        return None
    if name == HTML:
        return Representation(HTML, "text/html; charset=utf-8")
    return Representation(name, f"{MEDIA_TYPES[name]}; charset=utf-8")


def _from_browser() -> bool:
    # Browsers name themselves Mozilla/...; curl, rdflib and HTTP libraries do not.
    return request.headers.get("User-Agent", "").startswith("Mozilla/")
