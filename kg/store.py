"""The embedded Oxigraph store: the only module that knows pyoxigraph.

Writes go through SPARQL Update, which Oxigraph applies as one transaction: a batch of
articles replaces its named graphs all at once or not at all. Reads go through query strings
on the native engine; results leave this module as bytes in a requested format or as plain
rows, so callers never see Oxigraph objects.
"""

from __future__ import annotations

import io
import re
import resource
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

import pyoxigraph as ox

from kg.errors import QueryError, StoreError

# Serialisation names used across the CLI and the web layer.
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
DATASET_FORMATS = frozenset({"nquads", "trig"})
# A graph on its own has no graph names: the formats without them.
TRIPLE_FORMATS = tuple(name for name in GRAPH_FORMATS if name not in DATASET_FORMATS)
_PREFIXED = frozenset({"turtle", "trig", "rdfxml"})

# Names the store's own default graph where a dataset lists graphs (``default_graphs``):
# without it, a query's default graph is the union of every graph.
STORE_DEFAULT_GRAPH = "urn:x-strike-kg:default-graph"

_SYNTAX_POSITION = re.compile(r"error at (\d+):(\d+)")
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


@dataclass(frozen=True)
class Term:
    """An RDF term as plain data: ``kind`` is ``iri``, ``literal`` or ``bnode``."""

    kind: str
    value: str
    datatype: str | None = None
    language: str | None = None

    def __str__(self) -> str:
        return self.value


class BinaryWriter(Protocol):
    """Where a result is written: a binary file, a buffer, or a writer that sets limits."""

    def write(self, data: bytes, /) -> int:
        """Take the next chunk of the serialisation."""
        ...

    def flush(self) -> None:
        """Called once the serialisation is complete."""
        ...


class QueryResult:
    """The answer to a SPARQL query, read once: either serialised or turned into rows.

    Attributes:
        kind: ``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT and DESCRIBE).
        variables: projected variable names of a SELECT, in order.
    """

    def __init__(self, native: object) -> None:
        self._native = native
        if isinstance(native, ox.QuerySolutions):
            self.kind = "select"
            self.variables: tuple[str, ...] = tuple(v.value for v in native.variables)
        elif isinstance(native, ox.QueryBoolean):
            self.kind = "ask"
            self.variables = ()
        else:
            self.kind = "graph"
            self.variables = ("subject", "predicate", "object")

    @property
    def boolean(self) -> bool:
        """The answer of an ASK query."""
        if self.kind != "ask":
            raise QueryError(f"a {self.kind.upper()} query has no boolean answer")
        return bool(self._native)

    def formats(self) -> tuple[str, ...]:
        """The serialisation names this result can be written in."""
        return tuple(GRAPH_FORMATS) if self.kind == "graph" else tuple(RESULT_FORMATS)

    def serialize(self, format_name: str) -> bytes:
        """Serialise into a name of ``RESULT_FORMATS`` (SELECT/ASK) or ``GRAPH_FORMATS``."""
        out = io.BytesIO()
        self.serialize_to(out, format_name)
        return out.getvalue()

    def serialize_to(self, out: BinaryWriter, format_name: str) -> None:
        """Serialise into ``out`` as the results stream from the engine.

        Oxigraph evaluates lazily, so an exception that ``out.write`` raises (a size or time
        limit) stops the evaluation; it propagates unchanged.
        """
        if format_name not in self.formats():
            raise QueryError(
                f"a {self.kind.upper()} result cannot be written as {format_name!r}; "
                f"choose one of {', '.join(self.formats())}"
            )
        fmt: ox.RdfFormat | ox.QueryResultsFormat
        if self.kind == "graph":
            fmt = GRAPH_FORMATS[format_name]
            if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
                # A graph result has no graph names: its N-Quads are N-Triples, TriG is Turtle.
                fmt = ox.RdfFormat.N_TRIPLES if fmt == ox.RdfFormat.N_QUADS else ox.RdfFormat.TURTLE
        else:
            fmt = RESULT_FORMATS[format_name]
        try:
            # Oxigraph evaluates lazily: evaluation errors surface while serialising.
            self._native.serialize(out, format=fmt)  # type: ignore[attr-defined]
        except (OSError, RuntimeError, ValueError) as error:
            raise QueryError(f"the query failed: {error}") from None

    def rows(self) -> list[dict[str, Term]]:
        """SELECT rows as ``{variable: term}`` (unbound variables absent); graph results as
        ``{"subject", "predicate", "object"}`` rows; an ASK as one ``{"boolean": ...}`` row."""
        return list(self.iter_rows())

    def iter_rows(self) -> Iterator[dict[str, Term]]:
        """The rows of ``rows``, one at a time as the store produces them: a large answer
        is never held whole."""
        try:
            yield from self._rows()
        except (OSError, RuntimeError, ValueError) as error:
            raise QueryError(f"the query failed: {error}") from None

    def _rows(self) -> Iterator[dict[str, Term]]:
        if self.kind == "ask":
            yield {"boolean": Term("literal", str(self.boolean).lower(), XSD_BOOLEAN)}
        elif self.kind == "graph":
            for t in self._native:  # type: ignore[attr-defined]
                yield {
                    "subject": _term(t.subject),
                    "predicate": _term(t.predicate),
                    "object": _term(t.object),
                }
        else:
            for solution in self._native:  # type: ignore[attr-defined]
                yield {
                    name: _term(solution[name])
                    for name in self.variables
                    if solution[name] is not None
                }


@dataclass(frozen=True)
class GraphStatement:
    """What ``graph`` says of each graph that ``KGStore.replace_graphs`` writes:
    ``<that graph> <predicate> <value>``."""

    graph: str
    predicate: str
    value: str

    def about(self, subject: str) -> str:
        """The statement about ``subject`` as an N-Triples line (without newline)."""
        return f"<{subject}> <{self.predicate}> <{self.value}> ."

    def deletion(self, subject: str) -> str:
        """Update text deleting what ``graph`` says of ``subject`` with the predicate."""
        return f"DELETE WHERE {{ GRAPH <{self.graph}> {{ <{subject}> <{self.predicate}> ?o }} }}"


# Oxigraph lets RocksDB keep open as many table files as the process's descriptor limit
# allows, less this many for its own files; it reads the limit when it opens a store.
_OXIGRAPH_OWN_FILES = 48


@contextmanager
def _table_files_at_most(files: int | None) -> Iterator[None]:
    """Lower the soft descriptor limit while Oxigraph opens a store, so that RocksDB keeps
    at most ``files`` table files open; the limit is restored at once (the process opens
    other files, and Oxigraph's own number is fixed at the opening)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = None if files is None else files + _OXIGRAPH_OWN_FILES
    if limit is None or (soft != resource.RLIM_INFINITY and soft <= limit):
        yield
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


class KGStore:
    """An Oxigraph dataset on disk (or in memory when ``path`` is ``None``)."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self._store: ox.Store | None = None
        self._open()

    def _open(self, table_files: int | None = None) -> None:
        try:
            if self.path is None:
                self._store = ox.Store()
            elif self.read_only:
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                with _table_files_at_most(table_files):
                    self._store = ox.Store(str(self.path))
        except OSError as error:
            raise StoreError(
                f"cannot open the store at {self.path}: {error}. Is another strike-kg process "
                "(a server or an ingest) using it? Stop it or choose another --store."
            ) from None

    @property
    def _native(self) -> ox.Store:
        if self._store is None:
            raise StoreError(f"the store at {self.path} was closed")
        return self._store

    def close(self) -> None:
        """Release the store and its lock on the directory now, not at garbage collection."""
        if self._store is not None:
            if self.path is not None and not self.read_only:
                self._store.flush()
            self._store = None

    def reopen(self, *, table_files: int | None = None) -> None:
        """Close the on-disk store and open it again, to let go of the memory RocksDB keeps
        for the table files it was handed and has read. Writes are flushed first; an
        in-memory store is left as it is.

        Args:
            table_files: at most this many table files (at least 48) are kept open, each
                with its index in memory; ``None`` keeps as many as the descriptor limit
                allows. That memory grows with the store, and pyoxigraph has no setting for
                it; fewer open files make reads that touch many files slower.
        """
        if self.path is None or self._store is None:
            return
        self.close()
        self._open(table_files)

    def __enter__(self) -> KGStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------

    def replace_graphs(
        self, graphs: Mapping[str, str], *, said: GraphStatement | None = None
    ) -> None:
        """Replace each named graph with the N-Triples given for it: a reader, or the store
        after a crash, sees each graph whole, old or new. A graph the store holds is
        replaced in one transaction; the graphs new to it are written together, in one
        atomic ingestion of files (``_add_new_graphs``).

        Args:
            graphs: graph IRI -> its triples as N-Triples text, one statement a line as
                ``kg.mapping`` writes it, with valid IRIs (new graphs are loaded without
                checking them again); empty text drops the graph.
            said: a statement about each graph, kept in another graph and replaced with it
                in the same transaction (which run wrote it).
        """
        existing = {iri for iri in graphs if self.has_graph(iri)}
        if said is not None and len(existing) < len(graphs):
            # What was said of a graph since dropped (over the endpoint, say) goes first.
            self.update(" ;\n".join(said.deletion(iri) for iri in graphs if iri not in existing))
        new_graphs: dict[str, str] = {}
        for iri, ntriples in graphs.items():
            statement = said.about(iri) if said is not None else ""
            if iri in existing:
                operations = [f"DROP SILENT GRAPH <{iri}>"]
                if said is not None:
                    operations.append(said.deletion(iri))
                if ntriples.strip():
                    inserted = f"GRAPH <{iri}> {{\n{ntriples}\n}}"
                    if said is not None:
                        inserted += f" GRAPH <{said.graph}> {{ {statement} }}"
                    operations.append(f"INSERT DATA {{ {inserted} }}")
                self.update(" ;\n".join(operations))
            elif ntriples.strip():
                nquads = in_graph(ntriples, iri)
                if said is not None:
                    nquads += in_graph(statement + "\n", said.graph)
                new_graphs[iri] = nquads
        self._add_new_graphs(new_graphs)

    def _add_new_graphs(self, graphs: Mapping[str, str]) -> None:
        """Add graphs the store does not hold (IRI -> its N-Quads) with Oxigraph's bulk
        loader: it costs half the CPU of a transaction (it sorts each index's keys into a
        file instead of inserting them one by one), which is most of what storing an
        article costs.

        The loader parses its whole input first, then ingests one file per index in one
        RocksDB call that is atomic across indexes, crash included, for up to
        a million quads; beyond, it splits the input. So graphs go in groups of at most
        ``BULK_ATOMIC_QUADS`` quads, a graph never split (a larger one goes in a
        transaction): each group is stored whole or not at all, and a syntax error stores
        nothing of its group.
        """
        group: dict[str, str] = {}
        size = 0
        for iri, nquads in graphs.items():
            quads = nquads.count("\n")
            if quads > BULK_ATOMIC_QUADS:
                self.load(nquads.encode(), "nquads")
                continue
            if group and size + quads > BULK_ATOMIC_QUADS:
                self._bulk_load(group)
                group, size = {}, 0
            group[iri] = nquads
            size += quads
        if group:
            self._bulk_load(group)

    def _bulk_load(self, graphs: Mapping[str, str]) -> None:
        try:
            nquads = "".join(graphs.values()).encode()
            # Leniently: IRIs are not checked again (a sixth of the loader's time). The
            # graphs are kg.mapping's, whose IRIs are minted from the checked base and
            # percent-encoded ids, or checked there (an article's URL), or re-serialised
            # from a strict parse (shards); syntax is still checked.
            self._native.bulk_load(nquads, format=ox.RdfFormat.N_QUADS, lenient=True)
        except (SyntaxError, ValueError) as error:
            raise StoreError(_first_invalid(graphs) or f"cannot load N-Quads: {error}") from None

    @staticmethod
    def subjects_replacement(graph: str, subjects: Iterable[str], ntriples: str) -> str:
        """SPARQL Update text that replaces what ``graph`` says about ``subjects``."""
        operations = [KGStore.subjects_deletion(graph, subjects)]
        if ntriples.strip():
            operations.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}} }}")
        return " ;\n".join(operation for operation in operations if operation)

    @staticmethod
    def subjects_deletion(graph: str, subjects: Iterable[str]) -> str:
        """SPARQL Update text that deletes what ``graph`` says about ``subjects`` ("" for
        none): one operation, the subjects first, so that each is looked up (a ``DELETE
        WHERE`` per subject costs a parse and a plan each, 3x the time for thousands)."""
        listed = " ".join(f"<{subject}>" for subject in subjects)
        if not listed:
            return ""
        return (
            f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} "
            f"WHERE {{ VALUES ?s {{ {listed} }} GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        )

    @staticmethod
    def to_ntriples(data: bytes, format_name: str, base_iri: str | None = None) -> str:
        """Re-serialise RDF (e.g. the ontology's Turtle) as N-Triples for ``INSERT DATA``;
        relative IRIs resolve against ``base_iri``."""
        return convert_rdf(data, format_name, "ntriples", base_iri).decode()

    def has_graph(self, graph: str) -> bool:
        """Whether the named graph exists (the default graph always does)."""
        return graph == STORE_DEFAULT_GRAPH or self._native.contains_named_graph(
            ox.NamedNode(graph)
        )

    def write_graph(self, graph: str, ntriples: str, *, replace: bool, drop: bool = False) -> None:
        """Add triples to one graph (``STORE_DEFAULT_GRAPH`` or a named graph), replace its
        content (``replace``), or drop it (``drop``), in one transaction."""
        default = graph == STORE_DEFAULT_GRAPH
        target = "DEFAULT" if default else f"GRAPH <{graph}>"
        operations = [f"DROP SILENT {target}"] if replace or drop else []
        if not drop:
            if not default:  # an empty PUT or POST still makes the graph exist
                operations.append(f"CREATE SILENT GRAPH <{graph}>")
            data = ntriples if default else f"GRAPH <{graph}> {{\n{ntriples}\n}}"
            operations.append(f"INSERT DATA {{\n{data}\n}}")
        self.update(" ;\n".join(operations))

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL Update as one transaction (relative IRIs resolve against
        ``base_iri``)."""
        try:
            self._native.update(sparql, base_iri=base_iri)
        except SyntaxError as error:
            raise _query_error(error) from None
        except OSError as error:
            raise StoreError(f"the store refused the update: {error}") from None

    def load(self, data: bytes | IO[bytes], format_name: str, graph: str | None = None) -> None:
        """Load RDF in one of ``GRAPH_FORMATS`` in one transaction (into ``graph`` if given)."""
        try:
            to_graph = ox.NamedNode(graph) if graph else None
            self._native.load(data, format=GRAPH_FORMATS[format_name], to_graph=to_graph)
        except (SyntaxError, ValueError) as error:
            raise StoreError(f"cannot load {format_name} data: {error}") from None

    def flush(self) -> None:
        """Make every write durable on disk."""
        self._native.flush()

    def compact(self) -> None:
        """Rewrite the store's files into their compact form: after a large load this halves
        the files on disk and the time of queries that read much of the store (their index
        lookups then touch one level of files, not many)."""
        try:
            self._native.optimize()
        except OSError as error:
            raise StoreError(f"cannot compact the store at {self.path}: {error}") from None

    def replace_all(self, nquads: Path) -> None:
        """Empty the store, then bulk-load an N-Quads file into it: fast, but not one
        transaction (``kg.backup.restore`` keeps the previous state for that reason)."""
        try:
            self._native.clear()
            self._native.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError) as error:
            raise StoreError(
                f"cannot load {nquads} into the store at {self.path}: {error}"
            ) from None

    def backup(self, target: Path) -> None:
        """Write a consistent copy of the on-disk store to the new directory ``target``.

        Files are hard-linked where the file system allows, so a copy is cheap.
        """
        if self.path is None:
            raise StoreError("an in-memory store has no files to back up")
        try:
            self._native.backup(str(target))
        except OSError as error:
            raise StoreError(
                f"cannot back up the store at {self.path} to {target}: {error}"
            ) from None

    # -- reading -------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query.

        The dataset is, in order of precedence: the protocol's graphs when given, else the
        query's own ``FROM``/``FROM NAMED``, else the union of all graphs as default graph
        with every named graph visible.

        Args:
            sparql: the query text.
            default_graphs: IRIs whose merge is the default graph (``default-graph-uri``).
            named_graphs: IRIs of the only graphs ``GRAPH`` may see (``named-graph-uri``).
            base_iri: IRI against which relative IRIs of the query resolve.
        """
        try:
            options = _dataset_options(sparql, default_graphs, named_graphs)
            native = self._native.query(sparql, base_iri=base_iri, **options)  # type: ignore[arg-type]
        except SyntaxError as error:
            raise _query_error(error) from None
        except (OSError, ValueError, RuntimeError) as error:
            raise QueryError(f"the query failed: {error}") from None
        return QueryResult(native)

    def named_graphs(self) -> list[str]:
        """Return the IRIs of every named graph, sorted."""
        return sorted(g.value for g in self._native.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self._native)

    def dump(
        self,
        out: IO[bytes],
        format_name: str,
        graph: str | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> None:
        """Write the whole dataset (N-Quads, TriG) or one graph (any graph format).

        With ``graph=None`` and a triple format, the union of all graphs is written.
        ``prefixes`` abbreviate IRIs in the formats that have prefixes.
        """
        fmt = GRAPH_FORMATS[format_name]
        known = dict(prefixes) if prefixes and format_name in _PREFIXED else None
        if graph is not None:
            self._native.dump(out, format=fmt, from_graph=ox.NamedNode(graph), prefixes=known)
        elif format_name in DATASET_FORMATS:
            self._native.dump(out, format=fmt, prefixes=known)
        else:
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in self._native)
            ox.serialize(triples, out, format=fmt, prefixes=known)

    def quads(self) -> Iterator[tuple[str, str, str, str]]:
        """Yield every quad as N-Triples-style term strings (for tests and diffs)."""
        for quad in self._native:
            yield (str(quad.subject), str(quad.predicate), str(quad.object), str(quad.graph_name))


def _dataset_options(
    sparql: str, default_graphs: Sequence[str], named_graphs: Sequence[str]
) -> dict[str, object]:
    if not default_graphs and not named_graphs:
        return {} if has_dataset_clause(sparql) else {"use_default_graph_as_union": True}
    # Per the protocol, graphs given only one way leave the other part of the dataset empty.
    return {
        "default_graph": [
            ox.DefaultGraph() if iri == STORE_DEFAULT_GRAPH else ox.NamedNode(iri)
            for iri in default_graphs
        ],
        "named_graphs": [ox.NamedNode(iri) for iri in named_graphs],
    }


# Strings, IRIs and comments, which may contain the word FROM without it being a keyword.
_OPAQUE = re.compile(
    "|".join(
        (
            r'"""[\s\S]*?"""',
            r"'''[\s\S]*?'''",
            r'"(?:[^"\\\n]|\\.)*"',
            r"'(?:[^'\\\n]|\\.)*'",
            r'<[^<>"{}|^`\\\s]*>',
            r"#[^\n]*",
        )
    )
)
# The keyword, not a variable (?from) or a local name (ex:from).
_FROM = re.compile(r"(?<![?$\w:])FROM\b", re.IGNORECASE)


# Quads per bulk load: half the loader's own batch (1,000,000), under which its
# ingestion is one atomic RocksDB call.
BULK_ATOMIC_QUADS = 500_000
VALUES_SIZE = 300  # IRIs per VALUES block: keeps each query small


def convert_rdf(
    data: bytes, from_format: str, to_format: str, base_iri: str | None = None
) -> bytes:
    """Re-serialise RDF between two of ``GRAPH_FORMATS``."""
    try:
        triples = ox.parse(data, format=GRAPH_FORMATS[from_format], base_iri=base_iri)
        return ox.serialize(triples, format=GRAPH_FORMATS[to_format]) or b""
    except SyntaxError as error:
        raise StoreError(f"cannot parse {from_format} data: {error}") from None


def values_blocks(variable: str, iris: Iterable[str], size: int = VALUES_SIZE) -> Iterator[str]:
    """SPARQL ``VALUES`` blocks binding ``?variable`` to the IRIs, ``size`` at a time, sorted.

    Example:
        >>> list(values_blocks("e", ["urn:b", "urn:a", "urn:c"], size=2))
        ['VALUES ?e { <urn:a> <urn:b> }', 'VALUES ?e { <urn:c> }']
    """
    ordered = sorted(set(iris))
    for start in range(0, len(ordered), size):
        listed = " ".join(f"<{iri}>" for iri in ordered[start : start + size])
        yield f"VALUES ?{variable} {{ {listed} }}"


def _first_invalid(graphs: Mapping[str, str]) -> str | None:
    """What is wrong with the first graph (IRI -> N-Quads) that does not parse: a bulk
    load's own error counts lines across all of them."""
    for iri, nquads in graphs.items():
        try:
            for _ in ox.parse(nquads.encode(), ox.RdfFormat.N_QUADS):
                pass
        except SyntaxError as error:
            return f"cannot store the graph <{iri}>: {error}"
    return None


def in_graph(ntriples: str, graph: str) -> str:
    r"""N-Triples text written one statement per line, each ending " ." (as ``kg.mapping``
    writes it), as N-Quads in ``graph``. No N-Triples term holds a newline, so " ." and a
    newline end a statement and nothing else.

    Example:
        >>> in_graph('<urn:s> <urn:p> "o ." .\n<urn:s> <urn:p> <urn:o> .', "urn:g")
        '<urn:s> <urn:p> "o ." <urn:g> .\n<urn:s> <urn:p> <urn:o> <urn:g> .\n'
    """
    text = ntriples if ntriples.endswith("\n") else ntriples + "\n"
    return text.replace(" .\n", f" <{graph}> .\n")


def has_dataset_clause(sparql: str) -> bool:
    """Whether a query names its own dataset with ``FROM`` or ``FROM NAMED``.

    Example:
        >>> has_dataset_clause("SELECT * FROM <g> { ?s ?p ?o }")
        True
        >>> has_dataset_clause('SELECT * { ?s ?p "from" } # FROM')
        False
        >>> has_dataset_clause("SELECT ?from { ?s ex:from ?from }")
        False
    """
    return _has_keyword(_FROM, sparql)


_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_FORMS = {"select": "select", "ask": "ask", "construct": "graph", "describe": "graph"}
_SERVICE = re.compile(r"(?<![?$\w:])SERVICE\b", re.IGNORECASE)
_LOAD = re.compile(r"(?<![?$\w:])LOAD\b", re.IGNORECASE)


def query_form(sparql: str) -> str | None:
    """The kind of result a query gives, ``"select"``, ``"ask"`` or ``"graph"``, read from its
    first keyword after the prologue; ``None`` when there is none (the engine will say why).

    Example:
        >>> query_form("PREFIX ex: <http://example.org/select#> CONSTRUCT WHERE { ?s ?p ?o }")
        'graph'
    """
    match = _FORM.search(_code(sparql))
    return _FORMS[match[1].lower()] if match else None


def uses_service(sparql: str) -> bool:
    """Whether a query calls another endpoint with ``SERVICE``.

    Example:
        >>> uses_service("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
        True
        >>> uses_service("SELECT ?service { ?s ex:service ?service }")
        False
    """
    return _has_keyword(_SERVICE, sparql)


def uses_load(sparql: str) -> bool:
    """Whether an update fetches a document with ``LOAD``.

    Example:
        >>> uses_load("LOAD <http://example.org/data.ttl> INTO GRAPH <http://example.org/g>")
        True
    """
    return _has_keyword(_LOAD, sparql)


_WHERE = re.compile(r"\bWHERE\b|[{}]", re.IGNORECASE)
_DATASET_KEYWORD = re.compile(r"(?<![?$\w:])(USING|WITH)\b", re.IGNORECASE)


def with_using(update: str, graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """Give each ``INSERT``/``DELETE ... WHERE`` of an update the protocol's dataset
    (``using-graph-uri``, ``using-named-graph-uri``) as ``USING`` clauses.

    Raises:
        QueryError: the update names its own dataset (``USING``, ``WITH``), which the
            protocol forbids alongside the parameters.

    Example:
        >>> with_using("INSERT { ?s a <urn:T> } WHERE { ?s ?p ?o }", ["urn:g"], [])
        'INSERT { ?s a <urn:T> } USING <urn:g> WHERE { ?s ?p ?o }'
    """
    if not graphs and not named_graphs:
        return update
    masked = _code(update)
    if _DATASET_KEYWORD.search(masked):
        raise QueryError(
            "the update names its own dataset (USING or WITH) and the request gives "
            "using-graph-uri or using-named-graph-uri; send one or the other"
        )
    clauses = " ".join(
        [*(f"USING <{g}>" for g in graphs), *(f"USING NAMED <{g}>" for g in named_graphs)]
    )
    pieces, depth, last = [], 0, 0
    for match in _WHERE.finditer(masked):
        token = match[0]
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0 and masked[: match.start()].rstrip().endswith("}"):
            # WHERE after a template is a Modify operation's; DELETE WHERE takes no USING.
            pieces += [update[last : match.start()], clauses, " "]
            last = match.start()
    return "".join([*pieces, update[last:]])


def _code(sparql: str) -> str:
    """The text with strings, IRIs and comments blanked out (same length, so offsets hold):
    what is left are keywords, names and punctuation."""
    return _OPAQUE.sub(lambda m: " " * len(m[0]), sparql)


def _has_keyword(keyword: re.Pattern[str], sparql: str) -> bool:
    return keyword.search(_code(sparql)) is not None


def _query_error(error: SyntaxError) -> QueryError:
    message = str(error)
    match = _SYNTAX_POSITION.search(message)
    if match:
        return QueryError(f"SPARQL syntax error: {message}", int(match[1]), int(match[2]))
    return QueryError(f"SPARQL syntax error: {message}")


def _term(native: object) -> Term:
    if isinstance(native, ox.NamedNode):
        return Term("iri", native.value)
    if isinstance(native, ox.BlankNode):
        return Term("bnode", native.value)
    if isinstance(native, ox.Literal):
        return Term("literal", native.value, native.datatype.value, native.language)
    return Term("literal", str(native))
