"""``kg extract`` on a local Dask cluster of two worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.cluster import extract_on_cluster
from kg.config import Settings
from kg.errors import ConfigError
from kg.extract import ShardReport, extract, extract_shard
from tests.conftest import CORPUS, SEED_FILES

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The seed articles, and development articles in four files of five."""
    folder = tmp_path_factory.mktemp("inputs")
    lines = CORPUS.read_text(encoding="utf-8").splitlines(True)[:20]
    files = []
    for number in range(4):
        path = folder / f"part-{number}.jsonl"
        path.write_text("".join(lines[number * 5 : number * 5 + 5]), encoding="utf-8")
        files.append(path)
    return [*SEED_FILES, *files]


@pytest.fixture(scope="module")
def one_process(
    inputs: list[Path], settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, bytes]:
    report = extract(list(inputs), tmp_path_factory.mktemp("one"), settings)
    assert report.extracted == 22 and not report.failed
    return {shard.name: shard.read_bytes() for shard in report.shards}


def test_two_workers_write_the_shards_one_process_writes(
    inputs: list[Path], one_process: dict[str, bytes], settings: Settings, tmp_path: Path
) -> None:
    report = extract_on_cluster(list(inputs), tmp_path, settings, "local:2")
    assert (report.read, report.extracted, report.failed) == (22, 22, [])
    assert {shard.name: shard.read_bytes() for shard in report.shards} == one_process


def fails_once(source: Path, target: Path, settings: Settings) -> ShardReport:
    """``extract_shard``, after failing the first attempt at each shard."""
    marker = target.with_name(f".{target.name}.failed-once")
    if not marker.exists():
        marker.touch()
        raise OSError(f"the first attempt at {source.name} fails")
    return extract_shard(source, target, settings)


def always_fails_on_seeds(source: Path, target: Path, settings: Settings) -> ShardReport:
    if source in SEED_FILES:
        raise OSError(f"{source.name} cannot be read")
    return extract_shard(source, target, settings)


def test_a_failed_shard_is_retried_and_its_output_is_the_same(
    inputs: list[Path], one_process: dict[str, bytes], settings: Settings, tmp_path: Path
) -> None:
    report = extract_on_cluster(
        list(inputs), tmp_path, settings, "local:2", retries=1, task=fails_once
    )
    assert (report.extracted, report.failed) == (22, [])
    assert {shard.name: shard.read_bytes() for shard in report.shards} == one_process
    assert len(list(tmp_path.glob(".*.failed-once"))) == len(inputs)


def test_a_shard_that_keeps_failing_is_reported_and_the_others_are_kept(
    inputs: list[Path], one_process: dict[str, bytes], settings: Settings, tmp_path: Path
) -> None:
    report = extract_on_cluster(
        list(inputs), tmp_path, settings, "local:2", retries=1, task=always_fails_on_seeds
    )
    assert len(report.failed) == len(SEED_FILES)
    assert all("failed after 2 attempts" in message for message in report.failed)
    assert {f.name for f in SEED_FILES} == {
        m.split(":")[0].rsplit("/", 1)[-1] for m in report.failed
    }
    kept = {shard.name: shard.read_bytes() for shard in report.shards}
    assert kept == {name: data for name, data in one_process.items() if name.startswith("part-")}


def test_the_cluster_option_is_checked(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="local:N"):
        extract_on_cluster([SEED_FILES[0]], tmp_path, settings, "local:many")
    result = CliRunner().invoke(
        main, ["extract", "--cluster", "tcp://127.0.0.1:9", "-o", str(tmp_path), str(SEED_FILES[0])]
    )
    assert result.exit_code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output
