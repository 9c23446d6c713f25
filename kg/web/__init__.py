"""The web layer: a read-only SPARQL 1.1 endpoint on Flask, served by waitress.

The only package that knows Flask. ``create_app`` builds the WSGI app over a store (Flask's
app factory pattern); ``serve`` runs it on a production WSGI server.

Example:
    >>> from kg.config import Settings
    >>> from kg.store import KGStore
    >>> app = create_app(KGStore(), Settings())
    >>> app.test_client().get("/sparql?query=ASK{}").get_json()
    {'head': {}, 'boolean': True}
"""

from __future__ import annotations

import logging

import waitress
from flask import Flask

import kg
from kg.config import Settings
from kg.store import KGStore
from kg.web import errors, pages, sparql
from kg.web.state import attach

__all__ = ["MAX_REQUEST_BYTES", "create_app", "serve"]

logger = logging.getLogger(__name__)

# Queries are small; refusing big bodies early (413) keeps a client from tying up a thread.
MAX_REQUEST_BYTES = 1_000_000


def create_app(store: KGStore, settings: Settings) -> Flask:
    """Build the WSGI app answering from ``store``.

    Args:
        store: the store to query; only read.
        settings: the installation's settings, kept for the views.

    Returns:
        A Flask app with ``/sparql``, ``/health`` and ``/``; every error is JSON.
    """
    app = Flask(__name__)
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES,
    )
    attach(app, store, settings)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(pages.bp)
    errors.register_error_handlers(app)
    return app


def serve(store: KGStore, settings: Settings) -> None:
    """Serve the endpoint with waitress on ``settings.host:settings.port`` until stopped."""
    app = create_app(store, settings)
    logger.info(
        "SPARQL endpoint at http://%s:%d/sparql (%d threads)",
        settings.host,
        settings.port,
        settings.threads,
    )
    waitress.serve(
        app,
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        ident=f"strike-kg/{kg.__version__}",
    )
