"""pipec.toml is validated by a typed model: every mistyped or unknown key is a
coded diagnostic at the key's line and column, with exit 1 (issue 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frontend_support import invoke
from pipec.project import load_config

MAIN = 'platform { registry = "registry.localhost/etl" }\n'


def _check(tmp_path: Path, toml: str) -> tuple[int, list[dict]]:
    (tmp_path / "pipec.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "main.pipe").write_text(MAIN, encoding="utf-8")
    out = invoke(["check", "--output-format", "json"], tmp_path)
    return out.exit_code, json.loads(out.stdout)["diagnostics"]


@pytest.mark.parametrize("toml,code,line,column", [
    ('entry = ["main.pipe"]\nout = 5\n', "E705", 2, 1),
    ('entry = ["main.pipe"]\nenv = ["prod"]\n', "E705", 2, 1),
    ('entry = ["main.pipe"]\n\n[lint]\nselect = 5\n', "E705", 4, 1),
    ('entry = ["main.pipe"]\n\n[lint]\nselect = "W101"\n', "E705", 4, 1),
    ('entry = ["main.pipe"]\n\n[lint]\n  ignore = [1, 2]\n', "E705", 4, 3),
    ('entry = ["main.pipe"]\nlint.select = 5\n', "E705", 2, 1),
    ('entry = ["main.pipe", 3]\n', "E705", 1, 1),
    ('entry = 3\n', "E705", 1, 1),
    ('lint = "W101"\n', "E705", 1, 1),
    ('entry = ["main.pipe"]\ncolour = "blue"\n', "E706", 2, 1),
    ('entry = ["main.pipe"]\n[lint]\nselekt = ["W101"]\n', "E706", 3, 1),
    ('entry = ["main.pipe"\n', "E703", 1, 21),
])
def test_a_mistyped_key_is_reported_at_the_key(tmp_path: Path, toml: str, code: str, line: int, column: int) -> None:
    rc, diags = _check(tmp_path, toml)
    assert rc == 1
    assert [(d["code"], d["file"], d["line"], d["column"]) for d in diags] == [(code, "pipec.toml", line, column)]
    assert diags[0]["help"]


def test_a_text_report_shows_the_line(tmp_path: Path) -> None:
    (tmp_path / "pipec.toml").write_text('entry = ["main.pipe"]\nout = 5\n', encoding="utf-8")
    (tmp_path / "main.pipe").write_text(MAIN, encoding="utf-8")
    out = invoke(["check", "--color", "never"], tmp_path)
    assert out.stdout.splitlines()[:5] == [
        "error[E705]: `out` in pipec.toml expects a string, found an integer",
        " --> pipec.toml:2:1", "  |", "2 | out = 5", "  | ^^^ expected a string"]


def test_lint_select_is_never_split_into_characters(tmp_path: Path) -> None:
    (tmp_path / "pipec.toml").write_text('[lint]\nselect = ["W101"]\nignore = ["W103"]\n', encoding="utf-8")
    cfg = load_config(tmp_path / "pipec.toml")
    assert (cfg.lint.select, cfg.lint.ignore) == (("W101",), ("W103",))


def test_a_valid_project_file_loads(tmp_path: Path) -> None:
    (tmp_path / "pipec.toml").write_text('entry = "main.pipe"\nenv = "prod"\nout = "build"\n', encoding="utf-8")
    cfg = load_config(tmp_path / "pipec.toml")
    assert (cfg.entries, cfg.env, cfg.out) == ([tmp_path.resolve() / "main.pipe"], "prod", tmp_path.resolve() / "build")


@pytest.mark.parametrize("toml", [
    "",
    'entry = "main.pipe"\n',
    'entry = ["main.pipe", "more.pipe"]\nenv = "prod"\nout = "build"\n',
    '[lint]\nselect = ["W1"]\nignore = ["W103"]\n',
    '[lint]\nper-file-ignores = { "legacy/*.pipe" = ["W109"] }\n',
    'lint = { select = [] }\n',
    'entry = []\n[lint]\nselect = []\nignore = []\nper-file-ignores = {}\n',
])
def test_the_quick_reading_agrees_with_the_schema(toml: str) -> None:
    """A valid pipec.toml is read without pydantic; the result is the strict schema's."""
    import tomllib

    from pipec.projectfile import _plain, _schema, read_project_file

    data = tomllib.loads(toml)
    quick = _plain(data)
    assert quick is not None and read_project_file(toml) == quick
    model = _schema().model_validate(data)
    assert (quick.entry, quick.env, quick.out) == (model.entry, model.env, model.out)
    assert quick.lint == model.lint.model_dump(by_alias=True, exclude_unset=True)


@pytest.mark.parametrize("toml", [
    'entry = 3\n', 'entry = ["a.pipe", 3]\n', 'env = ["prod"]\n', 'out = 5\n', 'colour = "blue"\n',
    'lint = "W101"\n', '[lint]\nselect = "W101"\n', '[lint]\nignore = [1]\n', '[lint]\nselekt = []\n',
    '[lint]\nper-file-ignores = { "x" = "W1" }\n', '[lint]\nper-file-ignores = []\n',
    'entry = true\n', 'env = 2024-01-01\n',
])
def test_the_quick_reading_refuses_what_the_schema_refuses(toml: str) -> None:
    """Never a quick yes where the schema says no: those files get the schema's located error."""
    import tomllib

    from pydantic import ValidationError

    from pipec.projectfile import _plain, _schema

    data = tomllib.loads(toml)
    assert _plain(data) is None
    with pytest.raises(ValidationError):
        _schema().model_validate(data)


def test_a_compile_reads_pipec_toml_without_pydantic(tmp_path: Path) -> None:
    """pydantic alone takes most of a no-op compile's budget to import: a valid pipec.toml skips it."""
    import subprocess
    import sys

    (tmp_path / "pipec.toml").write_text('entry = ["main.pipe"]\n[lint]\nignore = ["W103"]\n', encoding="utf-8")
    code = ("import sys; from pathlib import Path; from pipec.project import load_config; "
            f"load_config(Path({str(tmp_path / 'pipec.toml')!r})); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic' or m.startswith('pipec.ir')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
