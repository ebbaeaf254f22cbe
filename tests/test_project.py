"""The project's own promises: documented commands, deployment files that agree."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient

from web.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def test_every_cli_command_is_documented() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    subparsers = next(
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)
    )
    for name in subparsers.choices:
        assert re.search(rf"congvan (--data [\w-]+ )?{name}\b", readme), name


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


def test_compose_runs_meilisearch_for_production() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    meili, web = compose["services"]["meilisearch"], compose["services"]["web"]
    tag = re.fullmatch(r"getmeili/meilisearch:v1\.(\d+)\.\d+", meili["image"])
    assert tag and int(tag[1]) >= 15  # pinned, granular filterable attributes, typo settings
    assert "meili_data:/meili_data" in meili["volumes"]
    env = meili["environment"]
    assert env["MEILI_ENV"] == "production" and env["MEILI_NO_ANALYTICS"] == "true"
    assert env["MEILI_MASTER_KEY"].startswith("${MEILI_MASTER_KEY:?")  # from .env, required
    assert "/health" in " ".join(meili["healthcheck"]["test"])
    assert all(port.startswith("127.0.0.1:") for port in meili["ports"])  # loopback only
    assert web["depends_on"]["meilisearch"]["condition"] == "service_healthy"
    assert web["environment"]["MEILI_URL"] == "http://meilisearch:7700"
    # every variable the web service is given is one the settings read, and .env documents it
    settings_source = (ROOT / "archive" / "settings.py").read_text("utf-8")
    example = (ROOT / ".env.example").read_text("utf-8")
    for name in web["environment"]:
        assert f'"{name}"' in settings_source, name
    for name in ("MEILI_MASTER_KEY", "MEILI_API_KEY", "MEILI_ADMIN_KEY"):
        assert f"\n{name}=" in "\n" + example
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    assert "tesseract-ocr-vie" in dockerfile and "USER congvan" in dockerfile


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
def test_compose_file_is_valid_for_compose(tmp_path: Path) -> None:
    """Compose itself reads the file (no engine needed for `config`)."""
    env = {"PATH": os.environ["PATH"], "MEILI_MASTER_KEY": "a-master-key-of-32-characters-xx"}
    result = subprocess.run(
        ["docker-compose", "--project-directory", str(ROOT), "-f", str(ROOT / "compose.yaml"),
         "config", "-q"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    missing = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "compose.yaml"), "config", "-q"],
        capture_output=True, text=True, env={"PATH": os.environ["PATH"]}, cwd=tmp_path,
    )  # fmt: skip
    assert missing.returncode != 0 and "MEILI_MASTER_KEY" in missing.stderr


def test_upload_page_accepts_every_format_the_indexer_reads(
    client: FlaskClient, staff: str
) -> None:
    """The upload form's file chooser and its text name every extractor's suffix."""
    from indexer.pages.extract import EXTRACTORS

    page = client.get("/tai-len").get_data(as_text=True)
    accept = re.search(r'accept="([^"]+)"', page)
    assert accept and set(accept.group(1).split(",")) == set(EXTRACTORS)
    for suffix in (".pdf", ".docx", ".doc", ".rtf", ".odt", ".txt", ".png", ".jpg", ".tif"):
        assert f"<code>{suffix}</code>" in page


def test_every_public_function_has_a_docstring() -> None:
    """Every public function, method and class of the three layers says what it does."""
    import ast

    missing: list[str] = []

    def visit(node: ast.AST, path: Path, prefix: str = "") -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                public = not child.name.startswith("_")
                if public and not ast.get_docstring(child):
                    missing.append(f"{path.relative_to(ROOT)}:{child.lineno}:{prefix}{child.name}")
                if isinstance(child, ast.ClassDef) and public:
                    visit(child, path, f"{prefix}{child.name}.")

    for package in ("archive", "indexer", "web"):
        for path in sorted((ROOT / package).rglob("*.py")):
            visit(ast.parse(path.read_text("utf-8")), path)
    assert not missing, "no docstring:\n" + "\n".join(missing)
