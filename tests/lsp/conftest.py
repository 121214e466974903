"""Fixtures for the language server tests: one `pipec lsp` process shared by the
module's tests (each test works on its own project folder) and a small project."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from lsp_client import LspClient
from lsp_support import MAIN, TENANTS


@pytest.fixture(scope="module")
def server():
    with tempfile.TemporaryDirectory(prefix="pipec-lsp-") as cwd:
        client = LspClient(Path(cwd))
        try:
            client.initialize(Path(cwd))
            yield client
        finally:
            client.kill()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A clean two-file project with a pipec.toml."""
    (tmp_path / "pipec.toml").write_text('entry = ["main.pipe"]\n', encoding="utf-8")
    (tmp_path / "main.pipe").write_text(MAIN, encoding="utf-8")
    (tmp_path / "tenants.pipe").write_text(TENANTS, encoding="utf-8")
    return tmp_path
