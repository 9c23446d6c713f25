"""Article graphs: the article, its sentences and mentions as NIF offset strings.

Sentences and mentions are ``{base}doc/{id}#char={begin},{end}`` whose ``nif:anchorOf`` is
exactly ``text[begin:end]`` of the article's ``nif:isString``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg.entities import Analysis
from kg.events.model import Report
from kg.ingest import Article
from kg.mapping.events import describe_reports
from kg.mapping.iris import Iris
from kg.mapping.terms import Triples, absolute_iri, count, literal
from kg.store import in_graph
from kg.vocab import ITSRDF, NIF, RDF, RDFS, SCHEMA, SK


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

    @property
    def nquads(self) -> str:
        """The graph's triples as N-Quads: what ``kg extract`` writes for the article."""
        return in_graph(self.ntriples, self.graph)


# The terms every sentence and mention repeats, as strings made once: an rdflib namespace
# makes a new term on each access.
_TYPE = str(RDF.type)
_PHRASE, _SENTENCE, _OFFSET_STRING = (
    f"<{NIF.Phrase}>",
    f"<{NIF.Sentence}>",
    f"<{NIF.OffsetBasedString}>",
)
_BEGIN, _END, _ANCHOR, _CONTEXT = (
    str(NIF.beginIndex),
    str(NIF.endIndex),
    str(NIF.anchorOf),
    str(NIF.referenceContext),
)
_IN_SENTENCE, _NEXT_SENTENCE = str(NIF.sentence), str(NIF.nextSentence)
_ENTITY, _CLASS = str(ITSRDF.taIdentRef), str(ITSRDF.taClassRef)


def article_graph(
    article: Article,
    analysis: Analysis,
    iris: Iris,
    fingerprint: str,
    reports: Sequence[Report] = (),
) -> ArticleGraph:
    """Map one article, its sentences, mentions and strike reports into its named graph.

    The graph depends on the article and on what read it (the ``fingerprint``), not on when
    or where: which run stored it is said in the shared graph.
    """
    out = Triples()
    doc = iris.doc(article.doc_id)
    graph = iris.doc_graph(article.doc_id)
    _describe_article(out, article, doc, fingerprint)
    sentence_iris = _describe_sentences(out, article, analysis, iris, doc)
    entities = set()
    text = article.text
    for mention in analysis.mentions:
        node = iris.char(article.doc_id, mention.begin, mention.end)
        entity = iris.entity(mention.key)
        entities.add(entity)
        _offset_string(out, node, doc, mention.begin, mention.end, text)
        out.add(node, _TYPE, _PHRASE)
        out.add(node, _IN_SENTENCE, f"<{sentence_iris[mention.sentence]}>")
        out.add(node, _ENTITY, f"<{entity}>")
        out.add(node, _CLASS, f"<{SK[mention.kind.value]}>")
    entities |= describe_reports(out, article, analysis, reports, iris, sentence_iris)
    return ArticleGraph(article.doc_id, graph, out.text(), frozenset(entities))


def _describe_article(out: Triples, article: Article, doc: str, fingerprint: str) -> None:
    for cls in (SCHEMA.NewsArticle, NIF.Context, NIF.OffsetBasedString):
        out.add(doc, str(RDF.type), f"<{cls}>")
    out.add(doc, str(RDFS.label), literal(article.title or article.doc_id))
    out.add(doc, str(SCHEMA.identifier), literal(article.doc_id))
    out.add(doc, str(NIF.isString), literal(article.text))
    out.add(doc, str(NIF.beginIndex), count(0))
    out.add(doc, str(NIF.endIndex), count(len(article.text)))
    # The article's size, stated once, so that listing articles counts nothing at query time.
    out.add(doc, str(SCHEMA.wordCount), count(len(article.text.split())))
    out.add(doc, str(SK.fingerprint), literal(fingerprint))
    if article.title:
        out.add(doc, str(SCHEMA.headline), literal(article.title))
    if article.url:
        out.add(doc, str(SCHEMA.url), absolute_iri(article.url, "url"))
    if article.published:
        out.add(doc, str(SCHEMA.datePublished), literal(article.published))
    if article.source:
        out.add(doc, str(SCHEMA.publisher), literal(article.source))


def _describe_sentences(
    out: Triples, article: Article, analysis: Analysis, iris: Iris, doc: str
) -> list[str]:
    nodes = [iris.char(article.doc_id, s.begin, s.end) for s in analysis.sentences]
    for position, (node, sentence) in enumerate(zip(nodes, analysis.sentences, strict=True)):
        _offset_string(out, node, doc, sentence.begin, sentence.end, article.text)
        out.add(node, _TYPE, _SENTENCE)
        if position + 1 < len(nodes):
            out.add(node, _NEXT_SENTENCE, f"<{nodes[position + 1]}>")
    return nodes


def _offset_string(out: Triples, node: str, doc: str, begin: int, end: int, text: str) -> None:
    out.add(node, _TYPE, _OFFSET_STRING)
    out.add(node, _BEGIN, count(begin))
    out.add(node, _END, count(end))
    out.add(node, _ANCHOR, literal(text[begin:end]))
    out.add(node, _CONTEXT, f"<{doc}>")
