"""What GeoNames linking costs: ingest throughput with and without it.

Run by hand, from the repository root:

    python bench/linking_cost.py [--rounds 3] [--processes 2]

Ingests the development corpus (the 393 FA-KES articles and the two seeds) into a fresh
store, once with place linking and once with it switched off (place mentions are kept,
unlinked; the rest of the pipeline is the same), alternating, ``--rounds`` times. The best
time of each is written to ``docs/BENCHMARKS.md``. Target: throughput with linking at
least 0.9 times that without.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from machine import dev_corpus, machine, words, write_section
from spacy.tokens import Doc

import kg.pipeline as pipeline
from kg.config import from_env
from kg.entities import Analysis
from kg.store import KGStore


def _unlinked(doc: Doc, analysis: Analysis, *_: object) -> Analysis:
    return analysis


def ingest_seconds(linking: bool, processes: int) -> tuple[float, int]:
    """Wall-clock seconds of one ingest of the corpus into a fresh store, and articles stored."""
    settings = from_env().with_overrides(processes=processes)
    original = getattr(pipeline, "link_places")  # noqa: B009 - replaced below, then restored
    if not linking:
        setattr(pipeline, "link_places", _unlinked)  # noqa: B010 - forked workers inherit it
    try:
        with tempfile.TemporaryDirectory() as tmp, KGStore(Path(tmp) / "kg") as store:
            start = time.perf_counter()
            report = pipeline.ingest(dev_corpus(), store, settings)
            return time.perf_counter() - start, report.stored
    finally:
        setattr(pipeline, "link_places", original)  # noqa: B010


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    best = {True: float("inf"), False: float("inf")}
    stored = 0
    for round_no in range(args.rounds):
        for linking in (True, False):
            seconds, stored = ingest_seconds(linking, args.processes)
            best[linking] = min(best[linking], seconds)
            print(f"round {round_no + 1}: linking={linking} {seconds:.1f} s")
    total_words = words(dev_corpus())
    rows = [
        f"| {label} | {best[on]:.1f} | {stored / best[on]:.1f} | {total_words / best[on]:,.0f} |"
        for label, on in (("with linking", True), ("without linking", False))
    ]
    ratio = best[False] / best[True]
    body = "\n".join(
        [
            "## Linking cost",
            "",
            f"Machine: {machine()}.",
            "",
            f"`python bench/linking_cost.py --rounds {args.rounds} --processes "
            f"{args.processes}`: the development corpus ({stored} articles, {total_words:,} "
            "words) ingested into a fresh store, best of the rounds; each time counts the whole "
            "`kg ingest`: loading the model in both workers, extraction, storing and "
            "consolidation.",
            "",
            "| run | seconds | articles/s | words/s |",
            "|---|---:|---:|---:|",
            *rows,
            "",
            f"Throughput with linking is **{ratio:.2f}×** that without (target ≥ 0.9×).",
        ]
    )
    write_section("linking-cost", body)
    print(body)


if __name__ == "__main__":
    main()
