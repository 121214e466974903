"""Fuzzing the four front doors with generated and mutated programs: `pipec check`,
`pipec compile` (both example environments), `pipec fmt` and every language server
request handler (hover, definition, completion, references, rename, code actions,
symbols, semantic tokens, formatting; the real `pipec lsp` process over stdio). None may end in an internal
error: the command line may only exit 0, 1 or 2 with no exception, and the server
may only answer, never log a compiler bug.

Inputs reuse the front end's generators (tests/frontend/test_properties.py): random
text, programs built from the grammar's constructs, and the example projects with
random edits. In CI the ``ci`` profile derandomizes them; ``PIPEC_FUZZ=1`` (or
``HYPOTHESIS_PROFILE=fuzz``) loads the ``fuzz`` profile (random, an example
database, twenty times the examples; see tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "frontend"))
sys.path.insert(0, str(ROOT / "tests" / "lsp"))
from lsp_client import LspClient, uri  # noqa: E402
from test_properties import TEXT, examples, mutations, programs  # noqa: E402

from pipec.cli import cli  # noqa: E402

EXAMPLE_FILES = sorted(p.relative_to(ROOT / "examples").as_posix() for p in (ROOT / "examples").rglob("*.pipe"))
ENVS = ("local", "prod")
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]


def fuzz_settings(n: int) -> settings:
    """``n`` examples (times PIPEC_FUZZ_SCALE); the profile decides the rest."""
    return settings(max_examples=examples(n), suppress_health_check=_QUIET)


@st.composite
def edited_example(draw) -> tuple[str, str]:
    """(example file relative to examples/, its text after one to three random edits)."""
    label = draw(st.sampled_from(EXAMPLE_FILES))
    return label, draw(mutations((ROOT / "examples" / label).read_text(encoding="utf-8")))


INPUTS = st.one_of(
    programs().map(lambda text: ("quickstart/main.pipe", text)),
    TEXT.map(lambda text: ("quickstart/main.pipe", text)),
    edited_example(), edited_example(),
)


@pytest.fixture(scope="module")
def projects():
    """A private copy of the examples (with the stdlib beside them, as in the checkout)."""
    with tempfile.TemporaryDirectory(prefix="pipec-fuzz-") as tmp:
        target = Path(tmp)
        shutil.copytree(ROOT / "examples", target / "examples", ignore=shutil.ignore_patterns("build"))
        yield target / "examples"


def _run(args: list[str], cwd: Path, stdin: str | None = None):
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(cli, args, input=stdin, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"pipec {' '.join(args)} raised {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2), (args, result.exit_code)
    assert "internal error" not in result.output, (args, result.output)
    return result


@contextlib.contextmanager
def _edited(projects: Path, label: str, text: str):
    path = projects / label
    original = path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    try:
        yield projects / label.split("/")[0]
    finally:
        path.write_text(original, encoding="utf-8")


@pytest.mark.slow
@fuzz_settings(25)
@given(case=INPUTS)
def test_check_compile_and_fmt_never_fail_internally(projects: Path, case: tuple[str, str]) -> None:
    label, text = case
    with _edited(projects, label, text) as project, tempfile.TemporaryDirectory() as out:
        checked = _run(["check", "--color", "never"], project)
        for env in ENVS:
            compiled = _run(["compile", "--env", env, "--out", out, "--color", "never"], project)
            if compiled.exit_code == 0:
                assert checked.exit_code == 0, "compile passed what check refused"
                again = _run(["compile", "--env", env, "--out", out, "--check"], project)
                assert again.exit_code == 0, again.output  # the outputs are deterministic
        _run(["fmt", "-"], project, stdin=text)


# ---------------------------------------------------------------- the language server


@pytest.fixture(scope="module")
def server():
    with tempfile.TemporaryDirectory(prefix="pipec-fuzz-lsp-") as cwd:
        client = LspClient(Path(cwd))
        try:
            client.initialize(Path(cwd))
            yield client
        finally:
            client.kill()


def _positions(text: str, picks: list[int]) -> list[tuple[int, int]]:
    """Valid LSP positions (UTF-16 columns at code point boundaries) chosen by ``picks``."""
    lines = text.split("\n") or [""]
    out = []
    for pick in picks:
        line = lines[pick % len(lines)]
        k = (pick // len(lines)) % (len(line) + 1)
        out.append((pick % len(lines), len(line[:k].encode("utf-16-le")) // 2))
    return out


def _ask(server: LspClient, method: str, params: dict) -> None:
    """A request that must be answered: a result, or an error response that is not an internal error."""
    try:
        server.request(method, params)
    except RuntimeError as err:  # an error response: fine for a bad rename, never for a crash
        assert "-32603" not in str(err), err


def _at(path: Path, line: int, character: int, **extra) -> dict:
    return {"textDocument": {"uri": uri(path)}, "position": {"line": line, "character": character}, **extra}


def _position_requests(server: LspClient, path: Path, line: int, character: int) -> None:
    point = {"line": line, "character": character}
    for method in ("textDocument/hover", "textDocument/definition", "textDocument/completion",
                   "textDocument/prepareRename"):
        _ask(server, method, _at(path, line, character))
    _ask(server, "textDocument/references", _at(path, line, character, context={"includeDeclaration": True}))
    _ask(server, "textDocument/rename", _at(path, line, character, newName="renamed_x"))
    _ask(server, "textDocument/codeAction", {"textDocument": {"uri": uri(path)},
                                             "range": {"start": point, "end": point},
                                             "context": {"diagnostics": []}})


def _document_requests(server: LspClient, path: Path) -> None:
    document = {"textDocument": {"uri": uri(path)}}
    _ask(server, "textDocument/documentSymbol", document)
    _ask(server, "textDocument/semanticTokens/full", document)
    _ask(server, "textDocument/formatting", {**document, "options": {"tabSize": 2, "insertSpaces": True}})


@pytest.mark.slow
@fuzz_settings(20)
@given(case=INPUTS, picks=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=4),
       edit=TEXT, wild=st.tuples(st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1)))
def test_language_server_handlers_never_fail_internally(
    server: LspClient, projects: Path, case: tuple[str, str], picks: list[int], edit: str, wild: tuple[int, int]
) -> None:
    label, text = case
    path = (projects / label).resolve()
    mark = server.mark()
    server.open(path, text)
    server.diagnostics(path, after=mark)
    for line, character in [*_positions(text, picks), wild]:  # `wild` may lie past the end
        _position_requests(server, path, line, character)
    _document_requests(server, path)
    changed = text[: len(text) // 2] + edit
    server.change(path, changed, 2)
    for line, character in _positions(changed, picks):
        _position_requests(server, path, line, character)
    _document_requests(server, path)
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri(path)}})
    errors = [n for n in server.notifications[mark:] if n.get("method") == "window/logMessage"
              and "internal error" in n["params"]["message"]]
    assert not errors, errors[0]["params"]["message"]
    assert server.proc.poll() is None  # (pygls logs a refused rename's traceback on stderr: not a crash)
