"""Check the graph against the SHACL shapes of ``ontology/shapes.ttl``.

The store is exported as the union of all its graphs, because shapes cross graphs: a mention
in an article graph names an entity of the shared graph, an article points at its ingest run.
The ontology is mixed in so that concepts (``sk:Day``...) are known with their types. The
shapes target explicitly stated classes, so no inference is run: Oxigraph does none either,
and what the endpoint answers is what is validated.

Core constraints are checked by pySHACL on an rdflib graph. SPARQL constraints
(``sh:sparql``) run on Oxigraph instead, one query per constraint over all its focus nodes:
pySHACL would run each once per focus node on rdflib's engine, orders of magnitude slower,
and Oxigraph is the engine whose answers the endpoint serves.

Non-conformance is a result (``ValidationReport.conforms``), not an error;
``ValidationError`` means the input or the shapes could not be read at all.

Example:
    >>> report = validate_graph_text(b"", "ntriples")
    >>> report.conforms, report.text()
    (True, 'The graph conforms to the shapes.')
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyshacl
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError, ValidationError
from kg.resources import ontology_file
from kg.store import KGStore, Term
from kg.vocab import PREFIXES, SH, curie

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
        path = f" {curie(self.path, _SHORT_PREFIXES)}" if self.path else ""
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

    Datasets (``nquads``, ``trig``) are validated as the union of their graphs; the ontology
    (all of it, as the store's ontology graph would be) is added to the data.

    Raises:
        ValidationError: the data, the shapes or the ontology cannot be parsed.
    """
    ontology_path = ontology or ontology_file()
    # Not pySHACL's own ont_graph mixing: it copies class and property axioms but not
    # individuals, so the concepts (sk:Day...) would lose their types and every
    # sh:class sk:DatePrecision would fail.
    graph = _parse_data(data, format_name) + _parse_file(ontology_path, "ontology")
    shapes_graph = _parse_file(shapes or ontology_file("shapes.ttl"), "shapes")
    engine = KGStore()
    engine.load(data, format_name)
    engine.load(ontology_path.read_bytes(), "turtle")
    core_results = _core_violations(graph, shapes_graph)
    sparql_results = _sparql_violations(engine, shapes_graph)
    violations = tuple(
        sorted(
            (*core_results, *sparql_results), key=lambda v: (v.focus_node, v.path or "", v.message)
        )
    )
    return ValidationReport(conforms=not violations, violations=violations)


def _core_violations(graph: Graph, shapes: Graph) -> tuple[Violation, ...]:
    """What pySHACL finds with every constraint but the SPARQL ones."""
    core_shapes = Graph() + shapes
    core_shapes.remove((None, SH.sparql, None))
    try:
        _, results, _ = pyshacl.validate(
            graph, shacl_graph=core_shapes, inference="none", inplace=True
        )
    except pyshacl.errors.ReportableRuntimeError as error:
        raise ValidationError(f"SHACL validation could not run: {error.message}") from None
    if not isinstance(results, Graph):
        # A SHACL "failure" (a malformed shape, not a non-conforming graph) comes back as a value.
        raise ValidationError(f"the SHACL shapes are unusable: {results}")
    return tuple(_violation(results, result, shapes) for result in _results(results))


# -- SPARQL constraints, on Oxigraph ---------------------------------------------------------

_TEMPLATE_VARIABLE = re.compile(r"\{[?$](\w+)\}")


def _sparql_violations(engine: KGStore, shapes: Graph) -> list[Violation]:
    """The results of every ``sh:sparql`` constraint of a node shape with targets.

    Each constraint's SELECT (which must project ``$this``) runs once, joined with its
    shape's focus nodes, instead of once per focus node with ``$this`` pre-bound: the same
    solutions, as the queries use ``$this`` only as a join variable.
    """
    violations = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        targets = _targets(shapes, shape)
        if targets is None or (constraint, SH.deactivated, Literal(True)) in shapes:
            continue
        select = str(shapes.value(constraint, SH.select))
        query = f"{_prologue(shapes, constraint)}SELECT * WHERE {{ {targets} {{ {select} }} }}"
        try:
            rows = engine.query(query).rows()
        except QueryError as error:
            raise ValidationError(
                f"a SPARQL constraint of {_shape_name(shapes, shape)} does not run: {error}"
            ) from None
        template = str(shapes.value(constraint, SH.message) or "constraint not satisfied")
        severity = shapes.value(shape, SH.severity) or SH.Violation
        for row in rows:
            path, value = row.get("path"), row.get("value")
            violations.append(
                Violation(
                    focus_node=_term_text(row["this"]),
                    path=path.value if path is not None and path.kind == "iri" else None,
                    message=_filled(template, row),
                    severity=str(severity).rsplit("#", 1)[-1],
                    shape=_shape_name(shapes, shape),
                    value=_term_text(value) if value is not None else None,
                )
            )
    return violations


def _targets(shapes: Graph, shape: Node) -> str | None:
    """A subquery binding ``?this`` to the focus nodes of ``shape``; ``None`` if it has no
    target (it is reached through ``sh:node`` only)."""
    patterns = [f"{{ ?this a <{c}> }}" for c in shapes.objects(shape, SH.targetClass)]
    patterns += [f"{{ VALUES ?this {{ <{n}> }} }}" for n in shapes.objects(shape, SH.targetNode)]
    patterns += [f"{{ ?this <{p}> [] }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
    patterns += [f"{{ [] <{p}> ?this }}" for p in shapes.objects(shape, SH.targetObjectsOf)]
    if not patterns:
        return None
    return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(patterns)} }} }}"


def _prologue(shapes: Graph, constraint: Node) -> str:
    """``PREFIX`` lines for the declarations the constraint's ``sh:prefixes`` point at."""
    lines = [
        f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
        for owner in shapes.objects(constraint, SH.prefixes)
        for d in shapes.objects(owner, SH.declare)
    ]
    return "".join(lines)


def _filled(template: str, row: dict[str, Term]) -> str:
    """An ``sh:message`` with ``{?var}`` and ``{$var}`` replaced by the row's values."""

    def value(match: re.Match[str]) -> str:
        term = row.get(match[1])
        return _term_text(term) if term is not None else match[0]

    return _TEMPLATE_VARIABLE.sub(value, template)


def _term_text(term: Term) -> str:
    return f"_:{term.value}" if term.kind == "bnode" else term.value


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
            union = Graph()
            for subject, predicate, obj, _ in dataset.quads((None, None, None, None)):
                union.add((subject, predicate, obj))
            return union
        return Graph().parse(data=data, format=rdflib_format)
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
    return curie(str(shape), _SHORT_PREFIXES) if isinstance(shape, URIRef) else "anonymous shape"
