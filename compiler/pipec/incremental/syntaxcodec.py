"""Syntax trees to JSON and back, for the parse entries of ``pipec.incremental.store``.

A node is ``{"n": class name, "f": [field values]}``, a span ``{"s": start, "e":
end}`` (its path is the module's, given when decoding), a tuple ``{"t": [...]}``;
strings, integers, booleans and None are themselves. Decoding builds only the
classes of ``pipec.syntax.nodes`` with exactly their number of fields, and
anything else is an error (the entry is then a miss): nothing read is executed.
"""

from __future__ import annotations

import dataclasses
import json

from pipec.source import Span
from pipec.syntax import nodes

_CLASSES = {cls.__name__: cls for cls in vars(nodes).values()
            if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == nodes.__name__}
_ARITY = {name: len(dataclasses.fields(cls)) for name, cls in _CLASSES.items()}


class CodecError(ValueError):
    """The tree holds a value this codec does not know, or the JSON is not a tree it wrote."""


def encode(module: nodes.Module) -> str:
    """The JSON text of ``module`` (every span must lie in the module's own file)."""
    return json.dumps(_enc(module, module.path), separators=(",", ":"))


def _enc(value, path: str):
    if value is None or type(value) in (str, bool, int):  # not subclasses (a Lark Token is a str)
        return value
    if isinstance(value, Span):
        if value.path != path:
            raise CodecError(f"a span in another file: {value.path}")
        return {"s": value.start, "e": value.end}
    if isinstance(value, tuple):
        return {"t": [_enc(v, path) for v in value]}
    name = type(value).__name__
    if _CLASSES.get(name) is not type(value):
        raise CodecError(f"not a syntax node: {name}")
    return {"n": name, "f": [_enc(getattr(value, f.name), path) for f in dataclasses.fields(value)]}


def decode(text: str, path: str) -> nodes.Module:
    """The module encoded in ``text``, its spans in ``path``; CodecError if it is not one."""
    def hook(obj: dict):
        if "n" in obj:
            cls, fields = _CLASSES.get(obj["n"]), obj.get("f")
            if cls is None or not isinstance(fields, list) or len(fields) != _ARITY[obj["n"]] or len(obj) != 2:
                raise CodecError("not a syntax node")
            return cls(*fields)
        if "t" in obj and len(obj) == 1 and isinstance(obj["t"], list):
            return tuple(obj["t"])
        if len(obj) == 2 and type(obj.get("s")) is int and type(obj.get("e")) is int:
            return Span(path, obj["s"], obj["e"])
        raise CodecError("not a syntax value")

    try:
        module = json.loads(text, object_hook=hook)
    except (ValueError, TypeError, RecursionError) as err:
        raise CodecError(str(err)) from None
    if not isinstance(module, nodes.Module) or module.path != path:
        raise CodecError("not a module of this path")
    return module
