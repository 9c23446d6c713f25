"""The README says what the project does: its commands, options and saved queries exist."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main
from kg.config import _ENV
from kg.queries import saved_queries

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    block = re.search(r"```sh\n(.*?)```", README, re.DOTALL)
    assert block is not None and README.index(block.group(0)) < 200
    lines = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert lines == [
        "pip install -e . && python server.py",
        "pip install -e '.[test]' && python -m pytest",
    ]


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_documented(command: str) -> None:
    assert f"kg {command}" in README


@pytest.mark.parametrize("variable", sorted(v for v, _ in _ENV.values()))
def test_every_setting_is_documented(variable: str) -> None:
    assert variable in README


@pytest.mark.parametrize("name", [q.name for q in saved_queries()])
def test_every_saved_query_is_in_the_readme_table(name: str) -> None:
    assert f"| `{name}` |" in README


def test_layout_lists_every_module() -> None:
    plumbing = {"__init__", "resources", "errors", "config"}
    modules = {p.stem for p in (ROOT / "kg").glob("*.py") if p.stem not in plumbing}
    packages = {p.name for p in (ROOT / "kg").iterdir() if (p / "__init__.py").is_file()}
    for name in modules | packages:
        assert re.search(rf"^  {name}(\.py|/)", README, re.MULTILINE), name


@pytest.mark.parametrize(
    "tool",
    [["ruff", "check", "kg", "tests", "bench", "server.py"], ["mypy"]],
    ids=["ruff", "mypy"],
)
def test_code_is_lint_and_type_clean(tool: list[str]) -> None:
    if importlib.util.find_spec(tool[0]) is None:
        pytest.skip(f"{tool[0]} is not installed")
    result = subprocess.run([sys.executable, "-m", *tool], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
