"""Properties of the formatter: idempotent, meaning-preserving, comment-preserving.

Over every example and stdlib file, over programs generated from the grammar's
constructs (the generator of tests/frontend/test_properties.py), over those files
with their whitespace shuffled (which must format exactly like the original), and
over randomly edited files (which either fail with syntax errors or format safely).
``format_source`` itself re-parses its output and raises ``FormatterBug`` when the
syntax tree or the comments differ; the checks here are independent of that.
The CI profile (tests/conftest.py) derandomizes them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fmt_support import REPO_FILES, ROOT
from pipec.diagnostics import Sink
from pipec.fmt import comments, format_source, shape
from pipec.syntax.parser import parse_module, raw_tokens

sys.path.insert(0, str(ROOT / "tests" / "frontend"))
from test_properties import mutations, programs  # noqa: E402  (the front end's program generators)

PUNCT = {"COMMA", "LPAR", "RPAR", "LSQB", "RSQB", "LBRACE", "RBRACE", "EQUAL", "COLON", "DOT", "OPTIONAL"}


def _tree(text: str):
    sink = Sink()
    module = parse_module("x.pipe", text, sink)
    assert not sink.has_errors
    return shape(module)


def assert_well_formatted(text: str) -> str:
    """Format ``text`` (which parses) and check every property; return the result."""
    result = format_source("x.pipe", text)
    assert result.ok, result.diagnostics
    out = result.text
    assert format_source("x.pipe", out).text == out, "not idempotent"
    assert _tree(out) == _tree(text)
    assert comments(out) == comments(text)
    assert [c for c in comments(out)] == [c.rstrip() for k, c in raw_tokens(text) if k.endswith("COMMENT")]
    assert out == "" or (out.endswith("\n") and not out.endswith("\n\n"))
    assert "\r\n" not in out
    for line in out.split("\n"):
        assert line == line.rstrip() and set(line[:len(line) - len(line.lstrip())]) <= {" "}
    assert "\n\n\n" not in out
    return out


@pytest.mark.parametrize("path", REPO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_repository_files(path: Path) -> None:
    assert_well_formatted(path.read_text(encoding="utf-8"))


@settings(max_examples=150)
@given(program=programs())
def test_generated_programs(program: str) -> None:
    assume(format_source("x.pipe", program).ok)
    assert_well_formatted(program)


@st.composite
def reflowed(draw, text: str) -> str:
    """``text`` with other spaces between tokens, other indentation, CRLF or LF line ends."""
    out, prev = [], None
    for kind, value in raw_tokens(text):
        if kind == "_NL":
            ws = draw(st.sampled_from(["", " ", "\t", "  \t "]))
            out.append(ws + value.replace("\n", draw(st.sampled_from(["\n", "\r\n"]))))
            out.append(draw(st.sampled_from(["", "  ", "\t", "        "])))
        else:
            low = 0 if prev in PUNCT or kind in PUNCT or prev == "_NL" or prev is None else 1
            out.append(" " * draw(st.integers(low, 3)) + value)
        prev = kind
    return "".join(out)


@settings(max_examples=100)
@given(data=st.data(), path=st.sampled_from(REPO_FILES))
def test_whitespace_does_not_matter(data, path: Path) -> None:
    original = path.read_text(encoding="utf-8")
    shuffled = data.draw(reflowed(original))
    assert format_source("x.pipe", shuffled).text == format_source("x.pipe", original).text


@settings(max_examples=100)
@given(data=st.data(), path=st.sampled_from(REPO_FILES))
def test_edited_files_are_formatted_safely_or_not_at_all(data, path: Path) -> None:
    text = data.draw(mutations(path.read_text(encoding="utf-8")))
    result = format_source("x.pipe", text)  # raises FormatterBug if the meaning would change
    if result.ok:
        assert_well_formatted(text)
    else:
        assert any(d.severity.value == "error" for d in result.diagnostics)


def test_comment_only_and_empty_files() -> None:
    assert format_source("x.pipe", "").text == ""
    assert format_source("x.pipe", "\n\n  \n").text == ""
    assert format_source("x.pipe", "  # only a comment   \n\n\n/// doc\n").text == "# only a comment\n\n/// doc\n"
