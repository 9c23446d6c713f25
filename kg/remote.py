"""A SPARQL 1.1 server as the store, in place of the embedded Oxigraph store.

Queries go over the SPARQL 1.1 Protocol and every change is one SPARQL 1.1 Update request:
an article graph is replaced whole, with the statement of which run wrote it, in one
request, which Oxigraph and Fuseki apply as one transaction. One writer at a time: unlike
the embedded store's lock, nothing here stops a second one. Whole graphs are read
over the SPARQL 1.1 Graph Store HTTP Protocol. The server must take the union of its graphs
as the default graph, as the embedded store does (``oxigraph serve --union-default-graph``;
Fuseki's ``tdb2:unionDefaultGraph``; QLever, Virtuoso and GraphDB have the same option).

What only an embedded store can do (snapshots, compaction, file backups) is the server's
own business here: ``kg backup`` and ``kg restore`` refuse a remote store.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO

import pyoxigraph as ox

from kg.config import Settings
from kg.errors import QueryError, StoreError
from kg.store import (
    DATASET_FORMATS,
    GRAPH_FORMATS,
    STORE_DEFAULT_GRAPH,
    KGStore,
    QueryResult,
    query_form,
)

# Seconds a request to the server may take; queries the endpoint answers have their own
# limit on top of this.
TIMEOUT = 300.0


@dataclass(frozen=True)
class Endpoints:
    """Where a server answers each protocol."""

    query: str
    update: str
    graph_store: str

    @classmethod
    def of(cls, url: str) -> Endpoints:
        """The endpoints of a server from its base URL, Oxigraph's layout (``/query``,
        ``/update``, ``/store``), or three URLs joined by commas (query,update,graph-store).

        Example:
            >>> Endpoints.of("http://localhost:7878").update
            'http://localhost:7878/update'
        """
        parts = [part.strip() for part in url.split(",")]
        for part in parts:
            if not part.startswith(("http://", "https://")):
                raise StoreError(f"{part!r} is not an http(s) URL of a SPARQL server")
        if len(parts) == 3:
            return cls(*parts)
        if len(parts) != 1:
            raise StoreError(
                f"{url!r}: give the server's URL, or its query, update and graph store URLs "
                "separated by commas"
            )
        base = parts[0].rstrip("/")
        return cls(f"{base}/query", f"{base}/update", f"{base}/store")


class SparqlStore(KGStore):
    """The store on a SPARQL 1.1 server (see the module's documentation)."""

    def __init__(self, url: str) -> None:
        self.endpoints = Endpoints.of(url)
        self.url = url
        self.path = None
        self.read_only = False
        self._store = None

    def close(self) -> None:
        """Nothing to release: every request has its own connection."""

    # -- changes ---------------------------------------------------------------------------

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update on the server in one request."""
        if base_iri is not None:
            sparql = f"BASE <{base_iri}>\n{sparql}"
        self._post(self.endpoints.update, {"update": sparql}, "*/*")

    def load(self, data: bytes | IO[bytes], format_name: str, graph: str | None = None) -> None:
        """Add RDF in one of ``GRAPH_FORMATS`` (into ``graph`` if given) in one update."""
        raw = data if isinstance(data, bytes) else data.read()
        try:
            parsed = ox.parse(raw, format=GRAPH_FORMATS[format_name])
            by_graph: dict[str, list[str]] = defaultdict(list)
            for item in parsed:
                name = graph if graph else _graph_of(item)
                by_graph[name].append(f"{item.subject} {item.predicate} {item.object} .")
        except (SyntaxError, ValueError) as error:
            raise StoreError(f"cannot load {format_name} data: {error}") from None
        blocks = [
            "\n".join(lines)
            if name == STORE_DEFAULT_GRAPH
            else f"GRAPH <{name}> {{\n" + "\n".join(lines) + "\n}"
            for name, lines in by_graph.items()
        ]
        if blocks:
            self.update("INSERT DATA {\n" + "\n".join(blocks) + "\n}")

    def _add_new_graphs(self, graphs: Mapping[str, str]) -> None:
        """Add graphs the server does not hold (IRI -> its N-Quads) in one update request,
        which the server applies as one transaction."""
        if graphs:
            self.load("".join(graphs.values()).encode(), "nquads")

    def flush(self) -> None:
        """The server keeps its own writes."""

    def compact(self) -> None:
        """The server compacts its own storage."""

    def replace_all(self, nquads: object) -> None:
        raise StoreError(f"{self.url} is a SPARQL server: restore it with the server's tools")

    def backup(self, target: object) -> None:
        raise StoreError(f"{self.url} is a SPARQL server: back it up with the server's tools")

    # -- reading -----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a query on the server (SPARQL 1.1 Protocol, POST)."""
        if base_iri is not None:
            sparql = f"BASE <{base_iri}>\n{sparql}"
        form = query_form(sparql)
        fields: list[tuple[str, str]] = [("query", sparql)]
        fields += [("default-graph-uri", iri) for iri in default_graphs]
        fields += [("named-graph-uri", iri) for iri in named_graphs]
        if form == "graph":
            body = self._post(self.endpoints.query, fields, "application/n-triples")
            return _graph_result(body)
        body = self._post(self.endpoints.query, fields, "application/sparql-results+json")
        try:
            parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as error:
            raise QueryError(f"the server's answer is not SPARQL JSON results: {error}") from None
        return QueryResult(parsed)

    def has_graph(self, graph: str) -> bool:
        return (
            graph == STORE_DEFAULT_GRAPH
            or self.query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").boolean
        )

    def named_graphs(self) -> list[str]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows()
        return sorted(str(row["g"]) for row in rows)

    def __len__(self) -> int:
        """Quads in named graphs: strike-kg writes no other, and a server whose default
        graph is the union of its graphs cannot tell its own default graph apart."""
        counted = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(str(counted.rows()[0]["n"]))

    def dump(
        self,
        out: IO[bytes],
        format_name: str,
        graph: str | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> None:
        """Write the dataset (N-Quads, TriG) or one graph, read from the server."""
        fmt = GRAPH_FORMATS[format_name]
        known = dict(prefixes) if prefixes and format_name in {"turtle", "trig"} else None
        if graph is not None:
            try:
                graph_triples = list(ox.parse(self._graph(graph), format=ox.RdfFormat.N_TRIPLES))
            except SyntaxError as error:
                raise StoreError(f"the server's graph {graph} is not N-Triples: {error}") from None
            ox.serialize(graph_triples, out, format=fmt, prefixes=known)
        elif format_name in DATASET_FORMATS:
            ox.serialize(self._quads(), out, format=fmt, prefixes=known)
        else:
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in self._quads())
            ox.serialize(triples, out, format=fmt, prefixes=known)

    def quads(self) -> Iterator[tuple[str, str, str, str]]:
        for quad in self._quads():
            yield (str(quad.subject), str(quad.predicate), str(quad.object), str(quad.graph_name))

    def _quads(self) -> Iterator[ox.Quad]:
        result = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        for solution in result._native:  # type: ignore[attr-defined]
            yield ox.Quad(solution["s"], solution["p"], solution["o"], solution["g"])

    def _graph(self, graph: str) -> bytes:
        """One graph's triples, over the Graph Store HTTP Protocol."""
        url = f"{self.endpoints.graph_store}?{urllib.parse.urlencode({'graph': graph})}"
        return self._request(
            urllib.request.Request(url, headers={"Accept": "application/n-triples"})
        )

    # -- HTTP --------------------------------------------------------------------------------

    def _post(
        self, url: str, fields: Mapping[str, str] | Sequence[tuple[str, str]], accept: str
    ) -> bytes:
        body = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        )
        return self._request(request)

    def _request(self, request: urllib.request.Request) -> bytes:
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace").strip()[:2000]
            if 400 <= error.code < 500:
                raise QueryError(f"the SPARQL server refused the request: {detail}") from None
            raise StoreError(
                f"the SPARQL server at {self.url} failed ({error.code}): {detail}"
            ) from None
        except (OSError, http.client.HTTPException) as error:
            raise StoreError(f"cannot reach the SPARQL server at {self.url}: {error}") from None


def _graph_of(item: ox.Triple | ox.Quad) -> str:
    if isinstance(item, ox.Quad) and isinstance(item.graph_name, ox.NamedNode):
        return item.graph_name.value
    return STORE_DEFAULT_GRAPH


def _graph_result(ntriples: bytes) -> QueryResult:
    """A CONSTRUCT or DESCRIBE answer as the embedded store gives it: its triples, read
    through an in-memory store."""
    local = ox.Store()
    try:
        local.load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as error:
        raise QueryError(f"the server's answer is not N-Triples: {error}") from None
    return QueryResult(local.query("CONSTRUCT WHERE { ?s ?p ?o }"))


def open_store(settings: Settings) -> KGStore:
    """The store the settings name: the SPARQL server at ``store_url`` if set, else the
    embedded store at ``store_path``."""
    if settings.store_url:
        return SparqlStore(settings.store_url)
    return KGStore(settings.store_path)
