"""N-Triples terms: the only place where RDF syntax is written.

Mapping writes N-Triples text directly (escaped here once, in C, with ``str.translate``):
the store loads it in one transaction and shard files reuse it, with no per-triple Python
objects in between.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote

import pyoxigraph as ox

from kg.errors import MappingError
from kg.vocab import XSD

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# One translation table escapes a whole text in C: specials, then other control characters.
_ESCAPE_TABLE = {ord(ch): escaped for ch, escaped in _ESCAPES.items()} | {
    code: f"\\u{code:04X}" for code in [*range(0x20), 0x7F] if chr(code) not in _ESCAPES
}
_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
# Datatype IRIs as plain strings: an rdflib namespace makes a new term on each access.
_BOOLEAN, _INTEGER, _DATE_TIME, _DATE, _STRING = (
    str(XSD.boolean),
    str(XSD.integer),
    str(XSD.dateTime),
    str(XSD.date),
    str(XSD.string),
)


def iri(value: str) -> str:
    """Write an IRI as an N-Triples term, percent-encoding what IRIs may not contain.

    Example:
        >>> iri("http://example.org/a b")
        '<http://example.org/a%20b>'
    """
    return f"<{_encoded(value)}>"


def _encoded(value: str) -> str:
    """``value`` with what IRIs may not contain percent-encoded."""
    if any(ch in value for ch in ' <>"{}|^`\\') or any(ord(ch) < 0x21 for ch in value):
        return quote(value, safe=_IRI_SAFE)
    return value


def absolute_iri(value: str, field: str) -> str:
    """``iri(value)`` for an address that came with the input (``field``, an article's
    URL), checked with the store's own IRI parser: the store loads article graphs without
    checking IRIs again.

    Raises:
        MappingError: ``value`` is not an absolute IRI even once percent-encoded.

    Example:
        >>> absolute_iri("www.example.org/a", "url")
        Traceback (most recent call last):
        ...
        kg.errors.MappingError: url 'www.example.org/a' is not an absolute IRI (No scheme \
found in an absolute IRI); write it in full, e.g. https://example.org/a
    """
    encoded = _encoded(value)
    try:
        ox.NamedNode(encoded)
    except ValueError as error:
        raise MappingError(
            f"{field} {value!r} is not an absolute IRI ({error}); write it in full, "
            "e.g. https://example.org/a"
        ) from None
    return f"<{encoded}>"


def literal(value: str | int | bool | datetime.date, datatype: str | None = None) -> str:
    """Write a literal as an N-Triples term, typed from its Python type unless given.

    Example:
        >>> literal('say "hi"'), literal(3), literal(datetime.date(2020, 5, 4))
        ('"say \\\\"hi\\\\""', '"3"^^<http://www.w3.org/2001/XMLSchema#integer>', \
'"2020-05-04"^^<http://www.w3.org/2001/XMLSchema#date>')
    """
    if isinstance(value, bool):
        lexical, datatype = str(value).lower(), datatype or _BOOLEAN
    elif isinstance(value, int):
        lexical, datatype = str(value), datatype or _INTEGER
    elif isinstance(value, datetime.datetime):
        lexical, datatype = value.isoformat(), datatype or _DATE_TIME
    elif isinstance(value, datetime.date):
        lexical, datatype = value.isoformat(), datatype or _DATE
    else:
        lexical = value
    escaped = lexical.translate(_ESCAPE_TABLE)
    return f'"{escaped}"^^<{datatype}>' if datatype and datatype != _STRING else f'"{escaped}"'


def count(value: int) -> str:
    # xsd:integer, not NIF's xsd:nonNegativeInteger: Oxigraph stores derived integer types
    # as xsd:integer, so writing the latter would make dumps differ from what was written.
    return f'"{value}"^^<{_INTEGER}>'


class Triples:
    """Collects N-Triples lines; subjects and predicates are IRIs, objects ready terms."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self.lines.append(f"<{subject}> <{predicate}> {obj} .")

    def text(self) -> str:
        return "\n".join(self.lines) + ("\n" if self.lines else "")


def ref(value: str) -> str:
    """An IRI known to be safe (minted by ``Iris`` or from the vocabulary) as a term."""
    return f"<{value}>"


def decimal(value: float, places: int = 2) -> str:
    """An ``xsd:decimal`` rounded to ``places``, in the canonical form the store keeps (no
    trailing zeros), so that what is written is what a dump gives back.

    Example:
        >>> decimal(0.7), decimal(1.0), decimal(0.053)
        ('"0.7"^^<http://www.w3.org/2001/XMLSchema#decimal>', \
'"1"^^<http://www.w3.org/2001/XMLSchema#decimal>', \
'"0.05"^^<http://www.w3.org/2001/XMLSchema#decimal>')
    """
    lexical = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return literal(lexical if lexical not in {"", "-0"} else "0", str(XSD.decimal))
