"""The syntax tree: what the user wrote, with a span on every node, unvalidated.

Built during the parse by ``pipec.syntax.build`` (no Lark tree in between); consumed by lowering.
Values keep their spans so every later error can point at the exact token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from pipec.source import Span


@dataclass(frozen=True)
class Name:
    """An identifier as written, e.g. a declaration or field name."""

    text: str
    span: Span


# ---------------------------------------------------------------- strings


@dataclass(frozen=True)
class Lit:
    """Literal text of a string (escapes already decoded)."""

    text: str
    span: Span


@dataclass(frozen=True)
class Interp:
    """``${a.b}``: a dotted name interpolated into a string or a task name."""

    path: tuple[str, ...]
    span: Span


StrPart = Union[Lit, Interp]


@dataclass(frozen=True)
class Str:
    """A string literal; ``parts`` alternate literal text and interpolations."""

    parts: tuple[StrPart, ...]
    span: Span


@dataclass(frozen=True)
class TemplateName:
    """A task name, possibly with ``${x}`` parts (``extract_${t}``)."""

    parts: tuple[StrPart, ...]
    span: Span

    @property
    def is_plain(self) -> bool:
        return all(isinstance(p, Lit) for p in self.parts)

    @property
    def text(self) -> str:
        """The name as written (interpolations shown as ``${...}``)."""
        return "".join(p.text if isinstance(p, Lit) else "${" + ".".join(p.path) + "}" for p in self.parts)


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Int:
    """An integer literal; ``value`` is None when it is too large (reported while parsing)."""

    value: int | None
    span: Span


@dataclass(frozen=True)
class Duration:
    """``30s``: ``amount`` and ``unit`` as written (unit checked later; amount None when too large)."""

    amount: int | None
    unit: str
    span: Span


@dataclass(frozen=True)
class Bool:
    value: bool
    span: Span


@dataclass(frozen=True)
class NoneLit:
    span: Span


@dataclass(frozen=True)
class ListV:
    items: tuple["Value", ...]
    span: Span


@dataclass(frozen=True)
class MapEntry:
    key: Name
    value: "Value"


@dataclass(frozen=True)
class MapV:
    entries: tuple[MapEntry, ...]
    span: Span


@dataclass(frozen=True)
class Ref:
    """A dotted reference: ``medium``, ``std.dbt_run``, ``tenant.schema``."""

    parts: tuple[Name, ...]
    span: Span

    @property
    def dotted(self) -> str:
        return ".".join(p.text for p in self.parts)


@dataclass(frozen=True)
class Arg:
    """One call argument; ``name`` is None for a positional argument."""

    name: Name | None
    value: "Value"
    span: Span


@dataclass(frozen=True)
class Call:
    """``callee(args)``: a runner call, ``k8s_secret(...)``, ``email(...)``, ``after(...)``."""

    callee: Ref
    args: tuple[Arg, ...]
    span: Span


Value = Union[Str, Int, Duration, Bool, NoneLit, ListV, MapV, Ref, Call]


# ---------------------------------------------------------------- block entries


@dataclass(frozen=True)
class Field:
    key: Name
    value: Value
    span: Span


@dataclass(frozen=True)
class TaskDecl:
    """``task NAME = RUNNER(args) after A, B { overrides }``."""

    name: TemplateName
    call: Call
    after: tuple[TemplateName, ...]
    block: "Block | None"
    span: Span
    doc: str | None = None


@dataclass(frozen=True)
class ForBlock:
    """``for var in iterable { entries }``."""

    var: Name
    iterable: Value
    block: "Block"
    span: Span


@dataclass(frozen=True)
class WhenBlock:
    """``when ENV { fields }``."""

    env: Name
    block: "Block"
    span: Span


@dataclass(frozen=True)
class LayerBlock:
    """``bronze { ... }``, ``silver { ... }`` or ``gold { ... }``."""

    layer: Name
    block: "Block"
    span: Span


@dataclass(frozen=True)
class SecretDecl:
    """``secret SLOT = k8s_secret(NAME, key = KEY)`` in a tenant."""

    slot: Name
    call: Call
    span: Span
    doc: str | None = None


@dataclass(frozen=True)
class Bare:
    """A lone name in a block (an enum value)."""

    name: Name
    span: Span


Entry = Union[Field, TaskDecl, ForBlock, WhenBlock, LayerBlock, SecretDecl, Bare]


@dataclass(frozen=True)
class Block:
    entries: tuple[Entry, ...]
    span: Span


# ---------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Param:
    """A runner parameter ``name: type[?] [= default]``."""

    name: Name
    type: Name
    optional: bool
    default: Value | None
    span: Span


@dataclass(frozen=True)
class Import:
    path: Str
    alias: Name | None
    span: Span


@dataclass(frozen=True)
class Decl:
    """A top-level declaration.

    ``kind`` is the keyword (platform, environment, profile, enum, runner, tenant,
    pipeline, dbt); ``name`` is None only for ``platform``; ``params`` only for runners.
    """

    kind: str
    keyword: Span
    name: Name | None
    block: Block
    span: Span
    params: tuple[Param, ...] = ()
    doc: str | None = None


@dataclass(frozen=True)
class Module:
    """One parsed file."""

    path: str
    imports: tuple[Import, ...]
    decls: tuple[Decl, ...]
