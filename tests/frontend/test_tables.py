"""grammar/pipe.tables.json: Lark's saved analysis of grammar/pipe.lark (pipec.syntax.tables)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lark.exceptions import UnexpectedInput

from pipec.resources import grammar_text
from pipec.syntax import parser, tables
from pipec.syntax.lexer import PipeLexer

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p for p in ROOT.glob("**/*.pipe") if ".venv" not in p.parts and "node_modules" not in p.parts)


def _load(grammar: str):
    return tables.load(grammar, postlex=parser.Layout(), transformer=parser.Builder(), parser="lalr",
                       lexer=PipeLexer, maybe_placeholders=True)


def test_the_saved_tables_are_those_of_the_grammar() -> None:
    saved = tables.tables_path().read_text(encoding="utf-8")
    assert saved == tables.dumps(parser.from_grammar(), grammar_text()), \
        "grammar/pipe.tables.json is out of date: run `python -m pipec.syntax.tables`"


def test_the_parser_is_loaded_from_the_saved_tables() -> None:
    assert parser._lark().source_path == "<deserialized>"


def test_tables_of_another_grammar_are_not_used() -> None:
    edited = grammar_text().replace("INT: /-?[0-9]+/", "INT: /[0-9]+/")
    assert _load(edited).source_path != "<deserialized>"
    assert _load(grammar_text()).source_path == "<deserialized>"


def _damaged(valid: dict) -> list:
    """Tables files that are valid JSON but not tables (the hashes match, so they are read)."""
    keys = {"grammar_sha256": valid["grammar_sha256"], "lark": valid["lark"]}
    return [[], {**keys}, {**keys, "data": []}, {**keys, "data": valid["data"], "memo": {"x": 1}},
            {**keys, "data": {**valid["data"], "parser": {"parser": {"tokens": {}, "states": []}}}, "memo": {}}]


def test_a_damaged_tables_file_only_costs_time(tmp_path: Path, monkeypatch) -> None:
    import json

    valid = json.loads(tables.tables_path().read_text(encoding="utf-8"))
    for damaged in _damaged(valid):
        path = tmp_path / "pipe.tables.json"
        path.write_text(json.dumps(damaged), encoding="utf-8")
        monkeypatch.setattr(tables, "tables_path", lambda: path)
        lark = _load(grammar_text())
        assert lark.source_path != "<deserialized>", damaged
        assert not isinstance(_outcome(lark, 'platform { registry = "r.example/etl" }\n'), tuple)


def _outcome(lark, text: str):
    """What a parse yields: the module, or the kind of error, where, and what was expected."""
    builder = lark.options.transformer
    builder.reset("t.pipe", 0, 0, {})
    try:
        return lark.parse(text)
    except UnexpectedInput as err:
        expected = getattr(err, "accepts", None) or getattr(err, "expected", None) or getattr(err, "allowed", None)
        return type(err).__name__, getattr(err, "pos_in_stream", None), sorted(expected or ())


@pytest.mark.parametrize("path", FILES[::4], ids=lambda p: str(p.relative_to(ROOT)))
def test_saved_and_built_parsers_agree(path: Path) -> None:
    saved, built = _load(grammar_text()), parser.from_grammar()
    assert saved.source_path == "<deserialized>"
    text = path.read_text(encoding="utf-8")
    half = text[:len(text) // 2]
    for variant in (text, half, half + "\n}\n}\n", text.replace("=", "= =", 1), text.replace("}", ")", 1)):
        assert _outcome(saved, variant) == _outcome(built, variant)
