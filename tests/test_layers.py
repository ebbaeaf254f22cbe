"""Imports go one way: archive ← indexer ← web."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"archive": {"indexer", "web"}, "indexer": {"web"}}


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_go_one_way(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        assert not _imported_packages(path) & FORBIDDEN[package], path


def test_web_views_never_import_extraction() -> None:
    for name in ("views.py", "api.py", "data.py", "params.py"):
        imported = ast.dump(ast.parse((ROOT / "web" / name).read_text("utf-8")))
        assert "indexer.extract" not in imported and "indexer.metadata" not in imported
