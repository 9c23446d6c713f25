"""Serve strike-kg's SPARQL endpoint: ``python server.py``.

On an empty store it first builds the graph from the sample articles bundled with the
package, so a fresh checkout answers queries at http://127.0.0.1:5000/sparql at once.
Settings come from ``KG_*`` environment variables (see ``kg/config.py``).
"""

from __future__ import annotations

import sys

from kg.config import from_env
from kg.errors import KGError
from kg.pipeline import ingest_samples_if_empty
from kg.remote import open_store
from kg.snapshots import current_snapshot, refresh_snapshot
from kg.web import serve


def main() -> int:
    """Build the sample graph if needed, then serve until interrupted."""
    try:
        settings = from_env()
        if settings.store_url or current_snapshot(settings.store_path) is None:
            with open_store(settings) as store:
                report = ingest_samples_if_empty(store, settings)
            if report is not None:
                print(f"built the sample graph: {report.summary()}", file=sys.stderr)
        if not settings.store_url:
            refresh_snapshot(settings.store_path)
        print(f"serving http://{settings.host}:{settings.port}/sparql", file=sys.stderr)
        serve(settings)
    except KGError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
