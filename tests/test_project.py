"""The project's own promises: documented commands, deployment files that agree."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from web.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def test_every_cli_command_is_documented() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    subparsers = next(
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    )
    for name in subparsers.choices:
        assert f"congvan {name}" in readme, name


def test_readme_starts_with_the_two_commands() -> None:
    lines = [line for line in (ROOT / "README.md").read_text("utf-8").splitlines() if line]
    assert lines[1] == "```sh"
    assert lines[2].startswith("./dev run") and lines[3].startswith("./dev test")
    assert lines[4] == "```"


def test_ci_runs_the_readme_test_command() -> None:
    assert "./dev test" in (ROOT / ".ci" / "run").read_text("utf-8")


def test_compose_serves_the_archive_volume() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    web = compose["services"]["web"]
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    assert web["build"] == "." and "archive:/data" in web["volumes"]
    assert "ENV CONGVAN_DATA=/data" in dockerfile
    assert '"congvan", "serve", "--host", "0.0.0.0", "--port", "8000"' in dockerfile
    assert any(port.endswith(":8000") for port in web["ports"])
    for package in ("archive", "indexer", "web"):
        assert f"COPY {package} ./{package}" in dockerfile
