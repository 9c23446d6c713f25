"""Shared fixtures: settings, the bundled seed articles, and stores built by the real pipeline.

Stores built with the trained spaCy model are session-scoped (building them is the slow
part); tests that change a store build their own from ``make_store``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kg.config import Settings
from kg.pipeline import IngestReport, ingest
from kg.resources import SAMPLES_DIR
from kg.store import KGStore

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "fakes-dev.jsonl"
SEED_FILES = sorted(SAMPLES_DIR.glob("*.txt"))


@pytest.fixture(scope="session")
def settings() -> Settings:
    """One process: the tests' stores are small, and worker start-up would dominate."""
    return Settings(processes=1, batch_size=16)


StoreFactory = Callable[..., tuple[KGStore, IngestReport]]


@pytest.fixture(scope="session")
def make_store(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> StoreFactory:
    """Build an on-disk store from sources with the real pipeline."""

    def build(*sources: str | Path, **overrides: object) -> tuple[KGStore, IngestReport]:
        store = KGStore(tmp_path_factory.mktemp("store"))
        report = ingest(sources, store, settings.with_overrides(**overrides))
        return store, report

    return build


@pytest.fixture(scope="session")
def seed_store(make_store: StoreFactory) -> KGStore:
    """The two seed articles, ingested once for the session (do not modify)."""
    store, report = make_store(*SEED_FILES)
    assert report.stored == 2, report.failed
    return store


@pytest.fixture(scope="session")
def corpus_store(make_store: StoreFactory) -> KGStore:
    """All 393 development articles, ingested once with two worker processes."""
    if not CORPUS.is_file():
        pytest.skip(f"{CORPUS} is not present")
    store, report = make_store(CORPUS, processes=2, batch_size=32)
    assert report.stored == 393, report.failed[:3]
    return store
