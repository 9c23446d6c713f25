"""The pages: linked data by content negotiation, strike and article pages with their evidence
marked, the index's editor, timeline and map, and escaping of article text everywhere.

Most tests run on a small hand-written graph; those marked ``model`` on the sample articles
(and the XSS probe article) read by the real pipeline.
"""

from __future__ import annotations

import doctest
import functools
import re
from collections.abc import Iterator
from types import ModuleType

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Literal, URIRef

from kg.config import Settings
from kg.engine import InlineEngine, Limits, select_rows
from kg.pipeline import ingest
from kg.queries import saved_queries
from kg.resources import SAMPLES_DIR
from kg.store import KGStore
from kg.vocab import NIF, PROV, RDF, RDFS, SCHEMA, SK, SKOS, WGS
from kg.web import create_app, pages, resources
from kg.web.pages import choose_representation
from kg.web.resources import Mention, highlight, iri_from_uri, read_strikes, strike_map, timeline
from tests.browser import PROBE_ID, PROBE_IMG, PROBE_OUTLET, PROBE_SCRIPT, write_probe

BASE = "https://w3id.org/strike-kg/id/"
BROWSER = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "*/*;q=0.8",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/150.0 Safari/537.36",
}

# The hand-written graph: one strike, its report and article, a place, a facility.
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
SENTENCE = "Jets struck the Alpha base near Homs."
TEXT = f"{SENTENCE} {SCRIPT} Later, {IMG} nothing else happened."
HEADLINE = "Strike on <script>alert(3)</script> base"
STRIKE = URIRef(f"{BASE}strike/s1")
RANGED = URIRef(f"{BASE}strike/s2")
REPORT = URIRef(f"{BASE}doc/d1/report/1")
DOC = URIRef(f"{BASE}doc/d1")
HOMS = URIRef(f"{BASE}entity/homs")
FACILITY = URIRef(f"{BASE}entity/alpha-base")
SLASHED = URIRef(f"{BASE}doc/a%2Fb")
ACCENTED = URIRef(f"{BASE}entity/café")
GEONAMES = URIRef("http://sws.geonames.org/169577/")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


def char(begin: int, end: int) -> URIRef:
    return URIRef(f"{DOC}#char={begin},{end}")


def small_graph() -> rdflib.Graph:
    """The hand-written graph, with offsets taken from ``TEXT``."""
    g = rdflib.Graph()
    sentence = char(0, len(SENTENCE))
    g.add((sentence, RDF.type, NIF.Sentence))
    for node, (begin, end) in {sentence: (0, len(SENTENCE))}.items():
        g.add((node, NIF.beginIndex, Literal(begin)))
        g.add((node, NIF.endIndex, Literal(end)))
        g.add((node, NIF.referenceContext, DOC))
        g.add((node, NIF.anchorOf, Literal(TEXT[begin:end])))
    for number, (role, words) in enumerate([(SK.target, "Alpha base"), (SK.location, "Homs")]):
        begin = TEXT.index(words)
        mention = char(begin, begin + len(words))
        g.add((mention, RDF.type, NIF.Phrase))
        g.add((mention, NIF.beginIndex, Literal(begin)))
        g.add((mention, NIF.endIndex, Literal(begin + len(words))))
        g.add((mention, NIF.anchorOf, Literal(words)))
        g.add((mention, NIF.referenceContext, DOC))
        evidence = URIRef(f"{REPORT}/evidence/{number}")
        g.add((REPORT, SK.evidence, evidence))
        g.add((evidence, SK.role, role))
        g.add((evidence, SK.mention, mention))
    for p, o in [
        (RDF.type, SCHEMA.NewsArticle),
        (RDF.type, NIF.Context),
        (NIF.isString, Literal(TEXT)),
        (SCHEMA.headline, Literal(HEADLINE)),
        (RDFS.label, Literal(HEADLINE)),
        (SCHEMA.publisher, Literal("<b>outlet</b>")),
        (SCHEMA.url, URIRef("javascript:alert(4)")),
        (SCHEMA.datePublished, Literal("2020-05-05", datatype=XSD_DATE)),
    ]:
        g.add((DOC, p, o))
    for p, o in [
        (RDF.type, SK.Report),
        (RDFS.label, Literal("air strike on Alpha base (d1)")),
        (SK.document, DOC),
        (PROV.wasDerivedFrom, sentence),
        (SK.describes, STRIKE),
        (SK.target, FACILITY),
        (SK.location, HOMS),
        (SK.status, SK.Reported),
    ]:
        g.add((REPORT, p, o))
    for p, o in [
        (RDF.type, SK.Strike),
        (RDF.type, SK.AirStrike),
        (RDFS.label, Literal("air strike 2020-05-04 (1 report)")),
        (SK.report, REPORT),
        (SK.target, FACILITY),
        (SK.location, HOMS),
        (SK.date, Literal("2020-05-04", datatype=XSD_DATE)),
        (SK.killed, Literal(3)),
        (SK.contested, Literal(True)),
    ]:
        g.add((STRIKE, p, o))
    for p, o in [
        (RDF.type, SK.Strike),
        (RDFS.label, Literal("strike in May 2020")),
        (SK.earliestDate, Literal("2020-05-01", datatype=XSD_DATE)),
        (SK.latestDate, Literal("2020-05-31", datatype=XSD_DATE)),
    ]:
        g.add((RANGED, p, o))
    for p, o in [
        (RDF.type, SK.Place),
        (RDFS.label, Literal("Homs")),
        (WGS.lat, Literal(34.72682)),
        (WGS.long, Literal(36.72339)),
        (SKOS.exactMatch, GEONAMES),
    ]:
        g.add((HOMS, p, o))
    g.add((FACILITY, RDF.type, SK.Facility))
    g.add((FACILITY, RDFS.label, Literal("Alpha base")))
    g.add((FACILITY, SK.locatedIn, HOMS))
    g.add((SLASHED, RDFS.label, Literal("an article with a slash in its id")))
    g.add((ACCENTED, RDFS.label, Literal("Café")))
    return g


def store_of(graph: rdflib.Graph) -> KGStore:
    store = KGStore()
    if len(graph):
        store.replace_graphs({f"{BASE}graph/test": graph.serialize(format="nt")})
    return store


def app_for(graph: rdflib.Graph, settings: Settings) -> Flask:
    return create_app(settings, store_of(graph))


@pytest.fixture(scope="module")
def client(settings: Settings) -> FlaskClient:
    return app_for(small_graph(), settings).test_client()


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path, headers=BROWSER)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def assert_escaped(html: str) -> None:
    """No markup from the article survives unescaped; its escaped text is there instead."""
    for raw in ("<script>alert", "<img src=x", "<b>outlet", 'href="javascript:'):
        assert raw not in html
    assert "&lt;script&gt;alert(" in html


# -- Content negotiation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "format_param", "from_browser", "expected"),
    [
        (BROWSER["Accept"], None, True, "html"),
        ("*/*", None, True, "html"),
        ("*/*", None, False, "turtle"),
        (None, None, False, "turtle"),
        ("text/turtle", None, True, "turtle"),
        ("application/ld+json", None, False, "jsonld"),
        ("application/json", None, False, "jsonld"),
        ("application/n-triples", None, False, "ntriples"),
        ("application/rdf+xml", None, False, "rdfxml"),
        ("text/html;q=0.5, text/turtle", None, True, "turtle"),
        ("text/turtle;q=0.5, text/html", None, False, "html"),
        ("text/html", "jsonld", True, "jsonld"),
        ("text/turtle", "html", False, "html"),
        ("text/turtle", "json", False, "jsonld"),
        ("text/csv", None, True, None),
        (None, "csv", False, None),
    ],
)
def test_representation_follows_format_then_accept(
    accept: str | None, format_param: str | None, from_browser: bool, expected: str | None
) -> None:
    chosen = choose_representation(accept, format_param, from_browser=from_browser)
    assert (chosen.name if chosen else None) == expected


def test_turtle_by_accept_holds_what_the_graph_says(client: FlaskClient) -> None:
    response = client.get("/id/strike/s1", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert "Accept" in response.headers["Vary"]
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert (STRIKE, SK.location, HOMS) in graph
    assert (REPORT, SK.describes, STRIKE) in graph  # incoming triples too
    assert (HOMS, RDFS.label, None) not in graph  # only triples that name the resource


def test_json_ld_by_accept_parses(client: FlaskClient) -> None:
    response = client.get("/id/entity/homs", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="json-ld")
    assert (HOMS, SKOS.exactMatch, GEONAMES) in graph
    assert (STRIKE, SK.location, HOMS) in graph


@pytest.mark.parametrize(("name", "rdflib_format"), [("ntriples", "nt"), ("rdfxml", "xml")])
def test_format_parameter_overrides_accept(
    client: FlaskClient, name: str, rdflib_format: str
) -> None:
    response = client.get(f"/id/entity/homs?format={name}", headers=BROWSER)
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)
    assert (HOMS, RDFS.label, Literal("Homs")) in graph


def test_a_browser_gets_a_table_of_properties_with_labels_and_links(client: FlaskClient) -> None:
    html = page(client, "/id/entity/homs")
    assert "<h1>Homs</h1>" in html
    assert 'href="/id/strike/s1"' in html  # referred to by the strike, linked locally
    assert f'href="{GEONAMES}"' in html  # external IRIs link out
    assert "wgs:lat" in html and "34.72682" in html


def test_curl_gets_turtle_and_a_browser_html_for_star(client: FlaskClient) -> None:
    assert client.get("/id/entity/homs", headers={"Accept": "*/*"}).mimetype == "text/turtle"
    response = client.get("/id/entity/homs", headers={**BROWSER, "Accept": "*/*"})
    assert response.mimetype == "text/html"


def test_unknown_resources_are_404_with_a_message(client: FlaskClient) -> None:
    response = client.get("/id/strike/nothing", headers=BROWSER)
    assert response.status_code == 404
    body = response.get_json()
    assert f"<{BASE}strike/nothing>" in body["error"]
    assert "says nothing" in body["error"]


@pytest.mark.parametrize("path", ["/id/a%3Eb", "/id/a%20b", "/id/%7B%7D", '/id/a"b'])
def test_paths_that_are_no_iri_are_404(client: FlaskClient, path: str) -> None:
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404


def test_unacceptable_accept_is_406(client: FlaskClient) -> None:
    response = client.get("/id/entity/homs", headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_json()["error"]


def test_escaped_and_non_ascii_iris_dereference(client: FlaskClient) -> None:
    # %2F stays an escape in the IRI; a browser's escape of a non-ASCII letter does not.
    assert "slash in its id" in page(client, "/id/doc/a%2Fb")
    assert "<h1>Café</h1>" in page(client, "/id/entity/caf%C3%A9")


@pytest.mark.parametrize("module", [pages, resources])
def test_docstring_examples(module: ModuleType) -> None:
    assert doctest.testmod(module).failed == 0


def test_iri_from_uri_decodes_only_non_ascii() -> None:
    assert iri_from_uri("caf%C3%A9%2F%41") == "café%2F%41"
    assert iri_from_uri("bad%C3") == "bad%C3"


def test_the_base_is_mapped_under_id(settings: Settings) -> None:
    other = "https://example.org/kg/"
    graph = rdflib.Graph()
    graph.add((URIRef(f"{other}entity/x"), RDFS.label, Literal("X")))
    graph.add((URIRef(f"{other}entity/y"), SKOS.related, URIRef(f"{other}entity/x")))
    app = app_for(graph, settings.with_overrides(base=other))
    html = page(app.test_client(), "/id/entity/y")
    assert 'href="/id/entity/x"' in html and ">X</a>" in html


# -- Strike, report and article pages ---------------------------------------------------------


def test_strike_page_shows_merged_values_and_highlighted_evidence(client: FlaskClient) -> None:
    html = page(client, "/id/strike/s1")
    assert 'class="badge contested"' in html
    assert 'href="/id/entity/homs"' in html and 'href="/id/entity/alpha-base"' in html
    evidence = re.search(r'<mark class="evidence">(.*?)</mark>(?!<sup)', html, re.S)
    assert evidence is not None
    assert '<mark class="mention" title="target">Alpha base</mark>' in html
    assert '<mark class="mention" title="location">Homs</mark><sup class="role">location' in html
    text_only = re.sub(r"<[^>]+>", "", re.sub(r'<sup class="role">.*?</sup>', "", html))
    assert SENTENCE in text_only  # the whole sentence, cut only by marks


def test_report_and_article_pages_mark_evidence_and_anchor_fragments(client: FlaskClient) -> None:
    report = page(client, "/id/doc/d1/report/1")
    assert '<mark class="mention" title="target">Alpha base</mark>' in report
    article = page(client, "/id/doc/d1")
    assert f'id="char=0,{len(SENTENCE)}"' in article  # #char=b,e links scroll here
    assert f'href="/id/doc/d1#char=0,{len(SENTENCE)}"' in article
    assert '<mark class="evidence">' in article


@pytest.mark.parametrize(
    "path", ["/id/strike/s1", "/id/doc/d1/report/1", "/id/doc/d1", "/id/doc/d1#char=0,4", "/"]
)
def test_article_text_is_escaped_on_every_page(client: FlaskClient, path: str) -> None:
    html = page(client, path)
    for raw in ("<script>alert", "<img src=x", "<b>outlet", 'href="javascript:'):
        assert raw not in html
    if path != "/":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_pages_forbid_inline_scripts(client: FlaskClient) -> None:
    response = client.get("/id/strike/s1", headers=BROWSER)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_highlight_cuts_text_at_every_boundary() -> None:
    text = "Jets hit Homs. Quiet."
    segments = highlight(text, [(0, 14), (0, 99)], [Mention(9, 13, "location")], [(15, 21)])
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.evidence, s.roles, s.closes) for s in segments[:3]] == [
        ("Jets hit ", True, (), ()),
        ("Homs", True, ("location",), ("location",)),
        (".", True, (), ()),
    ]
    assert segments[-1].anchors == ("char=15,21",)
    assert highlight("", [(3, 5)], [Mention(-4, 2, "x")]) == []


# -- The index --------------------------------------------------------------------------------


def test_index_has_the_editor_and_every_saved_query(client: FlaskClient) -> None:
    html = page(client, "/")
    assert '<form action="/sparql" method="get">' in html
    assert '<textarea id="query" name="query"' in html
    for query in saved_queries():
        assert f'data-name="{query.name}"' in html
    assert 'src="/assets/app.js"' in html
    # Everything the page loads comes from this server: it works offline.
    for tag in re.findall(r"<(?:script|link|img)\b[^>]*>", html):
        assert re.search(r'(?:src|href)="/', tag), tag


def test_saved_and_query_parameters_fill_the_editor(client: FlaskClient) -> None:
    assert "ORDER BY" in page(client, "/?saved=articles").split('name="query"', 1)[1]
    assert "ASK { ?s ?p ?o }" in page(client, "/?query=ASK+%7B+%3Fs+%3Fp+%3Fo+%7D")
    assert client.get("/?saved=no-such-query", headers=BROWSER).status_code == 404


def test_the_form_works_without_javascript(client: FlaskClient) -> None:
    response = client.get("/sparql?query=ASK%7B%7D&format=json")
    assert response.get_json()["boolean"] is True


def test_index_draws_strikes_on_a_timeline_and_a_map(client: FlaskClient) -> None:
    html = page(client, "/")
    timeline_svg = html.split('<svg class="timeline"', 1)[1].split("</svg>", 1)[0]
    map_svg = html.split('<svg class="map"', 1)[1].split("</svg>", 1)[0]
    assert timeline_svg.count('class="mark"') == 2  # a day and a month
    assert timeline_svg.count('class="range"') == 1  # the month spans its days
    assert map_svg.count('class="mark"') == 1  # only s1 has a place
    assert 'href="/id/strike/s1"' in map_svg and ">Homs<" in map_svg
    assert "N</text>" in map_svg and "E</text>" in map_svg  # a graticule


def test_index_without_strikes(settings: Settings) -> None:
    html = page(app_for(rdflib.Graph(), settings).test_client(), "/")
    assert "holds no strikes yet" in html


def test_static_assets_are_served(client: FlaskClient) -> None:
    for name in ("app.js", "style.css", "favicon.svg"):
        assert client.get(f"/assets/{name}").status_code == 200


def test_layouts_keep_marks_inside_the_drawing() -> None:
    strikes = read_strikes(
        functools.partial(select_rows, InlineEngine(store_of(small_graph()), Limits()))
    )
    line, drawn = timeline(strikes), strike_map(strikes)
    assert len(line.marks) == 2 and len(drawn.marks) == 1
    assert all(0 <= m.x <= line.width and 0 <= m.y <= line.height for m in line.marks)
    assert all(0 <= m.x <= drawn.width and 0 <= m.y <= drawn.height for m in drawn.marks)


# -- The sample articles, read by the real pipeline -------------------------------------------


@pytest.fixture(scope="module")
def samples(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """The bundled samples and the XSS probe article, ingested once for the module."""
    store = KGStore()
    probe = write_probe(tmp_path_factory.mktemp("probe"))
    report = ingest([SAMPLES_DIR, probe], store, settings)
    assert report.stored == 3, report.failed
    yield create_app(settings, store).test_client()


def strike_paths(client: FlaskClient) -> list[str]:
    query = f"SELECT ?s WHERE {{ ?s a <{SK.Strike}> }} ORDER BY ?s"
    response = client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    return [
        "/id/" + b["s"]["value"].removeprefix(BASE)
        for b in response.get_json()["results"]["bindings"]
    ]


@pytest.mark.model
def test_every_sample_strike_page_marks_its_evidence(samples: FlaskClient) -> None:
    paths = strike_paths(samples)
    assert len(paths) >= 5
    for path in paths:
        html = page(samples, path)
        assert '<mark class="evidence">' in html, path
        assert '<mark class="mention"' in html, path
        assert '<div class="article-text">' in html, path


@pytest.mark.model
def test_every_iri_of_the_strikes_query_dereferences(samples: FlaskClient) -> None:
    sparql = next(q.text for q in saved_queries() if q.name == "strikes")
    response = samples.post(
        "/sparql", data={"query": sparql}, headers={"Accept": "application/sparql-results+json"}
    )
    iris = {
        value["value"].split("#", 1)[0]
        for binding in response.get_json()["results"]["bindings"]
        for value in binding.values()
        if value["type"] == "uri" and value["value"].startswith(BASE)
    }
    assert len(iris) > 10
    for iri in sorted(iris):
        turtle = samples.get("/id/" + iri.removeprefix(BASE), headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200, iri
        assert len(rdflib.Graph().parse(data=turtle.get_data(as_text=True), format="turtle")) > 0
        page(samples, "/id/" + iri.removeprefix(BASE))


@pytest.mark.model
def test_sample_index_draws_every_dated_and_located_strike(samples: FlaskClient) -> None:
    html = page(samples, "/")
    timeline_svg = html.split('<svg class="timeline"', 1)[1].split("</svg>", 1)[0]
    map_svg = html.split('<svg class="map"', 1)[1].split("</svg>", 1)[0]
    assert timeline_svg.count('class="mark"') >= 2
    assert map_svg.count('class="mark"') >= 4
    linked = set(re.findall(r'href="(/id/strike/[^"]+)"', timeline_svg + map_svg))
    assert linked <= set(strike_paths(samples))


@pytest.mark.model
def test_probe_article_markup_is_escaped_on_its_pages(samples: FlaskClient) -> None:
    doc = page(samples, f"/id/doc/{PROBE_ID}")
    strike = re.search(r'href="(/id/strike/[^"]+)"', page(samples, f"/id/doc/{PROBE_ID}/report/1"))
    assert strike is not None
    for html in (doc, page(samples, strike[1]), page(samples, "/")):
        assert PROBE_SCRIPT not in html and PROBE_IMG not in html and PROBE_OUTLET not in html
        assert 'onerror="window' not in html
        assert 'href="javascript:' not in html
    assert "&lt;script&gt;window.__xss=" in doc
