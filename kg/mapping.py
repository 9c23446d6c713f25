"""From extracted plain data to RDF: the only stage that knows RDF terms.

Each article becomes one named graph, written as N-Triples text (the store loads it in one
transaction; ``kg dump`` and later shard files reuse the same text). Sentences and mentions
are NIF offset strings ``{base}doc/{id}#char={begin},{end}`` whose ``nif:anchorOf`` is exactly
``text[begin:end]`` of the article's ``nif:isString``. Things shared by many articles
(canonical entities, ingest runs) go to the ``{base}graph/kg`` graph, once each.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from kg.entities import Analysis, EntityKind
from kg.ingest import Article
from kg.vocab import ITSRDF, NIF, PROV, RDF, RDFS, SCHEMA, SK, SKOS, XSD

WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"


@dataclass(frozen=True)
class Iris:
    """Mints every IRI of the graph under one base.

    Example:
        >>> Iris("https://example.org/").char("a1", 0, 5)
        'https://example.org/doc/a1#char=0,5'
    """

    base: str

    def doc(self, doc_id: str) -> str:
        return f"{self.base}doc/{doc_id}"

    def char(self, doc_id: str, begin: int, end: int) -> str:
        return f"{self.base}doc/{doc_id}#char={begin},{end}"

    def doc_graph(self, doc_id: str) -> str:
        return f"{self.base}graph/doc/{doc_id}"

    def entity(self, key: str) -> str:
        return f"{self.base}entity/{key}"

    def run(self, run_id: str) -> str:
        return f"{self.base}run/{run_id}"

    @property
    def doc_graph_prefix(self) -> str:
        return f"{self.base}graph/doc/"

    @property
    def entity_prefix(self) -> str:
        return f"{self.base}entity/"

    @property
    def kg_graph(self) -> str:
        return f"{self.base}graph/kg"

    @property
    def ontology_graph(self) -> str:
        return f"{self.base}graph/ontology"


@dataclass(frozen=True)
class ArticleGraph:
    """One article's named graph, ready to store.

    Attributes:
        doc_id: the article's id.
        graph: the named graph's IRI.
        ntriples: the graph's triples as N-Triples.
        entities: IRIs of the entities its mentions name.
    """

    doc_id: str
    graph: str
    ntriples: str
    entities: frozenset[str]


@dataclass(frozen=True)
class RunInfo:
    """One ingest run, a ``prov:Activity``."""

    run_id: str
    started: datetime.datetime
    model_name: str
    model_version: str
    software_version: str


@dataclass(frozen=True)
class EntityRecord:
    """A canonical entity as consolidated over every article that names it."""

    key: str
    kind: EntityKind
    name: str
    alt_labels: tuple[str, ...] = ()
    wikidata: str | None = None


# -- N-Triples terms ------------------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# One translation table escapes a whole text in C: specials, then other control characters.
_ESCAPE_TABLE = {ord(ch): escaped for ch, escaped in _ESCAPES.items()} | {
    code: f"\\u{code:04X}" for code in [*range(0x20), 0x7F] if chr(code) not in _ESCAPES
}
_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def iri(value: str) -> str:
    """Write an IRI as an N-Triples term, percent-encoding what IRIs may not contain.

    Example:
        >>> iri("http://example.org/a b")
        '<http://example.org/a%20b>'
    """
    if any(ch in value for ch in ' <>"{}|^`\\') or any(ord(ch) < 0x21 for ch in value):
        value = quote(value, safe=_IRI_SAFE)
    return f"<{value}>"


def literal(value: str | int | bool | datetime.date, datatype: str | None = None) -> str:
    """Write a literal as an N-Triples term, typed from its Python type unless given.

    Example:
        >>> literal('say "hi"'), literal(3), literal(datetime.date(2020, 5, 4))
        ('"say \\\\"hi\\\\""', '"3"^^<http://www.w3.org/2001/XMLSchema#integer>', \
'"2020-05-04"^^<http://www.w3.org/2001/XMLSchema#date>')
    """
    if isinstance(value, bool):
        lexical, datatype = str(value).lower(), datatype or str(XSD.boolean)
    elif isinstance(value, int):
        lexical, datatype = str(value), datatype or str(XSD.integer)
    elif isinstance(value, datetime.datetime):
        lexical, datatype = value.isoformat(), datatype or str(XSD.dateTime)
    elif isinstance(value, datetime.date):
        lexical, datatype = value.isoformat(), datatype or str(XSD.date)
    else:
        lexical = value
    escaped = lexical.translate(_ESCAPE_TABLE)
    return (
        f'"{escaped}"^^<{datatype}>' if datatype and datatype != str(XSD.string) else f'"{escaped}"'
    )


def _count(value: int) -> str:
    # xsd:integer, not NIF's xsd:nonNegativeInteger: Oxigraph stores derived integer types
    # as xsd:integer, so writing the latter would make dumps differ from what was written.
    return literal(value)


class _Triples:
    """Collects N-Triples lines; subjects and predicates are IRIs, objects ready terms."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self.lines.append(f"<{subject}> <{predicate}> {obj} .")

    def text(self) -> str:
        return "\n".join(self.lines) + ("\n" if self.lines else "")


# -- article graphs -------------------------------------------------------------------------


def article_graph(
    article: Article, analysis: Analysis, iris: Iris, run_iri: str, fingerprint: str
) -> ArticleGraph:
    """Map one article, its sentences and its mentions into its named graph."""
    out = _Triples()
    doc = iris.doc(article.doc_id)
    graph = iris.doc_graph(article.doc_id)
    _describe_article(out, article, doc, run_iri, fingerprint)
    out.add(graph, str(PROV.wasGeneratedBy), f"<{run_iri}>")
    sentence_iris = _describe_sentences(out, article, analysis, iris, doc)
    entities = set()
    text = article.text
    for mention in analysis.mentions:
        node = iris.char(article.doc_id, mention.begin, mention.end)
        entity = iris.entity(mention.key)
        entities.add(entity)
        _offset_string(out, node, doc, mention.begin, mention.end, text)
        out.add(node, str(RDF.type), f"<{NIF.Phrase}>")
        out.add(node, str(NIF.sentence), f"<{sentence_iris[mention.sentence]}>")
        out.add(node, str(ITSRDF.taIdentRef), f"<{entity}>")
        out.add(node, str(ITSRDF.taClassRef), f"<{SK[mention.kind.value]}>")
    return ArticleGraph(article.doc_id, graph, out.text(), frozenset(entities))


def _describe_article(
    out: _Triples, article: Article, doc: str, run_iri: str, fingerprint: str
) -> None:
    for cls in (SCHEMA.NewsArticle, NIF.Context, NIF.OffsetBasedString):
        out.add(doc, str(RDF.type), f"<{cls}>")
    out.add(doc, str(RDFS.label), literal(article.title or article.doc_id))
    out.add(doc, str(SCHEMA.identifier), literal(article.doc_id))
    out.add(doc, str(NIF.isString), literal(article.text))
    out.add(doc, str(NIF.beginIndex), _count(0))
    out.add(doc, str(NIF.endIndex), _count(len(article.text)))
    out.add(doc, str(SK.fingerprint), literal(fingerprint))
    out.add(doc, str(PROV.wasGeneratedBy), f"<{run_iri}>")
    if article.title:
        out.add(doc, str(SCHEMA.headline), literal(article.title))
    if article.url:
        out.add(doc, str(SCHEMA.url), iri(article.url))
    if article.published:
        out.add(doc, str(SCHEMA.datePublished), literal(article.published))
    if article.source:
        out.add(doc, str(SCHEMA.publisher), literal(article.source))


def _describe_sentences(
    out: _Triples, article: Article, analysis: Analysis, iris: Iris, doc: str
) -> list[str]:
    nodes = [iris.char(article.doc_id, s.begin, s.end) for s in analysis.sentences]
    for position, (node, sentence) in enumerate(zip(nodes, analysis.sentences, strict=True)):
        _offset_string(out, node, doc, sentence.begin, sentence.end, article.text)
        out.add(node, str(RDF.type), f"<{NIF.Sentence}>")
        if position + 1 < len(nodes):
            out.add(node, str(NIF.nextSentence), f"<{nodes[position + 1]}>")
    return nodes


def _offset_string(out: _Triples, node: str, doc: str, begin: int, end: int, text: str) -> None:
    out.add(node, str(RDF.type), f"<{NIF.OffsetBasedString}>")
    out.add(node, str(NIF.beginIndex), _count(begin))
    out.add(node, str(NIF.endIndex), _count(end))
    out.add(node, str(NIF.anchorOf), literal(text[begin:end]))
    out.add(node, str(NIF.referenceContext), f"<{doc}>")


# -- shared graph: runs and entities --------------------------------------------------------


def run_triples(run: RunInfo, iris: Iris, ended: datetime.datetime | None = None) -> str:
    """The ``prov:Activity`` of an ingest run (its end time once known)."""
    out = _Triples()
    node = iris.run(run.run_id)
    out.add(node, str(RDF.type), f"<{PROV.Activity}>")
    out.add(node, str(RDFS.label), literal(f"strike-kg ingest run {run.run_id}"))
    out.add(node, str(PROV.startedAtTime), literal(run.started))
    out.add(node, str(SK.modelName), literal(run.model_name))
    out.add(node, str(SK.modelVersion), literal(run.model_version))
    out.add(node, str(SK.softwareVersion), literal(run.software_version))
    if ended is not None:
        out.add(node, str(PROV.endedAtTime), literal(ended))
    return out.text()


def entity_triples(records: Iterable[EntityRecord], iris: Iris) -> str:
    """The canonical description of entities: class, label, every other surface form."""
    out = _Triples()
    for record in records:
        node = iris.entity(record.key)
        out.add(node, str(RDF.type), f"<{SK[record.kind.value]}>")
        out.add(node, str(RDFS.label), literal(record.name))
        for alt in record.alt_labels:
            out.add(node, str(SKOS.altLabel), literal(alt))
        if record.wikidata:
            out.add(node, str(SKOS.exactMatch), f"<{WIKIDATA_ENTITY}{record.wikidata}>")
    return out.text()


def entity_key(entity_iri: str, iris: Iris) -> str:
    """The key of an entity IRI minted by ``Iris.entity``."""
    return entity_iri.removeprefix(iris.entity_prefix)


def kind_of(class_iri: str) -> EntityKind | None:
    """The entity kind named by an ``sk:`` class IRI, if it is one."""
    local = class_iri.removeprefix(str(SK._NS))
    return EntityKind(local) if local in EntityKind._value2member_map_ else None
