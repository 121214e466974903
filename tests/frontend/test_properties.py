"""Property tests for the front end: nothing a user writes makes analysis raise.

(a) random text; (b) programs generated from the grammar's constructs, which must
parse without syntax errors; (c) examples and stdlib files with random edits. For
each: no exception escapes ``pipec.driver.analyze``, every span lies inside its
file with a valid line and column, and every renderer accepts the result. The
profile (tests/conftest.py) derandomizes them in CI; ``PIPEC_FUZZ_SCALE=20``
runs twenty times as many examples, for a longer hunt.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from frontend_support import ROOT
from pipec.diagnostics.render import render
from pipec.driver import Analysis, analyze
from pipec.project import load_config

SCALE = float(os.environ.get("PIPEC_FUZZ_SCALE", "1"))


def examples(n: int) -> int:
    return max(1, int(n * SCALE))


KEYWORDS = ("import as platform environment profile enum runner tenant pipeline secret bronze silver gold "
            "task after when for in true false none").split()


# ---------------------------------------------------------------- invariants


def _check_spans(result: Analysis) -> None:
    for diag in result.diagnostics:
        for label in (diag.primary, *diag.secondary):
            span = label.span
            src = result.sources.get(span.path)
            if src is None:  # the command line, or a file that could not be read
                assert diag.code in ("E701", "E704", "E113") and span.start == span.end == 0, diag
                continue
            assert 0 <= span.start <= span.end <= len(src.text), (diag, len(src.text))
            for offset in (span.start, span.end):
                line, col = src.line_col(offset)
                assert 1 <= line <= src.line_count
                assert 1 <= col <= _raw_line_length(src, line) + 1


def _raw_line_length(src, line: int) -> int:
    start = src.line_starts[line - 1]
    end = src.line_starts[line] - 1 if line < src.line_count else len(src.text)
    return end - start


def _rendered(result: Analysis) -> str:
    outs = [render(fmt, result.diagnostics, result.sources) for fmt in ("text", "json", "sarif", "github")]
    for machine_readable in outs[1:3]:
        json.loads(machine_readable)
    return "".join(outs)


def _analyze(entries: list[Path], root: Path) -> Analysis:
    result = analyze(entries, root)
    _check_spans(result)
    return result


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory(prefix="pipec-props-") as tmp:
        yield Path(tmp)


def _analyze_text(workdir: Path, text: str) -> Analysis:
    path = workdir / "main.pipe"
    path.write_text(text, encoding="utf-8")
    return _analyze([path], workdir)


# ---------------------------------------------------------------- (a) random text

NASTY = st.sampled_from(['"', "'", "{", "}", "${", "$${", "\\", "\\u{", "[", "]", "(", ")", "\n", "\r\n", "\t",
                         "#", "///", ",", "=", ".", "__", "after", "task", "tenant", "platform", "run.ds", "\x00",
                         "\u2028", "\ufeff", "é", "🦆", "-1", "5m", "Acme", "\r"])
TEXT = st.lists(st.one_of(st.text(max_size=12), NASTY, st.sampled_from(KEYWORDS)), max_size=60).map("".join)


@settings(max_examples=examples(400))
@given(text=TEXT)
def test_random_text_never_raises(workdir: Path, text: str) -> None:
    _rendered(_analyze_text(workdir, text))


@settings(max_examples=examples(150))
@given(text=TEXT, at=st.integers(min_value=0))
def test_random_text_inside_a_valid_program_never_raises(workdir: Path, text: str, at: int) -> None:
    base = (ROOT / "examples" / "quickstart" / "main.pipe").read_text(encoding="utf-8")
    at %= len(base) + 1
    _rendered(_analyze_text(workdir, base[:at] + text + base[at:]))


# ---------------------------------------------------------------- (b) grammar-generated programs

NAMES = st.sampled_from(["acme", "globex", "sales", "finance", "t", "x", "orders", "stg", "medium", "small",
                         "large", "local", "prod", "load_mode", "incremental", "full_refresh", "docker",
                         "kubernetes", "standard", "dbt_run", "postgres_extract", "warehouse", "source", "std",
                         "run", "ds", "manual", "email", "k8s_secret", "select", "table", "mode", "a1", "b_2"])
FIELD_KEYS = st.sampled_from(["registry", "timezone", "start", "operator", "network", "cpu", "memory", "schema",
                              "namespace", "enclave", "quota", "pool", "egress", "tenants", "schedule", "retries",
                              "retry_delay", "timeout", "owner", "on_failure", "tags", "image", "entrypoint", "args",
                              "env", "secrets", "queue", "user", "run_as_user",
                              # keywords that may still be field names
                              "profile", "import", "as", "platform", "environment", "enum", "runner", "tenant",
                              "pipeline", "in", "true", "false", "none"])
UPPER = st.sampled_from(["DB_URL", "A", "SINCE", "X_1", "Threads"])
DOTTED_KEYS = st.sampled_from(["schema", "registry", "ds", "run_id", "name", "profile", "none", "in"])
TYPES = st.sampled_from(["string", "int", "bool", "duration", "quantity", "list", "map", "load_mode", "operator",
                         "enclave", "region"])

# literal string text: no quote, backslash, `$` or `{` (added below as safe pieces), no line breaks
_PLAIN = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters='"\\${}'),
                 max_size=8)
_SCALAR = st.integers(min_value=0, max_value=0x10FFFF).filter(lambda c: not 0xD800 <= c <= 0xDFFF)


@st.composite
def dotted(draw, heads=st.one_of(NAMES, st.sampled_from(["tenant", "platform", "run"]))) -> str:
    return ".".join([draw(heads)] + draw(st.lists(DOTTED_KEYS, max_size=2)))


STRING_PIECE = st.one_of(
    _PLAIN, _PLAIN, _PLAIN,
    st.sampled_from(['\\"', "\\\\", "\\n", "\\t", "\\r", "{{", "}}", "{%", "%}", "$ ", "$$ ", "$${", "}", "$1"]),
    _SCALAR.map(lambda c: "\\u{" + format(c, "x") + "}"),
    dotted().map(lambda d: "${" + d + "}"),
)
STRING = st.lists(STRING_PIECE, max_size=6).map(lambda parts: '"' + "".join(parts) + '"')
ATOM = st.one_of(STRING, st.integers(-10**6, 10**6).map(str), st.tuples(st.integers(0, 999), st.sampled_from(
    ["s", "m", "h", "d", "min", "ms"])).map(lambda d: f"{d[0]}{d[1]}"), st.sampled_from(["true", "false", "none"]),
    dotted())


def _sep(draw, inline: bool = False) -> str:
    return draw(st.sampled_from([", ", ","] if inline else [", ", "\n", ",\n", "\n\n  # note\n", " ,\n"]))


def _value(draw, depth: int) -> str:
    if depth <= 0:
        return draw(ATOM)
    kind = draw(st.sampled_from(["atom", "atom", "atom", "list", "map", "call"]))
    if kind == "atom":
        return draw(ATOM)
    if kind == "list":
        items = [_value(draw, depth - 1) for _ in range(draw(st.integers(0, 3)))]
        joiner = draw(st.sampled_from([", ", ",\n    "]))
        return "[" + joiner.join(items) + (draw(st.sampled_from(["", ","])) if items else "") + "]"
    if kind == "map":
        entries = [f"{draw(st.one_of(FIELD_KEYS, UPPER))} = {_value(draw, depth - 1)}"
                   for _ in range(draw(st.integers(0, 3)))]
        return "{ " + _sep(draw, inline=True).join(entries) + " }"
    return _call(draw, depth - 1)


def _call(draw, depth: int) -> str:
    callee = draw(st.one_of(dotted(NAMES), st.just("after")))
    args = [(f"{draw(NAMES)} = " if draw(st.booleans()) else "") + _value(draw, depth)
            for _ in range(draw(st.integers(0, 3)))]
    return f"{callee}(" + draw(st.sampled_from([", ", ",\n      "])).join(args) + ")"


def _task_name(draw) -> str:
    return draw(st.one_of(NAMES, st.tuples(NAMES, NAMES).map(lambda p: f"{p[0]}_${{{p[1]}}}")))


def _task(draw, depth: int) -> tuple[str, bool]:
    """A task entry, and whether it ends in an `after` list (then only a newline may follow)."""
    text = f"task {_task_name(draw)} = {_call(draw, 1)}"
    after = [_task_name(draw) for _ in range(draw(st.integers(0, 3)))]
    if after:
        text += " after " + draw(st.sampled_from([", ", ",\n    "])).join(after)
    block = draw(st.booleans())
    if block:
        text += " " + _block(draw, depth - 1, "task")
    return text, bool(after) and not block


def _entry(draw, depth: int, where: str) -> tuple[str, bool]:
    choices = ["field", "field", "field", "bare"]
    if depth > 0:
        choices += {"pipeline": ["layer", "layer"], "layer": ["task", "task", "for"], "for": ["task", "for"],
                    "task": ["when"], "tenant": ["secret"]}.get(where, []) + ["task", "for", "when", "layer", "secret"]
    kind = draw(st.sampled_from(choices))
    if kind == "field":
        return f"{draw(FIELD_KEYS)} = {_value(draw, 2)}", False
    if kind == "bare":
        return draw(NAMES), False
    if kind == "task":
        return _task(draw, depth)
    if kind == "for":
        return f"for {draw(NAMES)} in {_value(draw, 1)} {_block(draw, depth - 1, 'for')}", False
    if kind == "when":
        return f"when {draw(NAMES)} {_block(draw, depth - 1, 'when')}", False
    if kind == "layer":
        return f"{draw(st.sampled_from(['bronze', 'silver', 'gold']))} {_block(draw, depth - 1, 'layer')}", False
    return f"secret {draw(NAMES)} = {_call(draw, 1)}", False


def _block(draw, depth: int, where: str) -> str:
    entries = [_entry(draw, depth, where) for _ in range(draw(st.integers(0, 4)))]
    out, lead = "{", draw(st.sampled_from(["", " ", "\n  "]))
    for i, (text, open_after) in enumerate(entries):
        out += (lead if i == 0 else sep) + text
        sep = "\n  " if open_after else _sep(draw)
    if entries:
        out += "\n" if entries[-1][1] else draw(st.sampled_from(["", ",", "\n", ",\n"]))
    return out + ("\n}" if draw(st.booleans()) else " }")


def _param(draw) -> str:
    text = f"{draw(NAMES)}: {draw(TYPES)}" + draw(st.sampled_from(["", "?"]))
    return text + (f" = {draw(ATOM)}" if draw(st.booleans()) else "")


def _declaration(draw) -> str:
    kind = draw(st.sampled_from(["import", "platform", "environment", "profile", "enum", "runner", "tenant",
                                 "pipeline", "pipeline"]))
    doc = draw(st.sampled_from(["", "/// docs\n", "/// two\n///\n"]))
    if kind == "import":
        alias = draw(st.sampled_from(["", "", " as std", " as lib"]))
        return f'import "std/{draw(st.sampled_from(["runners", "profiles"]))}"{alias}'
    if kind == "platform":
        return doc + "platform " + _block(draw, 1, "platform")
    if kind == "enum":
        values = draw(st.lists(NAMES, max_size=4))
        return doc + f"enum {draw(NAMES)} {{ " + ", ".join(values) + " }"
    if kind == "runner":
        params = ", ".join(_param(draw) for _ in range(draw(st.integers(0, 3))))
        return doc + f"runner {draw(NAMES)}({params}) " + _block(draw, 1, "runner")
    return doc + f"{kind} {draw(NAMES)} " + _block(draw, 3 if kind == "pipeline" else 1, kind)


@st.composite
def programs(draw) -> str:
    decls = [_declaration(draw) for _ in range(draw(st.integers(1, 6)))]
    head = draw(st.sampled_from(["", "\n", "# a comment\n", ",\n"]))
    return head + "".join(d + draw(st.sampled_from(["\n", "\n\n", "  # trailing\n", ",\n"])) for d in decls)


@settings(max_examples=examples(250))
@given(program=programs())
def test_generated_programs_parse_and_analyze(workdir: Path, program: str) -> None:
    result = _analyze_text(workdir, program)
    syntax = [d for d in result.diagnostics if d.code.startswith("E0")]
    assert not syntax, program + "\n" + render("text", syntax, result.sources)
    _rendered(result)


def test_generator_reaches_the_checks(workdir: Path) -> None:
    """The generator is useful only if its programs get past parsing into every stage."""
    seen: set[str] = set()

    @settings(max_examples=150, derandomize=True, database=None)
    @given(program=programs())
    def collect(program: str) -> None:
        seen.update(d.code[:2] for d in _analyze_text(workdir, program).diagnostics)

    collect()
    assert {"E1", "E2"} <= seen, seen


# ---------------------------------------------------------------- (c) mutated examples and stdlib


def _project_files() -> list[tuple[str, Path]]:
    """(label, file) for every example file and every stdlib file."""
    out = [(f"examples/{p.relative_to(ROOT / 'examples')}", p) for p in sorted((ROOT / "examples").rglob("*.pipe"))]
    return out + [(f"stdlib/{p.name}", p) for p in sorted((ROOT / "stdlib").glob("*.pipe"))]


FILES = _project_files()


@pytest.fixture(scope="module")
def projects(workdir: Path):
    """A private copy of the examples and the stdlib files, so mutations never touch the checkout."""
    target = workdir / "copy"
    shutil.copytree(ROOT / "examples", target / "examples", ignore=shutil.ignore_patterns("build"))
    shutil.copytree(ROOT / "stdlib", target / "stdlib")
    return target


def _entries(projects: Path, label: str) -> tuple[list[Path], Path]:
    path = projects / label
    if label.startswith("examples/"):
        root = projects / "examples" / label.split("/")[1]
        cfg = load_config(root / "pipec.toml")
        return cfg.entries, cfg.root
    return [path], path.parent


TOKENS = ["{", "}", "(", ")", "[", "]", ",", "=", '"', "${", "after", "task", "tenant.", "none", "\n", "#", "///",
          "-", "__", "for t in [1] {", "when prod {", "run.ds", "std.", "\\"]
VALUE_AT = re.compile(r"(?<![=!<>])=\s*([^\s,(){}\[\]][^,(){}\[\]\n]*?)\s*(?=[,)}\]\n#])")  # a simple value after `=`
NUMBERS = st.sampled_from(["0", "-1", "-0", "1", "999999999999999999999", "0s", "0m", "100000d", '"0"', '"-1"',
                           '"0.5"', '"1e3"', '"99999Ei"', '""', "[]", "{}", "none", "manual", "after(sales)"])
NEW_NAMES = ["acme", "globex", "sales", "medium", "extract_orders", "nope", "tenant", "run", "std", "prod", "Acme"]


@st.composite
def mutations(draw, text: str) -> str:
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["delete_line", "duplicate_line", "swap_lines", "delete_char", "insert_char",
                                   "insert_token", "replace_name", "replace_value", "replace_value"]))
        if op.endswith("line") or op == "swap_lines":
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if op == "delete_line" and len(lines) > 1:
                del lines[i]
            elif op == "duplicate_line":
                lines.insert(i, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            continue
        text = "\n".join(lines)
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        if op == "delete_char":
            text = text[:at] + text[at + 1:]
        elif op == "insert_char":
            text = text[:at] + draw(st.characters(blacklist_categories=("Cs",))) + text[at:]
        elif op == "insert_token":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif op == "replace_value":
            values = list(VALUE_AT.finditer(text))
            if values:
                m = draw(st.sampled_from(values))
                text = text[:m.start(1)] + draw(st.one_of(NUMBERS, ATOM)) + text[m.end(1):]
        else:
            words = sorted({w for w in _words(text)})
            if words:
                old = draw(st.sampled_from(words))
                text = text.replace(old, draw(st.sampled_from(NEW_NAMES)), draw(st.integers(1, 3)))
        lines = text.split("\n")
    return "\n".join(lines)


def _words(text: str) -> list[str]:
    return re.findall(r"\b[a-z][a-z0-9_]{2,}\b", text)


@st.composite
def mutated_files(draw) -> tuple[str, str]:
    label, path = draw(st.sampled_from(FILES))
    return label, draw(mutations(path.read_text(encoding="utf-8")))


@settings(max_examples=examples(120))
@given(case=mutated_files())
def test_mutated_examples_never_raise_and_are_deterministic(projects: Path, case: tuple[str, str]) -> None:
    label, text = case
    path = projects / label
    original = path.read_text(encoding="utf-8")
    assume(text != original)
    path.write_text(text, encoding="utf-8")
    try:
        entries, root = _entries(projects, label)
        first = _rendered(_analyze(entries, root))
        assert _rendered(_analyze(entries, root)) == first
    finally:
        path.write_text(original, encoding="utf-8")


def test_unmutated_copies_check_clean(projects: Path) -> None:
    for label, _ in FILES:
        if label.startswith("examples/"):
            entries, root = _entries(projects, label)
            assert _analyze(entries, root).errors == [], label
