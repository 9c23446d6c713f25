"""``kg extract`` mapped over a Dask cluster: one task per input file, one spaCy pipeline
per worker process.

A cluster is ``local:N`` (N worker processes on this machine, started for the run) or the
address of a running Dask scheduler (``tcp://host:8786``), whose workers have strike-kg
installed and see the input and output paths. A task that fails, or whose worker dies, is
retried on another worker; a shard that still fails is reported and the others are kept.
Each shard is the one a single process would write: the output does not depend on where
or in what order shards are extracted.

Needs the ``cluster`` extra (``pip install 'strike-kg[cluster]'``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from kg.config import Settings
from kg.errors import ConfigError, ExtractError
from kg.extract import (
    ExtractReport,
    ShardReport,
    add_shard,
    extract_shard,
    reporter,
    shard_plan,
)
from kg.pipeline import ErrorHandler

if TYPE_CHECKING:
    from distributed import Client

Task = Callable[[Path, Path, Settings], ShardReport]

LOCAL = "local:"


def extract_on_cluster(
    sources: list[str | Path],
    out: Path,
    settings: Settings,
    cluster: str,
    *,
    retries: int = 2,
    progress: bool = False,
    on_error: ErrorHandler | None = None,
    task: Task = extract_shard,
) -> ExtractReport:
    """Extract each input file into its shard in ``out`` on the cluster.

    Args:
        cluster: ``local:N`` or a Dask scheduler's address.
        retries: times a failed shard is tried again, on any worker.
        task: what a worker runs for one shard (``extract_shard``).
    """
    report = ExtractReport()
    fail = reporter(report, on_error)
    files = shard_plan(sources, out, fail)
    out.mkdir(parents=True, exist_ok=True)
    with (
        _client(cluster) as client,
        tqdm(total=len(files), unit=" shards", disable=not progress, desc="extract") as bar,
    ):
        from distributed import as_completed

        futures = {
            client.submit(task, source, target, settings, retries=retries, pure=False): source
            for source, target in files
        }
        for future in as_completed(futures):
            source = futures[future]
            try:
                shard: ShardReport = future.result()
            except Exception as error:  # the task's own error, after its retries
                fail(ExtractError(f"{source}: failed after {retries + 1} attempts: {error}"))
            else:
                add_shard(report, shard, on_error)
            bar.update(1)
    report.shards.sort()
    return report


@contextmanager
def _client(cluster: str) -> Iterator[Client]:
    """A client of the cluster the option names, closed (and a local one stopped) after."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError(
            "running on a cluster needs Dask: pip install 'strike-kg[cluster]'"
        ) from None
    if cluster.startswith(LOCAL):
        workers = cluster.removeprefix(LOCAL)
        if not workers.isdigit() or int(workers) < 1:
            raise ConfigError(f"{cluster!r}: a local cluster is local:N, N worker processes")
        with (
            LocalCluster(
                n_workers=int(workers),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            ) as local,
            Client(local) as client,
        ):
            yield client
        return
    try:
        client = Client(cluster, timeout=30)
    except (OSError, TimeoutError, ValueError) as error:
        raise ConfigError(f"cannot reach the Dask scheduler at {cluster}: {error}") from None
    with client:
        yield client
