"""Lark's analysis of grammar/pipe.lark, saved next to it as grammar/pipe.tables.json.

Building the LALR tables from the grammar takes about 45 ms at every start; loading
them saved takes about 5 ms, and the loaded tables key their actions by plain
strings, which makes Lark's parse loop about a third cheaper. The file holds Lark's
own serialization of the parser (``Lark.memo_serialize``), put in a canonical order
(Lark numbers states and rules differently from run to run), with the sha256 of
the grammar text and the Lark version it was made from.

It is used only when both match; otherwise the parser is built from the grammar, so
an edit of grammar/ without regenerating the file is slower, never wrong.
tests/frontend/test_tables.py fails until it is regenerated:

    python -m pipec.syntax.tables
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import lark
from lark import Lark
from lark.grammar import Rule
from lark.lexer import TerminalDef

from pipec.resources import data_root

_SHIFT = 0
# Options that are objects, not data: given again when loading.
_LIVE = ("lexer", "postlex", "transformer")


def tables_path() -> Path:
    return data_root() / "grammar" / "pipe.tables.json"


def load(grammar: str, **options: Any) -> Lark:
    """The LALR parser of ``grammar`` with ``options`` (``lexer``, ``postlex`` and
    ``transformer`` besides the ones the tables were saved with), from the saved tables
    when they were made from this grammar by this Lark."""
    saved = _read(grammar)
    if saved is not None:
        data, memo = saved
        try:
            data["options"]["lexer"] = options["lexer"]
            data["parser"]["lexer_conf"]["lexer_type"] = options["lexer"]
            return Lark._load_from_dict(data, memo, postlex=options["postlex"], transformer=options["transformer"])
        except _DAMAGED:
            pass  # a damaged file is only slower: the parser is built from the grammar
    return Lark(grammar, **options)


# What reading a damaged tables file (valid JSON, matching hashes, wrong shapes) can raise.
_DAMAGED = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def _read(grammar: str) -> tuple[dict, dict] | None:
    try:
        saved = json.loads(tables_path().read_text(encoding="utf-8"))
        if saved.get("grammar_sha256") != _sha256(grammar) or saved.get("lark") != lark.__version__:
            return None
        table = saved["data"]["parser"]["parser"]
        table["tokens"] = {int(k): v for k, v in table["tokens"].items()}
        table["states"] = {int(s): {int(t): a for t, a in acts.items()} for s, acts in table["states"].items()}
        return saved["data"], {int(k): v for k, v in saved["memo"].items()}
    except (OSError, *_DAMAGED):
        return None


def _sha256(grammar: str) -> str:
    return hashlib.sha256(grammar.encode("utf-8")).hexdigest()


def dumps(parser: Lark, grammar: str) -> str:
    """The file's text for ``parser``, built from ``grammar``: the same for the same grammar."""
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    data = dict(data, options={k: v for k, v in data["options"].items() if k not in _LIVE})
    conf = {k: v for k, v in data["parser"]["lexer_conf"].items() if k != "lexer_type"}
    data["parser"] = dict(data["parser"], lexer_conf=conf)
    data, memo = _canonical(data, memo)
    saved = {"grammar_sha256": _sha256(grammar), "lark": lark.__version__, "data": data, "memo": memo}
    return json.dumps(saved, sort_keys=True, separators=(",", ":")) + "\n"


def _canonical(data: dict, memo: dict) -> tuple[dict, dict]:
    """Rules and terminals numbered by their content, states by a breadth-first walk from the start."""
    order = sorted(memo, key=lambda old: json.dumps(memo[old], sort_keys=True))
    ids = {old: new for new, old in enumerate(order)}
    data = _renumber(data, ids)
    for refs in (data["rules"], data["parser"]["parser_conf"]["rules"], data["parser"]["lexer_conf"]["terminals"]):
        refs.sort(key=lambda ref: ref["@"])
    data["parser"]["parser"] = _canonical_table(data["parser"]["parser"])
    return data, {ids[old]: memo[old] for old in order}


def _renumber(value, ids: dict[int, int]):
    if isinstance(value, dict):
        if set(value) == {"@"}:
            return {"@": ids[value["@"]]}
        return {k: _renumber(v, ids) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_renumber(v, ids) for v in value]
    return value


def _canonical_table(table: dict) -> dict:
    names = table["tokens"]
    by_name = {s: {names[t]: action for t, action in acts.items()} for s, acts in table["states"].items()}
    order = [table["start_states"][start] for start in sorted(table["start_states"])]
    for state in order:  # grows while it is walked
        for name in sorted(by_name[state]):
            kind, arg = by_name[state][name]
            if kind == _SHIFT and arg not in order:
                order.append(arg)
    order += sorted(set(by_name) - set(order), key=lambda s: json.dumps(sorted(by_name[s].items())))
    number = {old: new for new, old in enumerate(order)}
    token = {name: i for i, name in enumerate(sorted(names.values()))}
    states = {number[s]: {token[name]: [kind, number[arg] if kind == _SHIFT else arg]
                          for name, (kind, arg) in by_name[s].items()} for s in order}
    return {"tokens": {i: name for name, i in token.items()}, "states": states,
            "start_states": {k: number[v] for k, v in table["start_states"].items()},
            "end_states": {k: number[v] for k, v in table["end_states"].items()}}


def main() -> None:
    from pipec.resources import grammar_text
    from pipec.syntax.parser import from_grammar

    grammar = grammar_text()
    tables_path().write_text(dumps(from_grammar(), grammar), encoding="utf-8")
    print(f"wrote {tables_path()}")


if __name__ == "__main__":
    main()
