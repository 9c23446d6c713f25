"""Check the graph against the SHACL shapes of ``ontology/shapes.ttl``.

The store is exported as the union of all its graphs, because shapes cross graphs: a mention
in an article graph names an entity of the shared graph, an article points at its ingest run.
The ontology is mixed in so that concepts (``sk:Day``...) are known with their types. The
shapes target explicitly stated classes, so no inference is run: Oxigraph does none either,
and what the endpoint answers is what is validated.

Non-conformance is a result (``ValidationReport.conforms``), not an error;
``ValidationError`` means the input or the shapes could not be read at all.

Example:
    >>> report = validate_graph_text(b"", "ntriples")
    >>> report.conforms, report.text()
    (True, 'The graph conforms to the shapes.')
"""

from __future__ import annotations

import functools
import io
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyshacl
from pyparsing import ParseException
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor, Result
from rdflib.term import Identifier, Node

from kg.errors import ValidationError
from kg.resources import ontology_file
from kg.store import KGStore
from kg.vocab import PREFIXES, SH

# Store format names -> rdflib parser names.
_RDFLIB_FORMATS = {
    "turtle": "turtle",
    "ntriples": "nt",
    "nquads": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
    "rdfxml": "xml",
}
_DATASET_FORMATS = frozenset({"nquads", "trig"})
_SHORT_PREFIXES = {**PREFIXES, "shp": "https://w3id.org/strike-kg/shapes#"}


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result.

    Attributes:
        focus_node: the node that fails, as an IRI (or ``_:id`` for a blank node).
        path: the property the constraint is about, as an IRI, if any.
        message: what is wrong, from the shape's ``sh:message`` or pySHACL.
        severity: ``Violation``, ``Warning`` or ``Info``.
        shape: the named shape that failed (``shp:DocumentShape``...), shortened.
        value: the offending value, if the result names one.
    """

    focus_node: str
    path: str | None
    message: str
    severity: str
    shape: str
    value: str | None = None

    def text(self) -> str:
        """One line: severity, focus node, path and message."""
        path = f" {shorten(self.path)}" if self.path else ""
        return f"{self.severity}: <{self.focus_node}>{path}: {self.message} [{self.shape}]"


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a graph: whether it conforms and every result."""

    conforms: bool
    violations: tuple[Violation, ...]

    def for_node(self, focus_node: str) -> tuple[Violation, ...]:
        """The results whose focus node is ``focus_node``."""
        return tuple(v for v in self.violations if v.focus_node == focus_node)

    def text(self) -> str:
        """A human-readable summary, one line per result."""
        if self.conforms and not self.violations:
            return "The graph conforms to the shapes."
        lines = [f"{len(self.violations)} SHACL result(s); conforms: {self.conforms}"]
        lines += [v.text() for v in self.violations]
        return "\n".join(lines)


def validate_store(
    store: KGStore, *, shapes: Path | None = None, ontology: Path | None = None
) -> ValidationReport:
    """Validate the union of every graph of ``store`` against the shapes.

    Args:
        store: the store to check; it is only read.
        shapes: a SHACL Turtle file; the bundled ``shapes.ttl`` by default.
        ontology: the ontology mixed into the data; the bundled ``strike-kg.ttl`` by default.
    """
    buffer = io.BytesIO()
    # A triple format dumps the union of all graphs, which is what the shapes expect.
    store.dump(buffer, "ntriples")
    return validate_graph_text(buffer.getvalue(), "ntriples", shapes=shapes, ontology=ontology)


def validate_graph_text(
    data: bytes,
    format_name: str,
    *,
    shapes: Path | None = None,
    ontology: Path | None = None,
) -> ValidationReport:
    """Validate RDF given as bytes in one of the store's format names.

    Datasets (``nquads``, ``trig``) are validated as the union of their graphs.

    Raises:
        ValidationError: the data, the shapes or the ontology cannot be parsed.
    """
    data_graph = _parse_data(data, format_name)
    shapes_graph = _parse_file(shapes or ontology_file("shapes.ttl"), "shapes")
    ontology_graph = _parse_file(ontology or ontology_file(), "ontology")
    return validate_graph(data_graph, shapes_graph, ontology_graph)


def validate_graph(data: Graph, shapes: Graph, ontology: Graph | None = None) -> ValidationReport:
    """Validate an rdflib graph against ``shapes``, with ``ontology`` added to a copy of it."""
    graph = data if isinstance(data, _QueryCachingGraph) else _QueryCachingGraph() + data
    if ontology is not None:
        # All of it, as the store's ontology graph would be: pySHACL's own ont_graph mixing
        # copies class and property axioms but not individuals, so the concepts (sk:Day...)
        # would lose their types and every sh:class sk:DatePrecision would fail.
        graph += ontology
    try:
        conforms, results, _ = pyshacl.validate(
            graph, shacl_graph=shapes, inference="none", inplace=True
        )
    except pyshacl.errors.ReportableRuntimeError as error:
        raise ValidationError(f"SHACL validation could not run: {error.message}") from None
    except ParseException as error:
        raise ValidationError(
            f"a SPARQL constraint in the shapes does not parse: {error}"
        ) from None
    if not isinstance(results, Graph):
        # A SHACL "failure" (a malformed shape, not a non-conforming graph) comes back as a value.
        raise ValidationError(f"the SHACL shapes are unusable: {results}")
    violations = _violations(results, shapes)
    return ValidationReport(conforms=bool(conforms), violations=violations)


def shorten(iri: str) -> str:
    """Write ``iri`` as a prefixed name when a known prefix fits.

    Example:
        >>> shorten("https://w3id.org/strike-kg/ontology#killed")
        'sk:killed'
    """
    for prefix, namespace in _SHORT_PREFIXES.items():
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and local and "/" not in local and "#" not in local:
            return f"{prefix}:{local}"
    return iri


class _QueryCachingGraph(Graph):
    """An in-memory rdflib graph that parses each distinct SPARQL query text once per process.

    pySHACL runs every ``sh:sparql`` constraint once per focus node, with the same text and
    ``$this`` pre-bound; rdflib would parse the text anew each time (20-40 ms), which made
    parsing nearly all of the validation time. The graph is always rdflib's own memory store
    (the Oxigraph store is dumped into it, never wrapped): a prepared query is evaluated by
    rdflib's engine, which is the engine of a memory store anyway, whereas on an
    Oxigraph-backed graph it would bypass Oxigraph.
    """

    def __init__(self) -> None:
        super().__init__(store="default")

    def query(
        self,
        query_object: str | Query,
        processor: str | Processor = "sparql",
        result: str | type[Result] = "sparql",
        initNs: Mapping[str, Any] | None = None,
        initBindings: Mapping[str, Identifier] | None = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if isinstance(query_object, str) and initNs is None:
            query_object = _prepare(query_object)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


@functools.lru_cache(maxsize=256)
def _prepare(sparql: str) -> Query:
    # Only pySHACL's constraints on the memory graph above come here: parsing each text once
    # saves most of the validation time. The prefixes are those rdflib offers an unprepared
    # query.
    return prepareQuery(sparql, initNs=dict(Graph().namespaces()))


# -- parsing -------------------------------------------------------------------------------


def _parse_data(data: bytes, format_name: str) -> Graph:
    if format_name not in _RDFLIB_FORMATS:
        raise ValidationError(
            f"cannot validate data in format {format_name!r}; "
            f"choose one of {', '.join(_RDFLIB_FORMATS)}"
        )
    rdflib_format = _RDFLIB_FORMATS[format_name]
    try:
        if format_name in _DATASET_FORMATS:
            dataset = Dataset()
            with warnings.catch_warnings():
                # rdflib's own N-Quads parser uses its deprecated Dataset.default_context.
                warnings.simplefilter("ignore", DeprecationWarning)
                dataset.parse(data=data, format=rdflib_format)
            union = _QueryCachingGraph()
            for subject, predicate, obj, _ in dataset.quads((None, None, None, None)):
                union.add((subject, predicate, obj))
            return union
        return _QueryCachingGraph().parse(data=data, format=rdflib_format)
    except Exception as error:  # rdflib's parsers raise many unrelated exception types
        raise ValidationError(f"cannot parse the {format_name} data to validate: {error}") from None


def _parse_file(path: Path, what: str) -> Graph:
    try:
        return Graph().parse(path, format="turtle")
    except FileNotFoundError:
        raise ValidationError(f"the {what} file {path} does not exist") from None
    except Exception as error:  # rdflib's parsers raise many unrelated exception types
        raise ValidationError(f"cannot parse the {what} file {path} as Turtle: {error}") from None


# -- results -------------------------------------------------------------------------------


def _violations(results: Graph, shapes: Graph) -> tuple[Violation, ...]:
    found = [_violation(results, result, shapes) for result in _results(results)]
    return tuple(sorted(found, key=lambda v: (v.focus_node, v.path or "", v.message)))


def _results(results: Graph) -> Iterable[Node]:
    # Only top-level results: those of nested shapes (sh:node) also appear as sh:detail.
    return results.objects(None, SH.result, unique=True)


def _violation(results: Graph, result: Node, shapes: Graph) -> Violation:
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    severity = results.value(result, SH.resultSeverity)
    message = "; ".join(sorted(str(m) for m in results.objects(result, SH.resultMessage)))
    details = _detail_messages(results, result)
    if details:
        message = f"{message} ({details})"
    return Violation(
        focus_node=_node_text(results.value(result, SH.focusNode)),
        path=str(path) if isinstance(path, URIRef) else None,
        message=message or "constraint not satisfied",
        severity=str(severity).rsplit("#", 1)[-1],
        shape=_shape_name(shapes, results.value(result, SH.sourceShape)),
        value=_node_text(value) if value is not None else None,
    )


def _detail_messages(results: Graph, result: Node) -> str:
    """Why a nested shape (``sh:node``) failed, from pySHACL's ``sh:detail`` results."""
    messages = {
        str(message)
        for detail in results.objects(result, SH.detail)
        for message in results.objects(detail, SH.resultMessage)
    }
    return "; ".join(sorted(messages))


def _node_text(node: Node | None) -> str:
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        return str(node)
    return str(node) if node is not None else ""


def _shape_name(shapes: Graph, shape: Node | None) -> str:
    """Name an anonymous property or SPARQL shape by the named shape that holds it."""
    seen: set[Node] = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parent = next(shapes.subjects(None, shape), None)
        if parent is None:
            break
        shape = parent
    return shorten(str(shape)) if isinstance(shape, URIRef) else "anonymous shape"
