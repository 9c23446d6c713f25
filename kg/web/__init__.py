"""The web layer: a SPARQL 1.1 endpoint on Flask, served by waitress.

The only package that knows Flask. ``create_app`` builds the WSGI app (Flask's app factory
pattern); ``serve`` runs it on a production WSGI server.

Example:
    >>> from kg.config import Settings
    >>> from kg.store import KGStore
    >>> app = create_app(Settings(), KGStore())
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
from kg.web import cors, errors, graph_store, metrics, pages, sparql
from kg.web.state import attach

__all__ = ["create_app", "serve"]

logger = logging.getLogger(__name__)


def create_app(settings: Settings, store: KGStore | None = None) -> Flask:
    """Build the WSGI app.

    Args:
        settings: the installation's settings (limits, token, CORS...).
        store: a store object to answer from in this process (an in-memory store, in
            tests); by default the store at ``settings.store_path`` is answered from its
            published snapshots by worker processes that a time limit can stop.

    Returns:
        A Flask app with ``/sparql``, ``/health``, ``/metrics`` and the pages; every error
        is JSON.
    """
    app = Flask(__name__)
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_request_bytes,
    )
    attach(app, settings, store)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(metrics.bp)
    metrics.install(app)
    cors.install(app, settings.cors_origins)
    errors.register_error_handlers(app)
    return app


def serve(settings: Settings) -> None:
    """Serve the store at ``settings.store_path`` with waitress until stopped."""
    app = create_app(settings)
    logger.info(
        "SPARQL endpoint at http://%s:%d/sparql (%d threads, %d query workers)",
        settings.host,
        settings.port,
        settings.threads,
        settings.query_workers,
    )
    waitress.serve(
        app,
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        ident=f"strike-kg/{kg.__version__}",
    )
