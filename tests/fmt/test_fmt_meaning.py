"""The formatter's safety check without a second parse: ``pipec.fmt.meaning``.

``format_source`` proves its result means the same as its input by comparing token
streams (``meaning``) instead of parsing the result; these tests pin the grammar
property that argument rests on and show that the check catches what a parse would.
"""

from __future__ import annotations

import re

import pytest

import pipec.fmt as fmt
from fmt_support import ROOT
from pipec.diagnostics import Sink
from pipec.fmt import FormatterBug, format_source, meaning, shape
from pipec.syntax.parser import parse_module, raw_token_lines


def _meaning(text: str):
    return meaning(raw_token_lines(text), text)


def _tree(text: str):
    sink = Sink()
    module = parse_module("m.pipe", text, sink)
    assert not sink.has_errors
    return shape(module)


def test_line_breaks_appear_in_the_grammar_only_as_separators() -> None:
    grammar = (ROOT / "grammar" / "pipe.lark").read_text(encoding="utf-8")
    uses = [line.strip() for line in grammar.splitlines() if re.search(r"\b_NL\b", line)]
    assert uses == ['_sep: ("," | _NL)+', "_NL: /(\\r?\\n)+/"]
    starts = [line for line in grammar.splitlines() if line.startswith("start:")]
    assert starts == ["start: _sep? (_decl (_sep _decl)* _sep?)?"]


SAME = [
    ("platform {\n  a = 1\n  b = 2\n}\n", "\n\nplatform {\n\n\n  a = 1\r\n  b    = 2\n}"),
    ("platform {\n  a = [1,\n    2]\n}\n", "platform {\n  a = [1,\n\n2]\n}\n"),
    ("/// doc\nplatform {}\n", "   /// doc\n  platform {}  \n\n"),
]


@pytest.mark.parametrize("a, b", SAME)
def test_equal_meaning_means_equal_trees(a: str, b: str) -> None:
    assert _meaning(a) == _meaning(b)
    assert _tree(a) == _tree(b)


DIFFERENT = [
    ("platform {\n  a = 1\n  b = 2\n}\n", "platform {\n  a = 1 b = 2\n}\n"),  # entries joined
    ("platform {\n  a = 1\n}\n", "platform {\n  a = 2\n}\n"),  # a value
    ("/// doc\nplatform {}\n", "/// doc\n\nplatform {}\n"),  # the doc comment detached
    ("/// a\n/// b\nplatform {}\n", "/// a\n\n/// b\nplatform {}\n"),  # one doc block split
]


@pytest.mark.parametrize("a, b", DIFFERENT)
def test_a_changed_program_has_another_meaning(a: str, b: str) -> None:
    assert _meaning(a) != _meaning(b)


@pytest.mark.parametrize("bad", [
    lambda tokens: "platform {\n  a = 1 b = 2\n}\n",
    lambda tokens: "/// doc\n\nplatform {\n  a = 1\n  b = 2\n}\n",
    lambda tokens: "/// doc\nplatform {\n  a = 1\n  b = 2\n}\n# new\n",
    lambda tokens: "/// doc\nplatform {\n  a = 1\n  b = 2\n} '\n",
])
def test_a_layout_that_changes_the_meaning_raises(monkeypatch, bad) -> None:
    monkeypatch.setattr(fmt, "layout_tokens", bad)
    with pytest.raises(FormatterBug):
        format_source("m.pipe", "/// doc\nplatform {\n  a = 1\n  b   = 2\n}\n")
