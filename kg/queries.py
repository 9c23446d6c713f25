"""Saved SPARQL queries (``queries/*.rq``) and the store's summary statistics.

A saved query is named by its file name without ``.rq``; names are plain words, so a name
can never reach outside the queries directory. Each file opens with ``#`` comment lines that
describe it; the first is its title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import QueryError
from kg.resources import queries_dir
from kg.store import KGStore
from kg.vocab import ITSRDF, NIF, PROV, RDF, SCHEMA, SK

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class SavedQuery:
    """A query file of ``queries/``."""

    name: str
    title: str
    description: str
    text: str


def saved_queries(directory: Path | None = None) -> list[SavedQuery]:
    """Every saved query, sorted by name."""
    directory = directory or queries_dir()
    return [_read(path) for path in sorted(directory.glob("*.rq"))]


def saved_query(name: str, directory: Path | None = None) -> SavedQuery:
    """The saved query called ``name``.

    Raises:
        QueryError: the name is not a plain word or no such query exists.
    """
    if not _NAME.match(name):
        raise QueryError(f"{name!r} is not a saved query name (letters, digits, - and _ only)")
    path = (directory or queries_dir()) / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(q.name for q in saved_queries(directory)) or "none"
        raise QueryError(f"no saved query called {name!r}; saved queries: {known}")
    return _read(path)


def _read(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    comments = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line.lstrip("# ").rstrip())
    title = comments[0] if comments else path.stem
    return SavedQuery(path.stem, title, " ".join(c for c in comments[1:] if c), text)


_COUNTS = {
    "articles": f"SELECT (COUNT(?d) AS ?n) WHERE {{ ?d <{RDF.type}> <{SCHEMA.NewsArticle}> }}",
    "sentences": f"SELECT (COUNT(?s) AS ?n) WHERE {{ ?s <{RDF.type}> <{NIF.Sentence}> }}",
    "mentions": f"SELECT (COUNT(?m) AS ?n) WHERE {{ ?m <{ITSRDF.taIdentRef}> ?e }}",
    "runs": f"SELECT (COUNT(?r) AS ?n) WHERE {{ ?r <{RDF.type}> <{PROV.Activity}> }}",
}


def article_count(store: KGStore) -> int:
    """How many articles the store holds."""
    return int(str(store.query(_COUNTS["articles"]).rows()[0]["n"]))


def store_stats(store: KGStore) -> dict[str, int]:
    """Counts of what the store holds: quads, graphs, articles, sentences, mentions,
    entities of each class, runs."""
    stats = {"quads": len(store), "named graphs": len(store.named_graphs())}
    for name, query in _COUNTS.items():
        stats[name] = int(str(store.query(query).rows()[0]["n"]))
    by_class = f"""SELECT ?cls (COUNT(DISTINCT ?e) AS ?n) WHERE {{
        ?m <{ITSRDF.taIdentRef}> ?e . ?e <{RDF.type}> ?cls .
        FILTER(STRSTARTS(STR(?cls), "{SK._NS}")) }} GROUP BY ?cls ORDER BY ?cls"""
    for row in store.query(by_class).rows():
        local = str(row["cls"]).removeprefix(str(SK._NS))
        stats[f"entities: {local}"] = int(str(row["n"]))
    return stats
