"""pipec.toml as a typed model: every key, its type, and where an error points.

``read_project_file`` parses the TOML, validates it (strict: a string is never a
list, an integer never a string; a file the quick check refuses goes through the
pydantic schema) and turns the first problem into a
``ProjectFileError`` located at the offending key, so the report shows the line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from functools import cache


@dataclass(frozen=True)
class ProjectFile:
    """The keys of pipec.toml. ``entry`` may be one file name or a list of them."""

    entry: list[str] | str
    env: str | None
    out: str | None
    lint: dict  # the [lint] table as written, keys as in the file (``pipec.lint.config.from_table`` reads it)

    @property
    def entries(self) -> list[str]:
        return [self.entry] if isinstance(self.entry, str) else list(self.entry)


_LINT_KEYS = {"select", "ignore", "per-file-ignores"}


def _strs(value) -> bool:
    return type(value) is list and all(type(v) is str for v in value)


def _plain(data: dict) -> ProjectFile | None:
    """``data`` as a ProjectFile when every key and type is right, else None (the schema then says why).

    The common case, checked without pydantic (which alone takes longer to import than a no-op
    compile needs in all); anything unusual goes through the strict pydantic schema.
    """
    if not set(data) <= {"entry", "env", "out", "lint"}:
        return None
    entry = data.get("entry", ["main.pipe"])
    if not (type(entry) is str or _strs(entry)):
        return None
    if any(k in data and type(data[k]) is not str for k in ("env", "out")):
        return None
    lint = data.get("lint", {})
    if type(lint) is not dict or not set(lint) <= _LINT_KEYS:
        return None
    select, ignore = lint.get("select", []), lint.get("ignore", [])
    per_file = lint.get("per-file-ignores", {})
    if not (_strs(select) and _strs(ignore) and type(per_file) is dict and all(_strs(v) for v in per_file.values())):
        return None
    return ProjectFile(entry if type(entry) is str else list(entry), data.get("env"), data.get("out"), dict(lint))


@cache
def _schema():
    """The strict pydantic model of pipec.toml, which locates the first problem of a file `_plain` refuses."""
    from pydantic import BaseModel, ConfigDict, Field

    class LintSchema(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)

        select: list[str] = Field(default_factory=list)
        ignore: list[str] = Field(default_factory=list)
        per_file_ignores: dict[str, list[str]] = Field(default_factory=dict, alias="per-file-ignores")

    class ProjectSchema(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)

        entry: list[str] | str = Field(default_factory=lambda: ["main.pipe"])
        env: str | None = None
        out: str | None = None
        lint: LintSchema = Field(default_factory=LintSchema)

    return ProjectSchema


KEY_HELP = ('keys: entry = ["main.pipe"], env = "NAME", out = "build", and [lint] select/ignore = ["W101"], '
            'per-file-ignores = { "GLOB" = ["W109"] }')
_TYPE_HELP = {
    "entry": 'write a list of file names: entry = ["main.pipe"]',
    "env": 'write an environment name in quotes: env = "prod"',
    "out": 'write a folder in quotes: out = "build"',
    "lint": 'write a table: [lint] then select = ["W101"]',
    "select": 'write a list of code prefixes: select = ["W101"]',
    "ignore": 'write a list of code prefixes: ignore = ["W103"]',
    "per-file-ignores": 'write a table of glob = [codes]: per-file-ignores = { "legacy/*.pipe" = ["W109"] }',
}
_EXPECTS = {"entry": "a list of strings", "env": "a string", "out": "a string", "lint": "a table",
            "select": "a list of strings", "ignore": "a list of strings",
            "per-file-ignores": "a table of lists of strings"}


@dataclass
class ProjectFileError(Exception):
    """A problem in pipec.toml at ``start``..``end`` (character offsets into the file's text)."""

    code: str
    message: str
    help: str
    start: int
    end: int
    label: str = ""


def read_project_file(text: str) -> ProjectFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        start = _offset_of(text, str(err))
        raise ProjectFileError("E703", "pipec.toml is not valid TOML", 'pipec.toml is TOML: entry = ["main.pipe"]',
                               start, min(start + 1, len(text)), label=re.sub(r" \(at .*\)$", "", str(err))) from None
    plain = _plain(data)
    if plain is not None:
        return plain
    from pydantic import ValidationError

    try:
        model = _schema().model_validate(data)
    except ValidationError as err:
        raise _located(text, data, err.errors()[0]) from None
    return ProjectFile(model.entry, model.env, model.out, model.lint.model_dump(by_alias=True, exclude_unset=True))


def _located(text: str, data: dict, error: dict) -> ProjectFileError:
    loc = tuple(str(p) for p in error["loc"] if not isinstance(p, int) and p not in ("str", "list[str]"))
    key = loc[-1]
    start, end = key_span(text, loc)
    if error["type"] == "extra_forbidden":
        where = "the [lint] table" if loc[:1] == ("lint",) else "pipec.toml"
        return ProjectFileError("E706", f"unknown key `{key}` in {where}", KEY_HELP, start, end, "unknown key")
    value = _value_at(data, loc)
    expects = _EXPECTS.get(key, "another type")
    return ProjectFileError("E705", f"`{'.'.join(loc)}` in pipec.toml expects {expects}, found {_describe(value, expects)}",
                            _TYPE_HELP.get(key, KEY_HELP), start, end, f"expected {expects}")


def _value_at(data: dict, loc: tuple[str, ...]):
    for part in loc:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _describe(value, expects: str) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list with an item that is not a string" if expects.startswith("a list") else "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


_HEADER = re.compile(r"\s*\[\s*([A-Za-z0-9_.\" -]+?)\s*\]\s*(#.*)?")
_KEY = re.compile(r"\s*([A-Za-z0-9_.\" -]+?)\s*=")


def key_span(text: str, loc: tuple[str, ...]) -> tuple[int, int]:
    """Offsets of the key ``loc`` (e.g. ``("lint", "select")``) as written; (0, 0) when not found.

    Understands ``[table]`` headers, dotted keys (``lint.select = ...``) and a key
    holding an inline table (``lint = { ... }``: the key ``lint`` is given).
    """
    table: tuple[str, ...] = ()
    offset = 0
    best = (0, 0)
    for line in text.splitlines(keepends=True):
        header = _HEADER.fullmatch(line.rstrip("\r\n"))
        if header and not line.lstrip().startswith("[["):
            table = _parts(header.group(1))
            if table == loc:
                best = _token(line, offset, header.group(1))
        elif (key := _KEY.match(line)) is not None:
            full = table + _parts(key.group(1))
            if full == loc or (full == loc[: len(full)] and best == (0, 0)):
                found = _token(line, offset, key.group(1))
                if full == loc:
                    return found
                best = found
        offset += len(line)
    return best


def _parts(key: str) -> tuple[str, ...]:
    return tuple(p.strip().strip('"') for p in key.split("."))


def _token(line: str, offset: int, token: str) -> tuple[int, int]:
    at = line.index(token)
    return offset + at, offset + at + len(token)


def _offset_of(text: str, message: str) -> int:
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if match is None:
        return max(len(text) - 1, 0)
    lines = text.splitlines(keepends=True)
    line, column = int(match.group(1)), int(match.group(2))
    return min(sum(len(x) for x in lines[: line - 1]) + column - 1, max(len(text) - 1, 0))
