"""Where the project's bundled files live, in a source checkout and in an installed wheel.

The ontology and saved queries sit at the top of the repository (``ontology/``,
``queries/``); the wheel copies them into the package as ``kg/ontology`` and ``kg/queries``.
Package data (patterns, sample articles) always sits in ``kg/data``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
SAMPLES_DIR = DATA_DIR / "samples"


def project_dir(name: str) -> Path:
    """Return the directory ``ontology`` or ``queries``, installed or in a checkout.

    Example:
        >>> project_dir("ontology").name
        'ontology'
    """
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"strike-kg's {name}/ directory is missing from the installation")


def ontology_file(name: str = "strike-kg.ttl") -> Path:
    """Return a file of the ontology directory (``strike-kg.ttl`` or ``shapes.ttl``)."""
    return project_dir("ontology") / name


def queries_dir() -> Path:
    """Return the directory of saved SPARQL queries (``*.rq``)."""
    return project_dir("queries")
