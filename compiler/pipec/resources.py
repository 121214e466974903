"""The one place that knows where ``grammar/`` and ``stdlib/`` live.

In a wheel they are packaged as ``pipec/_data/{grammar,stdlib}`` (see setup.py);
in a checkout (editable install or PYTHONPATH=compiler) they are the top-level folders.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    packaged = _PACKAGE / "_data"
    if (packaged / "grammar" / "pipe.lark").is_file():
        return packaged
    checkout = _PACKAGE.parent.parent
    if (checkout / "grammar" / "pipe.lark").is_file():
        return checkout
    raise RuntimeError("pipec installation is broken: grammar/pipe.lark not found")


def grammar_text() -> str:
    return (data_root() / "grammar" / "pipe.lark").read_text(encoding="utf-8")


def stdlib_dir() -> Path:
    return data_root() / "stdlib"
