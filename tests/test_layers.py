"""Imports go one way, stage by stage: every file of archive/, indexer/ and web/ imports only
from its own stage or the stages below it, and web/ never reads a file or a letter itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The stages from the bottom up (docs/architecture.md): a file may import its own stage and
# those before it, never one after it. The language of letters (Vietnamese text, numbers,
# the field table, the typed letter) is pure and below everything: the archive keeps letters
# in its terms.
STAGES = (
    "indexer.language",
    "archive",
    "indexer.pages",
    "indexer.letter",
    "indexer.intake",
    "indexer.search",
    "indexer.followup",
    "web",
)
# The web layer calls the intake, the search and the follow-up: reading a file or a letter
# is theirs.
WEB_NEVER = ("indexer.pages", "indexer.letter")
SOURCES = sorted(
    path
    for package in ("archive", "indexer", "web")
    for path in (ROOT / package).rglob("*.py")
    if path != ROOT / "indexer" / "__init__.py"  # the namespace of the stages
)


def _stage(module: str) -> int | None:
    """The rank of the stage a module belongs to (None: not ours)."""
    for rank, stage in reversed(list(enumerate(STAGES))):
        if module == stage or module.startswith(stage + "."):
            return rank
    return None


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_every_file_has_a_stage() -> None:
    """indexer/ holds stages only: no module sits beside them."""
    unplaced = [path for path in SOURCES if _stage(_module(path)) is None]
    assert not unplaced and len(SOURCES) > 60, unplaced
    assert [p.name for p in (ROOT / "indexer").glob("*.py")] == ["__init__.py"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_imports_go_down_the_stages(path: Path) -> None:
    own = _stage(_module(path))
    assert own is not None
    for module in _imports(path):
        rank = _stage(module)
        assert rank is None or rank <= own, f"{_module(path)} imports {module}"


@pytest.mark.parametrize("path", sorted((ROOT / "web").rglob("*.py")), ids=lambda path: path.name)
def test_web_never_reads_files_or_letters(path: Path) -> None:
    for module in _imports(path):
        assert not module.startswith(WEB_NEVER), f"{_module(path)} imports {module}"


def test_the_rule_is_not_empty() -> None:
    """The check above would find an upward import if there were one."""
    imports = _imports(ROOT / "indexer" / "followup" / "steps.py")
    assert any(_stage(m) == STAGES.index("indexer.search") for m in imports)
    assert _stage("indexer.search.query") == STAGES.index("indexer.search")
    assert _stage("archive.catalog") == 1 and _stage("flask") is None


def test_the_query_is_parsed_in_one_place() -> None:
    """Only `SearchRequest` parses a query; the engines, the snippets, the number panel and
    the marks on a letter's page read its parse."""
    callers = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "parse_query":
                callers.append(_module(path))
    assert callers == ["indexer.search"]
