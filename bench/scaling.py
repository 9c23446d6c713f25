"""Extraction on one machine and on a Dask cluster of one and two workers, and loading.

Run by hand, from the repository root (needs the ``bench`` and ``cluster`` extras):

    python bench/scaling.py [--articles 400] [--shards 8] [--work DIR]

The development articles, repeated under new ids up to ``--articles``, are split into
``--shards`` input files. Each way of running ``kg extract`` writes the shards of those
files, timed end to end as a user runs it (model loading and cluster start included): one
process, the two local worker processes ``kg ingest`` also uses, and Dask clusters of one
and two workers (``--cluster local:N``). Every way must write the same bytes. ``kg load``
then stores the shards in a fresh store, beside ``kg ingest`` of the same files. Writes the
``scaling`` section of ``docs/SCALING.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

from machine import ROOT, machine, scaled_corpus, write_section

KG = Path(sys.executable).parent / "kg"
SCALING = ROOT / "docs" / "SCALING.md"


def split(corpus: Path, shards: int, folder: Path) -> list[Path]:
    """The corpus's lines in ``shards`` files of about equal size."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    lines = corpus.read_text(encoding="utf-8").splitlines(True)
    size = -(-len(lines) // shards)
    files = []
    for number in range(shards):
        path = folder / f"part-{number:03d}.jsonl"
        path.write_text("".join(lines[number * size : (number + 1) * size]), encoding="utf-8")
        files.append(path)
    return files


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return time.perf_counter() - start


def digest(folder: Path) -> str:
    """One digest of every shard in the folder, by name and content."""
    total = hashlib.sha256()
    for shard in sorted(folder.glob("*.nq")):
        total.update(shard.name.encode() + shard.read_bytes())
    return total.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--work", type=Path, default=Path("/tmp/strike-kg-scaling"))
    args = parser.parse_args()
    inputs = split(scaled_corpus(args.articles, args.work), args.shards, args.work / "inputs")
    files = [str(path) for path in inputs]
    ways = {
        "one process (`--processes 1`)": ["--processes", "1"],
        "two local processes (`--processes 2`)": ["--processes", "2"],
        "Dask, one worker (`--cluster local:1`)": ["--cluster", "local:1"],
        "Dask, two workers (`--cluster local:2`)": ["--cluster", "local:2"],
    }
    rows, digests = [], set()
    baseline = None
    for number, (name, options) in enumerate(ways.items()):
        out = args.work / f"shards-{number}"
        shutil.rmtree(out, ignore_errors=True)
        seconds = timed([str(KG), "extract", *options, "--no-progress", "-o", str(out), *files])
        digests.add(digest(out))
        baseline = baseline or seconds
        rows.append(
            f"| {name} | {seconds:,.1f} | {args.articles / seconds:,.1f} "
            f"| {baseline / seconds:.2f}× |"
        )
        print(rows[-1], flush=True)
    if len(digests) != 1:
        raise SystemExit("the ways of extracting wrote different shards")
    store = args.work / "store-load"
    shutil.rmtree(store, ignore_errors=True)
    shards = sorted(str(path) for path in (args.work / "shards-0").glob("*.nq"))
    load_seconds = timed([str(KG), "--store", str(store), "load", *shards])
    ingested = args.work / "store-ingest"
    shutil.rmtree(ingested, ignore_errors=True)
    ingest_seconds = timed([str(KG), "--store", str(ingested), "ingest", "--no-progress", *files])
    body = "\n".join(
        [
            "## Measured here",
            "",
            f"Machine: {machine()}.",
            "",
            f"`python bench/scaling.py --articles {args.articles} --shards {args.shards}`: "
            f"{args.articles} development articles (repeated under new ids) in "
            f"{args.shards} input files. Each command is timed end to end, model loading and "
            "cluster start included; every way wrote the same bytes.",
            "",
            "| `kg extract` on | seconds | articles/s | speed-up |",
            "|---|---:|---:|---:|",
            *rows,
            "",
            f"Storing the shards: `kg load` {load_seconds:,.1f} s "
            f"({args.articles / load_seconds:,.1f} articles/s, entity and strike "
            f"consolidation included), against `kg ingest` of the same files "
            f"{ingest_seconds:,.1f} s ({args.articles / ingest_seconds:,.1f} articles/s).",
        ]
    )
    write_section("scaling", body, SCALING)


if __name__ == "__main__":
    main()
