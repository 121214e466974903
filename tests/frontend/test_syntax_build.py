"""The syntax tree is built during the parse (pipec.syntax.build): spans, diagnostic order, failed parses."""

from __future__ import annotations

from pipec.diagnostics import Sink
from pipec.syntax import nodes as n
from pipec.syntax.parser import parse_module


def _parse(text: str, path: str) -> tuple[n.Module, Sink]:
    sink = Sink()
    return parse_module(path, text, sink), sink


def _text(text: str, node) -> str:
    return text[node.span.start:node.span.end]


def test_diagnostics_come_in_source_order_though_inner_values_are_built_first() -> None:
    text = 'pipeline p {\n  x = ["\\q", {a = "\\z", b = 99999999999999999999999}, "${bad"]\n}\n'
    _, sink = _parse(text, "order.pipe")
    assert [d.code for d in sink.items] == ["E004", "E004", "E214", "E005"]
    starts = [d.primary.span.start for d in sink.items]
    assert starts == sorted(starts)


def test_a_failed_parse_leaves_no_diagnostics_of_what_it_had_built() -> None:
    # `x = "\q"` is built (E004) before the second `=` fails; recovery blanks the line
    text = 'pipeline p {\n  x = "\\q" = 1\n  y = 2\n}\n'
    module, sink = _parse(text, "failed.pipe")
    assert [d.code for d in sink.items] == ["E001"]
    assert [f.key.text for f in module.decls[0].block.entries] == ["y"]


def test_spans_cover_the_brackets_and_the_whole_entry() -> None:
    text = '/// doc\npipeline p {\n  x = [1, { a = f(b = "c") }]\n  task t = r() after a, b { y = 1 }\n}\n'
    module, sink = _parse(text, "spans.pipe")
    assert not sink.items
    decl = module.decls[0]
    field, task = decl.block.entries
    listed = field.value
    assert decl.doc == "doc"
    assert _text(text, decl).startswith("pipeline p {") and _text(text, decl).endswith("}")
    assert _text(text, field) == 'x = [1, { a = f(b = "c") }]'
    assert _text(text, listed.items[1]) == '{ a = f(b = "c") }'
    assert _text(text, listed.items[1].entries[0].value) == 'f(b = "c")'
    assert _text(text, task) == "task t = r() after a, b { y = 1 }"
    assert _text(text, task.call) == "r()"
    assert [a.text for a in task.after] == ["a", "b"]
