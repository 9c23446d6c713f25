"""The ingest stage: read news articles from files, directories, globs and stdin.

Formats: the seed header format (``URL :``, ``ID :``, ``Date :``, ``Title :``, then
``Ariticle :`` and the body), plain text, and JSON Lines (``id``, ``url``, ``source``,
``published``, ``title``, ``text``). ``read_articles`` yields an ``Article`` for each good
article and a ``kg.errors.IngestError`` (naming the file and line) for each bad input, so
one bad file never stops a run.

Text rules, for every format: a UTF-8 BOM is dropped, ``\\r\\n`` and lone ``\\r`` become
``\\n``, and leading/trailing whitespace of the body is stripped; everything else is kept
exactly, since downstream character offsets are computed on ``Article.text``.

Example:
    >>> from kg.resources import SAMPLES_DIR
    >>> [a.doc_id for a in read_articles([SAMPLES_DIR / "aljazeera-2020-05-05-aleppo.txt"])]
    ['ALJA2020050500029']
"""

from kg.errors import IngestError
from kg.ingest.article import Article, make_doc_id
from kg.ingest.checks import looks_english
from kg.ingest.sources import read_articles

__all__ = ["Article", "IngestError", "looks_english", "make_doc_id", "read_articles"]
