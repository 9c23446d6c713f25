"""Ingest throughput beside spaCy alone, and ingest memory as the corpus grows.

Run by hand, from the repository root (needs the ``bench`` extra):

    python bench/ingest.py [--throughput 1000] [--rounds 3] [--memory 1000,100000]
                           [--processes 2] [--work DIR]

Corpora are the development articles repeated under new ids (``bench/machine.py``). For
each ``--throughput`` size, two commands run one after the other on the same texts with the
same number of processes: spaCy alone (``nlp.pipe`` of the model that ``kg ingest`` loads,
``n_process`` processes, the docs consumed and dropped) and ``kg ingest`` into a fresh
store, ``--rounds`` times each, alternating. Both are timed end to end, model loading
included, as a user would run them; the medians are compared. For each
``--memory`` size, ``kg ingest`` runs into a fresh store while its process tree's resident
memory is sampled. The stores are kept in ``--work`` (``store-{size}``) for
``bench/store.py``. Writes the ``ingest`` (throughput) and ``ingest-memory`` sections of
``docs/BENCHMARKS.md``, each only when its part runs (``--memory ""`` skips memory).
Targets: ingest at least 0.85 times spaCy alone in words per second; peak memory at the
largest size at most 1.2 times that at the smallest.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from machine import ROOT, machine, revision, scaled_corpus, write_section

SAMPLE_SECONDS = 0.2
KG = Path(sys.executable).parent / "kg"


@dataclass(frozen=True)
class Measured:
    """One command's wall time and the peak resident memory of its process tree."""

    seconds: float
    peak_tree: int  # bytes: the sum over the process and its children at the worst sample
    peak_main: int  # bytes: the process itself


def run_measured(command: list[str], log: Path) -> Measured:
    """Run ``command`` to its end, sampling its process tree's RSS; fail loudly on error."""
    start = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        watched = psutil.Process(process.pid)
        peak_tree = peak_main = 0
        while process.poll() is None:
            try:
                main = watched.memory_info().rss
                tree = main + sum(_rss(child) for child in watched.children(recursive=True))
            except psutil.NoSuchProcess:
                break
            peak_main, peak_tree = max(peak_main, main), max(peak_tree, tree)
            time.sleep(SAMPLE_SECONDS)
        process.wait()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}); see {log}")
    return Measured(seconds, peak_tree, peak_main)


def _rss(process: psutil.Process) -> int:
    try:
        return int(process.memory_info().rss)
    except psutil.NoSuchProcess:
        return 0


def spacy_alone(corpus: Path, processes: int) -> None:
    """Parse the corpus's article texts with the model ``kg ingest`` loads, and nothing else."""
    import spacy

    from kg.config import Settings
    from kg.errors import IngestError
    from kg.ingest import read_articles

    settings = Settings()
    texts = (a.text for a in read_articles([corpus]) if not isinstance(a, IngestError))
    nlp = spacy.load(settings.model)
    for _ in nlp.pipe(texts, n_process=processes, batch_size=settings.batch_size):
        pass


def ingest_command(corpus: Path, store: Path, processes: int) -> list[str]:
    return [str(KG), "--store", str(store), "ingest", "--processes", str(processes), str(corpus)]


def fresh(store: Path) -> Path:
    for path in (store, store.with_name(store.name + ".snapshots")):
        shutil.rmtree(path, ignore_errors=True)
    return store


def corpus_words(corpus: Path) -> int:
    with corpus.open(encoding="utf-8") as lines:
        return sum(len(json.loads(line)["text"].split()) for line in lines if line.strip())


def throughput_rows(sizes: list[int], processes: int, work: Path, rounds: int) -> list[str]:
    """For each size, both commands ``rounds`` times, one after the other: the median time of
    each, and the ratio of the medians (a run varies by a second or so)."""
    rows = []
    for size in sizes:
        corpus = scaled_corpus(size, work)
        words = corpus_words(corpus)
        spacy_command = [sys.executable, __file__, "--spacy-alone", str(corpus)]
        spacy_command += ["--processes", str(processes)]
        alone, ingest = [], []
        for _ in range(rounds):
            alone.append(run_measured(spacy_command, work / f"spacy-{size}.log"))
            store = fresh(work / f"store-{size}")
            ingest.append(
                run_measured(ingest_command(corpus, store, processes), work / f"ingest-{size}.log")
            )
        for name, runs in (("spaCy alone (`nlp.pipe`)", alone), ("`kg ingest`", ingest)):
            seconds = statistics.median(m.seconds for m in runs)
            spread = ", ".join(f"{m.seconds:.1f}" for m in runs)
            rows.append(
                f"| {size:,} | {name} | {seconds:,.1f} ({spread}) | {size / seconds:,.1f} "
                f"| {words / seconds:,.0f} | {_gib(max(m.peak_tree for m in runs))} |"
            )
        ratio = statistics.median(m.seconds for m in alone) / statistics.median(
            m.seconds for m in ingest
        )
        rows.append(f"| {size:,} | **ratio** | | | **{ratio:.2f}×** | |")
        print(rows[-3], rows[-2], rows[-1], sep="\n", flush=True)
    return rows


def memory_rows(sizes: list[int], processes: int, work: Path) -> tuple[list[str], list[int]]:
    rows, peaks = [], []
    for size in sizes:
        corpus = scaled_corpus(size, work)
        store = fresh(work / f"store-{size}")
        measured = run_measured(
            ingest_command(corpus, store, processes), work / f"ingest-{size}.log"
        )
        peaks.append(measured.peak_tree)
        rows.append(
            f"| {size:,} | {measured.seconds:,.0f} | {size / measured.seconds:,.1f} "
            f"| {_gib(measured.peak_tree)} | {_gib(measured.peak_main)} "
            f"| {measured.peak_tree / peaks[0]:.2f} |"
        )
        print(rows[-1], flush=True)
    return rows, peaks


def _gib(size: int) -> str:
    return f"{size / 2**30:.2f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--throughput", default="1000", help="sizes, comma-separated")
    parser.add_argument("--memory", default="1000,100000", help="sizes, comma-separated")
    parser.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--rounds", type=int, default=3, help="runs of each command per size")
    parser.add_argument("--work", type=Path, default=Path("/tmp/strike-kg-bench"))
    parser.add_argument("--spacy-alone", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.spacy_alone:
        spacy_alone(args.spacy_alone, args.processes)
        return
    sizes = [int(size) for size in args.throughput.split(",") if size]
    memory_sizes = [int(size) for size in args.memory.split(",") if size]
    measured = (
        f"Machine: {machine()}; commit {revision()}.\n\n"
        f"`python bench/ingest.py {shlex.join(sys.argv[1:])}`: the development articles repeated "
        f"under new ids, {args.processes} processes."
    )
    if sizes:
        rows = throughput_rows(sizes, args.processes, args.work, args.rounds)
        write_section("ingest", throughput_section(measured, rows, args.rounds))
    if memory_sizes:
        rows, peaks = memory_rows(memory_sizes, args.processes, args.work)
        write_section("ingest-memory", memory_section(measured, rows, memory_sizes, peaks))


def throughput_section(measured: str, rows: list[str], rounds: int) -> str:
    return "\n".join(
        [
            "## Ingest throughput",
            "",
            f"{measured} Both commands are timed end to end, model loading included.",
            "",
            "| articles | command | seconds (runs) | articles/s | words/s | peak memory |",
            "|---:|---|---:|---:|---:|---:|",
            *rows,
            "",
            f"Each command ran {rounds} times, alternating; seconds are the median (each run "
            "in brackets), peak memory the largest. The ratio is spaCy alone's median time "
            "over `kg ingest`'s on the same texts (target ≥ 0.85×).",
        ]
    )


def memory_section(measured: str, rows: list[str], sizes: list[int], peaks: list[int]) -> str:
    return "\n".join(
        [
            "## Ingest memory",
            "",
            f"{measured} Memory is the resident set of the process tree (the command and its "
            f"workers), sampled every {SAMPLE_SECONDS} s.",
            "",
            "| articles | seconds | articles/s | peak memory (tree) | peak memory (main) "
            f"| tree / {sizes[0]:,} |",
            "|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
            f"Peak memory at {sizes[-1]:,} articles is **{peaks[-1] / peaks[0]:.2f}×** that at "
            f"{sizes[0]:,} (target ≤ 1.2×).",
        ]
    )


if __name__ == "__main__":
    main()
