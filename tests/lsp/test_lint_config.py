"""The editor shows the lint warnings `pipec lint` prints: the same [lint] table
(select with opt-in rules, ignore, per-file-ignores) and suppression comments."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from lsp_support import MAIN

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "frontend"))

from frontend_support import invoke  # noqa: E402

JINJA = MAIN.replace('select = "stg_orders"', 'select = "{{ ds }}"')


def _cli_codes(project: Path) -> list[str]:
    out = invoke(["lint", "--output-format", "json"], project)
    return sorted(d["code"] for d in json.loads(out.stdout)["diagnostics"] if d["file"] == "main.pipe")


@pytest.mark.parametrize(("lint_table", "text", "codes"), [
    ("", JINJA, ["W104"]),
    ('per-file-ignores = { "main.pipe" = ["W104"] }', JINJA, []),
    ("", JINJA.replace("    task stg_orders", "    # pipec: ignore[W104]\n    task stg_orders"), []),
    ('select = ["W104", "W108"]', MAIN.replace("operator = docker", "operator = kubernetes"), ["W108", "W108"]),
])
def test_editor_lint_warnings_follow_pipec_toml(server, project: Path, lint_table: str, text: str,
                                                codes: list[str]) -> None:
    (project / "pipec.toml").write_text(f'entry = ["main.pipe"]\n[lint]\n{lint_table}\n', encoding="utf-8")
    main = project / "main.pipe"
    main.write_text(text, encoding="utf-8")
    mark = server.mark()
    server.open(main, text)
    assert sorted(d["code"] for d in server.diagnostics(main, mark)) == codes
    assert _cli_codes(project) == codes
    server.notify("textDocument/didClose", {"textDocument": {"uri": main.as_uri()}})
