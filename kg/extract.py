"""Extraction as a pure map step: articles in, N-Quads shards out, no store involved.

Each input file is a shard: its articles become one N-Quads file holding, for each article,
exactly the quads ``kg ingest`` stores in the article's named graph, in the same order on
every run. The output depends only on the input and on what reads it (the software, the
model and the gazetteers), which the shard's first line names: shards can be made anywhere,
in any order, and stored later by ``kg load``, which also runs the cross-article steps.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from kg.config import Settings
from kg.errors import ConfigError, ExtractError, IngestError, KGError
from kg.ingest import Article, read_articles
from kg.ingest.sources import STDIN, input_files
from kg.mapping import RunInfo
from kg.pipeline import ErrorHandler, Extracted, Extractor, extraction, new_run

SHARD_SUFFIX = ".nq"
HEADER = "# strike-kg shard"


@dataclass
class ShardReport:
    """What extracting one input file into its shard did."""

    source: Path
    shard: Path
    read: int = 0
    extracted: int = 0
    failed: list[str] = field(default_factory=list)


@dataclass
class ExtractReport:
    """What one ``kg extract`` did."""

    read: int = 0
    extracted: int = 0
    failed: list[str] = field(default_factory=list)
    shards: list[Path] = field(default_factory=list)

    def add(self, shard: ShardReport) -> None:
        self.read += shard.read
        self.extracted += shard.extracted
        self.failed += shard.failed
        self.shards.append(shard.shard)

    def summary(self) -> str:
        """One line for the terminal."""
        return (
            f"{self.read} articles read: {self.extracted} extracted into {len(self.shards)} "
            f"shards, {len(self.failed)} skipped with errors"
        )


def header(run: RunInfo) -> str:
    """The shard's first line: what read its articles, which ``kg load`` records."""
    return (
        f"{HEADER} software={run.software_version} model={run.model_name} "
        f"model-version={run.model_version} gazetteer={run.gazetteer}\n"
    )


def shard_path(source: Path, out: Path) -> Path:
    """Where the shard of an input file goes: its name, with the shard suffix, in ``out``."""
    return out / source.with_suffix(SHARD_SUFFIX).name


def extract(
    sources: list[str | Path],
    out: Path,
    settings: Settings,
    *,
    on_error: ErrorHandler | None = None,
) -> ExtractReport:
    """Write one shard per input file into ``out``, in this process and its workers; bad
    articles are reported and left out."""
    report = ExtractReport()
    files = shard_plan(sources, out, reporter(report, on_error))
    run = new_run(settings)
    with extraction(settings, run) as extract_batches:
        for source, target in files:
            shard = write_shard(source, target, extract_batches, run, settings)
            add_shard(report, shard, on_error)
    return report


def write_shard(
    source: Path,
    target: Path,
    extract_batches: Callable[[Iterable[list[Article]]], Extracted],
    run: RunInfo,
    settings: Settings,
) -> ShardReport:
    """Extract one input file into its shard.

    The shard is written under a temporary name and renamed when complete: a shard that
    exists is whole, and an extraction that failed is retried by running it again.
    """
    report = ShardReport(source, target)
    articles = _counted(read_articles([source], max_chars=settings.max_chars), report)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("w", encoding="utf-8") as shard:
            shard.write(header(run))
            for _, extracted in extract_batches(_batches(articles, settings.batch_size)):
                for item in extracted:
                    if isinstance(item, KGError):
                        report.failed.append(str(item))
                        continue
                    # A node described twice in a graph is one set of quads in the store.
                    shard.write("".join(dict.fromkeys(item.nquads.splitlines(True))))
                    report.extracted += 1
        partial.replace(target)
    except OSError as error:
        raise ExtractError(f"cannot write the shard {target}: {error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return report


# One pipeline per process, loaded by its first shard: a cluster worker keeps it.
_in_process: dict[Settings, tuple[RunInfo, Extractor]] = {}


def extract_shard(source: Path, target: Path, settings: Settings) -> ShardReport:
    """Extract one input file into its shard in this process (a cluster's task)."""
    settings = settings.with_overrides(processes=1)
    if settings not in _in_process:
        run = new_run(settings)
        _in_process[settings] = (run, Extractor(settings, run))
    run, extractor = _in_process[settings]
    return write_shard(
        source,
        target,
        lambda batches: ((batch, extractor.extract(batch)) for batch in batches),
        run,
        settings,
    )


def reporter(report: ExtractReport, on_error: ErrorHandler | None) -> ErrorHandler:
    """An error handler that counts an error in the report and passes it on."""

    def fail(error: KGError) -> None:
        report.failed.append(str(error))
        if on_error is not None:
            on_error(error)

    return fail


def add_shard(report: ExtractReport, shard: ShardReport, on_error: ErrorHandler | None) -> None:
    """Add a shard's figures to the run's, passing its errors on."""
    report.add(shard)
    if on_error is not None:
        for message in shard.failed:
            on_error(ExtractError(message))


def shard_plan(sources: list[str | Path], out: Path, fail: ErrorHandler) -> list[tuple[Path, Path]]:
    """Each input file and its shard; two inputs must not share a shard name."""
    if STDIN in sources:
        raise ConfigError("kg extract reads files, not stdin: a shard is named after its file")
    files: dict[Path, Path] = {}
    for found in input_files(sources):
        if isinstance(found, IngestError):
            fail(found)
            continue
        target = shard_path(found, out)
        if target in files:
            raise ConfigError(
                f"{found} and {files[target]} would both be extracted to {target}: "
                "give input files distinct names"
            )
        files[target] = found
    return [(source, target) for target, source in files.items()]


def _counted(items: Iterator[Article | IngestError], report: ShardReport) -> Iterator[Article]:
    for item in items:
        if isinstance(item, IngestError):
            report.failed.append(str(item))
        else:
            report.read += 1
            yield item


def _batches(articles: Iterator[Article], size: int) -> Iterator[list[Article]]:
    while batch := list(islice(articles, size)):
        yield batch
