"""The editor shows what the command line reports: for the same files, the diagnostics
`pipec lsp` publishes equal `pipec lint --output-format json` (errors and the selected lint
warnings) and their errors equal `pipec check --output-format json`: same code, severity,
place, message, help and related labels.

The client asks for UTF-32 positions, so columns count characters as the CLI's do.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from incremental_project import EDITS
from incremental_project import PIPE_FILES as INCREMENTAL_FILES
from incremental_project import text_of as incremental_text
from incremental_project import write as write_incremental
from lsp_client import LspClient, uri
from lsp_support import MAIN, TENANTS

from pipec.cli import cli

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = sorted((ROOT / "tests" / "frontend" / "golden").glob("*/*.pipe"))
PIPEC = [sys.executable, "-m", "pipec"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("parity")
    client = LspClient(cwd)
    try:
        result = client.initialize(cwd, general={"positionEncodings": ["utf-32"]})
        assert result["capabilities"]["positionEncoding"] == "utf-32"
        yield client
    finally:
        client.kill()


def _cli(command: str, cwd: Path, *files: Path) -> dict[str, list[tuple]]:
    """The CLI's JSON diagnostics by file name, in the editor's terms (a `pipec` process)."""
    proc = subprocess.run([*PIPEC, command, "--output-format", "json", *map(str, files)], cwd=cwd,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode in (0, 1), proc.stderr
    return _by_file(proc.stdout)


def _cli_in_process(command: str, cwd: Path, *files: Path) -> dict[str, list[tuple]]:
    """The same through the click command in this process (a process per golden file is slow)."""
    with _chdir(cwd):
        result = CliRunner().invoke(cli, [command, "--output-format", "json", *map(str, files)])
    assert result.exit_code in (0, 1), result.output
    return _by_file(result.stdout)


@contextlib.contextmanager
def _chdir(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def _by_file(stdout: str) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for d in json.loads(stdout)["diagnostics"]:
        lines = [d["message"]] + ([d["label"]] if d["label"] else []) + ([f"help: {d['help']}"] if d["help"] else [])
        lines += [f"note: {note}" for note in d["notes"]]
        related = sorted((Path(s["file"]).name, s["line"] - 1, s["column"] - 1, s["end_line"] - 1,
                          s["end_column"] - 1, s["message"] or "related") for s in d["secondary"])
        out.setdefault(Path(d["file"]).name, []).append(
            (d["code"], d["severity"], d["line"] - 1, d["column"] - 1, d["end_line"] - 1, d["end_column"] - 1,
             "\n".join(lines), tuple(related)))
    return {name: sorted(diags) for name, diags in out.items()}


def _editor(diags: list[dict]) -> list[tuple]:
    out = []
    for d in diags:
        r = d["range"]
        related = sorted((Path(i["location"]["uri"]).name, i["location"]["range"]["start"]["line"],
                          i["location"]["range"]["start"]["character"], i["location"]["range"]["end"]["line"],
                          i["location"]["range"]["end"]["character"], i["message"])
                         for i in d.get("relatedInformation") or [])
        out.append((d["code"], {1: "error", 2: "warning"}[d["severity"]], r["start"]["line"], r["start"]["character"],
                    r["end"]["line"], r["end"]["character"], d["message"], tuple(related)))
    return sorted(out)


def _published(client: LspClient, paths: list[Path]) -> dict[str, list[tuple]]:
    mark = client.mark()
    for path in paths:
        client.open(path)
    return {path.name: _editor(client.diagnostics(path, mark)) for path in paths}


def _close(client: LspClient, paths: list[Path]) -> None:
    for path in paths:
        client.notify("textDocument/didClose", {"textDocument": {"uri": uri(path)}})


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_golden_file_shows_the_same_diagnostics_in_the_editor_as_on_the_command_line(client, path):
    editor = _published(client, [path])[path.name]
    try:
        lint = _cli_in_process("lint", path.parent, path).get(path.name, [])
        assert editor == lint
        check = _cli_in_process("check", path.parent, path).get(path.name, [])
        assert [d for d in editor if d[1] == "error"] == [d for d in check if d[1] == "error"]
    finally:
        _close(client, [path])


def test_a_broken_multi_file_project_shows_the_same_diagnostics_per_file(client, tmp_path):
    (tmp_path / "pipec.toml").write_text('entry = ["main.pipe"]\n', encoding="utf-8")
    main = tmp_path / "main.pipe"
    tenants = tmp_path / "tenants.pipe"
    main.write_text(MAIN.replace("profile = large", "profile = lareg").replace("tenants  = [acme]",
                                                                               "tenants  = [acme, globex]"),
                    encoding="utf-8")
    tenants.write_text(TENANTS.replace('quota     = { cpu = "4"', 'quota     = { cpu = 4'), encoding="utf-8")
    editor = _published(client, [main, tenants])
    try:
        lint = _cli("lint", tmp_path)
        assert editor == {name: lint.get(name, []) for name in editor}
        assert editor["main.pipe"] and editor["tenants.pipe"]  # both files have findings to compare
        check = _cli("check", tmp_path)
        assert {name: [d for d in diags if d[1] == "error"] for name, diags in editor.items()} == \
            {name: check.get(name, []) for name in editor}
    finally:
        _close(client, [main, tenants])


@pytest.mark.parametrize("example", sorted(p.parent for p in (ROOT / "examples").glob("*/pipec.toml")),
                         ids=lambda p: p.name)
def test_an_example_project_is_clean_in_the_editor_and_on_the_command_line(client, example):
    files = sorted(example.rglob("*.pipe"))
    files = [f for f in files if "build" not in f.relative_to(example).parts]
    editor = _published(client, files)
    try:
        cli = _cli("lint", example)
        assert editor == {f.name: cli.get(f.name, []) for f in files}
    finally:
        _close(client, files)


def _latest(client: LspClient) -> dict[str, list[dict]]:
    """The last diagnostics published for each file so far."""
    out: dict[str, list[dict]] = {}
    for note in list(client.notifications):
        if note.get("method") == "textDocument/publishDiagnostics":
            out[note["params"]["uri"]] = note["params"]["diagnostics"]
    return out


def test_after_each_edit_of_a_sequence_the_editor_shows_what_the_command_line_reports(client, tmp_path):
    """Edits of shared and tenant files, imports, after(...) edges, a syntax error and its repair,
    each saved: the diagnostics the server has published for every file (re-analysed
    incrementally) equal `pipec lint` and `pipec check` of the files as saved."""
    root = write_incremental(tmp_path)
    files = [root / name for name in INCREMENTAL_FILES]
    _published(client, files)
    active: dict[str, set[int]] = {name: set() for name in INCREMENTAL_FILES}
    sequence = [10, 1, 1, 6, 6, 24, 24, 19, 28, 12, 16, 16, 0, 31, 31, 28, 3, 30, 33, 10, 2, 13, 13, 32, 3, 33]
    seen: set[str] = set()
    try:
        for version, edit in enumerate(sequence, start=2):
            name = EDITS[edit][0]
            active[name] ^= {edit}
            path = root / name
            text = incremental_text(name, active[name])
            path.write_text(text, encoding="utf-8")
            client.change(path, text, version)
            client.notify("textDocument/didSave", {"textDocument": {"uri": uri(path)}})
            client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri(path)}})  # all published
            shown = _latest(client)
            editor = {f.name: _editor(shown.get(uri(f), [])) for f in files}
            lint = _cli_in_process("lint", root)
            assert editor == {f.name: lint.get(f.name, []) for f in files}, EDITS[edit]
            seen |= {d[0] for diags in editor.values() for d in diags}
            check = _cli_in_process("check", root)
            assert {n: [d for d in diags if d[1] == "error"] for n, diags in editor.items()} == \
                {f.name: check.get(f.name, []) for f in files}, EDITS[edit]
    finally:
        _close(client, files)
    # the sequence went through errors, cross-file lint findings and suppressions
    assert {"E0", "E403", "E402", "E404", "W103", "W104", "W106", "W115", "W116", "W117", "W118"} <= \
        {c if not c.startswith("E0") else "E0" for c in seen}
