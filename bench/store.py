"""The store as the corpus grows: size on disk and the latency of every saved query.

Run by hand, from the repository root (needs the ``bench`` extra), after
``bench/ingest.py`` has left its stores in ``--work`` (a missing one is built with
``kg ingest`` from the same repeated corpus):

    python bench/store.py [--sizes 1000,10000,100000] [--work DIR] [--runs 20] [--budget 20]

For each size, the store is opened read-only in this process and every saved query is run,
its whole answer written as SPARQL JSON (what the endpoint sends): warm-up runs, then up to
``--runs`` runs within ``--budget`` seconds (at least 3). Growth from the smallest to the
largest size is given as an exponent: time grows as (articles)^k, so k ≤ 1 is linear or
better. Writes the ``store`` section of ``docs/BENCHMARKS.md`` and a plot beside it.
Targets at 100,000 articles: every saved query under 1 s, the selective ones under 50 ms;
growth no worse than linear.
"""

from __future__ import annotations

import argparse
import math
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ingest import fresh, ingest_command
from machine import RESULTS, machine, ms, percentile, scaled_corpus, write_section

from kg.queries import SavedQuery, saved_queries
from kg.store import KGStore

# Queries about one article, one strike or one facility: their answer does not grow with the
# corpus, so neither should their time (target: under 50 ms). The paged listings (`articles`,
# `strikes`, `conflicting-claims`, `mentions-of-entity`) answer 100 rows but choose them among
# rows that grow with the corpus (an entity's mentions grow too), so they are not among them.
SELECTIVE = frozenset(
    {"offset-check", "provenance-of-strike", "sentences-with-entities", "strikes-on-facility"}
)
# The default subjects of the selective queries are in the seed articles, which the repeated
# corpus does not hold: they are asked about subjects of its own instead.
BENCH_SUBJECTS = {
    "/doc/ALJA2020050500029>": "/doc/fakes-0002-r0>",
    '"Safira complex"': '"al-Razi Hospital"',
}
PLOT = RESULTS.parent / "bench-store.svg"


def timed(store: KGStore, query: SavedQuery, runs: int, budget: float) -> list[float]:
    """Seconds of each timed run of ``query``, its JSON answer written in full."""
    text = query.text
    for seed, bench in BENCH_SUBJECTS.items():
        text = text.replace(seed, bench)
    for _ in range(2):  # warm-up: the operating system's page cache and RocksDB's blocks
        store.query(text).serialize("json")
    seconds: list[float] = []
    deadline = time.perf_counter() + budget
    while len(seconds) < runs and (len(seconds) < 3 or time.perf_counter() < deadline):
        start = time.perf_counter()
        store.query(text).serialize("json")
        seconds.append(time.perf_counter() - start)
    return seconds


def disk_bytes(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def store_for(size: int, work: Path) -> Path:
    store = work / f"store-{size}"
    if not store.exists():
        corpus = scaled_corpus(size, work)
        subprocess.run(ingest_command(corpus, fresh(store), 2), check=True)
    return store


def growth(small: float, large: float, sizes: list[int]) -> str:
    return f"{math.log(large / small) / math.log(sizes[-1] / sizes[0]):.2f}"


def plot(sizes: list[int], medians: dict[str, list[float]]) -> bool:
    """A log-log plot of each query's median against the corpus size, if matplotlib is in."""
    try:
        import matplotlib

        matplotlib.use("svg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, axes = plt.subplots(figsize=(8, 5))
    for name, values in sorted(medians.items()):
        axes.plot(sizes, [v * 1000 for v in values], marker="o", label=name)
    axes.set(xscale="log", yscale="log", xlabel="articles", ylabel="median latency (ms)")
    axes.axhline(1000, color="grey", linestyle="--", linewidth=0.8)
    axes.axhline(50, color="grey", linestyle=":", linewidth=0.8)
    axes.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    figure.savefig(PLOT, metadata={"Date": None})
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--work", type=Path, default=Path("/tmp/strike-kg-bench"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--budget", type=float, default=20.0)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    queries = saved_queries()
    medians: dict[str, list[float]] = {q.name: [] for q in queries}
    cells: dict[str, list[str]] = {q.name: [] for q in queries}
    disk, quads = [], []
    for size in sizes:
        with KGStore(store_for(size, args.work), read_only=True) as store:
            disk.append(disk_bytes(store.path or Path()))
            quads.append(len(store))
            for query in queries:
                seconds = timed(store, query, args.runs, args.budget)
                medians[query.name].append(statistics.median(seconds))
                cells[query.name].append(
                    f"{ms(statistics.median(seconds))} / {ms(percentile(seconds, 0.95))}"
                )
                print(size, query.name, cells[query.name][-1], flush=True)
    largest = sizes[-1]
    slow = [n for n in medians if medians[n][-1] >= 1.0]
    slow_selective = [n for n in SELECTIVE if medians[n][-1] >= 0.05]
    header = " | ".join(f"{size:,} articles" for size in sizes)
    lines = [
        "## Store and queries at scale",
        "",
        f"Machine: {machine()}.",
        "",
        f"`python bench/store.py {shlex.join(sys.argv[1:])}`: the stores `bench/ingest.py` built "
        "from the development articles repeated under new ids, opened read-only; each saved "
        "query's whole answer written as SPARQL JSON, 2 warm-up runs, then up to "
        f"{args.runs} runs within {args.budget:g} s (at least 3). Milliseconds, median / p95; "
        "growth is k in time ∝ articles^k between the smallest and the largest store "
        "(1 = linear). Selective queries (about one named thing) are marked *.",
        "",
        f"| query | {header} | growth |",
        "|---|" + "---:|" * (len(sizes) + 1),
    ]
    for query in queries:
        mark = " *" if query.name in SELECTIVE else ""
        values = medians[query.name]
        lines.append(
            f"| `{query.name}`{mark} | {' | '.join(cells[query.name])} "
            f"| {growth(values[0], values[-1], sizes)} |"
        )
    lines += [
        f"| quads | {' | '.join(f'{q:,}' for q in quads)} | {growth(quads[0], quads[-1], sizes)} |",
        f"| size on disk | {' | '.join(f'{d / 2**20:,.0f} MiB' for d in disk)} "
        f"| {growth(disk[0], disk[-1], sizes)} |",
        "",
        f"At {largest:,} articles: "
        + (f"over 1 s: {', '.join(f'`{n}`' for n in slow)}" if slow else "every query under 1 s")
        + "; "
        + (
            f"selective over 50 ms: {', '.join(f'`{n}`' for n in sorted(slow_selective))}"
            if slow_selective
            else "every selective query under 50 ms"
        )
        + ".",
    ]
    if plot(sizes, medians):
        lines += ["", f"![Median latency against articles]({PLOT.name})"]
    write_section("store", "\n".join(lines))


if __name__ == "__main__":
    main()
