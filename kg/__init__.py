"""strike-kg: news about military strikes in, a provenance-rich knowledge graph out.

The package is cut along the data flow: ``ingest`` reads articles, ``nlp`` parses them,
``entities`` finds mentions, ``mapping`` turns them into RDF quads, ``store`` keeps the quads
in Oxigraph, ``merge`` consolidates entities across articles, ``pipeline`` runs the stages,
and ``web`` and ``cli`` are thin shells over them.
"""

__version__ = "0.2.0"
