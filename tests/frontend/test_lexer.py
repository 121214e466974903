"""pipec.syntax.lexer.PipeLexer yields exactly the tokens (and errors) of Lark's own basic lexer."""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

import pytest
from lark import Lark
from lark.exceptions import UnexpectedCharacters

from pipec.resources import grammar_text
from pipec.syntax.parser import _raw_lexer, lex

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p for p in ROOT.glob("**/*.pipe") if ".venv" not in p.parts and "node_modules" not in p.parts)
JUNK = ['"', "'", "{", "}", "\n", "\r\n", "///", "#", "${", "\t", "\u00e9", "@", "X9", "99999999999999999999", "after ,"]


@cache
def _lark() -> Lark:
    return Lark(grammar_text(), parser="lalr", lexer="basic")


def _lark_tokens(text: str) -> list | str:
    """Every token of Lark's basic lexer (spaces included), or the message of its error."""
    try:
        return [_fields(t) for t in _lark().lex(text, dont_ignore=True)]
    except UnexpectedCharacters as err:
        return str(err)


def _ours(text: str) -> list | str:
    tokens, error = _raw_lexer().tokens(text, frozenset())
    if error is not None:
        return str(_raw_lexer().unexpected(text, error, tokens))
    return [_fields(t) for t in tokens]


def _fields(tok) -> tuple:
    return (tok.type, str(tok), tok.start_pos, tok.line, tok.column, tok.end_line, tok.end_column, tok.end_pos)


def _variants(text: str, seed: str) -> list[str]:
    rnd = random.Random(seed)
    out = [text]
    for _ in range(4):
        at = rnd.randrange(len(text) + 1)
        out.append(text[:at] + rnd.choice(JUNK) + text[at:])
    return out


@pytest.mark.parametrize("path", FILES[::3], ids=lambda p: str(p.relative_to(ROOT)))
def test_tokens_and_errors_are_larks(path: Path) -> None:
    for text in _variants(path.read_text(encoding="utf-8"), str(path)):
        assert _ours(text) == _lark_tokens(text)


def test_lex_drops_spaces_only_and_raises_value_error() -> None:
    text = 'tenant t {  # c\n  /// d\n  x = "a"\n}\n'
    assert [t.type for t in lex(text)] == ["TENANT", "NAME", "LBRACE", "COMMENT", "_NL", "DOC_COMMENT", "_NL",
                                           "NAME", "EQUAL", "STRING", "_NL", "RBRACE", "_NL"]
    with pytest.raises(ValueError, match="No terminal matches"):
        lex("tenant t { x = 'a' }")
