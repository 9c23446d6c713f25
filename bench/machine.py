"""Shared by the benchmarks: the machine they ran on, the corpus, and the results file.

Each benchmark owns one section of ``docs/BENCHMARKS.md``, between ``<!-- bench:NAME -->``
and ``<!-- /bench:NAME -->``, and rewrites only that section.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import subprocess
from pathlib import Path

from spacy import about

import kg

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "BENCHMARKS.md"
CORPUS = Path(os.environ.get("KG_BENCH_CORPUS", ROOT.parent / "shared" / "corpus"))
HEADER = """# Benchmarks

Figures written by the scripts in `bench/` (run by hand, see each script's docstring); each
section says the machine and software it was measured with.
"""


def machine() -> str:
    """One line describing the machine and the software versions."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{memory_kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        memory = "unknown memory"
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory}; Python {platform.python_version()}, "
        f"spaCy {about.__version__}, strike-kg {kg.__version__}"
    )


def dev_corpus() -> list[Path]:
    """The development articles and the two seeds."""
    return [CORPUS / "fakes-dev.jsonl", CORPUS / "seeds"]


def scaled_corpus(size: int, directory: Path) -> Path:
    """The development articles repeated under new ids (``fakes-0002-r3``) up to ``size``
    articles, as one JSON Lines file in ``directory`` (written once, then reused)."""
    target = directory / f"corpus-{size}.jsonl"
    if target.exists():
        return target
    lines = (CORPUS / "fakes-dev.jsonl").read_text(encoding="utf-8").splitlines()
    articles = [json.loads(line) for line in lines if line.strip()]
    directory.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        for number in range(size):
            article = dict(articles[number % len(articles)])
            article["id"] = f"{article['id']}-r{number // len(articles)}"
            out.write(json.dumps(article) + "\n")
    partial.replace(target)
    return target


def words(paths: list[Path]) -> int:
    """Words of article text in the corpus files (JSON Lines ``text``, or whole files)."""
    total = 0
    for path in paths:
        files = sorted(path.iterdir()) if path.is_dir() else [path]
        for file in files:
            if file.suffix == ".jsonl":
                for line in file.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        total += len(json.loads(line).get("text", "").split())
            elif file.is_file():
                total += len(file.read_text(encoding="utf-8").split())
    return total


def revision() -> str:
    """The commit measured, ``-dirty`` when the working tree had changes."""
    result = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    )
    return result.stdout.strip() or "unknown"


def write_section(name: str, body: str, results: Path = RESULTS) -> None:
    """Replace (or append) this benchmark's section of ``results`` (``docs/BENCHMARKS.md``)."""
    results.parent.mkdir(parents=True, exist_ok=True)
    text = results.read_text(encoding="utf-8") if results.exists() else HEADER
    section = f"<!-- bench:{name} -->\n{body.strip()}\n<!-- /bench:{name} -->"
    pattern = re.compile(rf"<!-- bench:{name} -->.*?<!-- /bench:{name} -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    results.write_text(text, encoding="utf-8")


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else math.nan


def ms(seconds: float) -> str:
    """Milliseconds, to about three significant figures."""
    if math.isnan(seconds):
        return "–"
    value = seconds * 1000
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"
