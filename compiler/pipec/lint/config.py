"""Which lint warnings are reported: ``[lint]`` in pipec.toml.

```toml
[lint]
select = ["W"]                      # code prefixes; absent or []: every rule but the opt-in ones
ignore = ["W112"]                   # code prefixes never reported
per-file-ignores = { "legacy/*.pipe" = ["W109", "W110"] }  # glob (relative to pipec.toml) -> prefixes
```

Errors are always reported; ``ignore`` wins over ``select``.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipec.diagnostics import CODES

# rules that run only when `select` names them: they would fire on every project using the stdlib
OPT_IN = frozenset({"W108"})
KEYS = ("select", "ignore", "per-file-ignores")


class LintConfigError(ValueError):
    """``[lint]`` is malformed: the message names the key (``key`` inside [lint]), ``help`` the fix."""

    def __init__(self, message: str, help: str, key: str = "") -> None:
        super().__init__(message)
        self.message, self.help, self.key = message, help, key


@dataclass(frozen=True)
class LintConfig:
    """``select`` None means the default rule set; paths in ``per_file_ignores`` are relative to ``root``."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    root: Path | None = None

    def selects(self, code: str) -> bool:
        """Whether warning ``code`` is reported at all (errors always are)."""
        if CODES[code].severity == "error":
            return True
        if _matches(code, self.ignore):
            return False
        if self.select is None:
            return code not in OPT_IN
        return _matches(code, self.select)

    def reports(self, code: str, path: str) -> bool:
        """Whether ``code`` is reported in the file shown as ``path``."""
        if not self.selects(code):
            return False
        if CODES[code].severity == "error" or not self.per_file_ignores:
            return True
        rel = _relative(path, self.root)
        return not any(_matches(code, codes) for pattern, codes in self.per_file_ignores
                       if fnmatch.fnmatchcase(rel, pattern))


def _matches(code: str, prefixes) -> bool:
    return any(code.startswith(p) for p in prefixes)


def _relative(path: str, root: Path | None) -> str:
    if root is None:
        return Path(path).as_posix()
    rel = os.path.relpath(Path(path).resolve(), root.resolve())
    return Path(rel).as_posix()


def from_table(table: Any, root: Path | None) -> LintConfig:
    """Read the ``[lint]`` table of pipec.toml."""
    if not isinstance(table, dict):
        raise LintConfigError("`lint` must be a table", "write `[lint]` followed by `select = [...]`", "")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise LintConfigError(f"unknown key `lint.{unknown[0]}`", "keys of [lint]: " + ", ".join(KEYS), unknown[0])
    select = _prefixes(table["select"], "select") if table.get("select") != [] and "select" in table else None
    ignore = _prefixes(table.get("ignore", []), "ignore")
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise LintConfigError("`lint.per-file-ignores` must be a table of glob = [codes]",
                              'write per-file-ignores = { "legacy/*.pipe" = ["W109"] }', "per-file-ignores")
    pairs = tuple((str(glob), _prefixes(codes, "per-file-ignores")) for glob, codes in sorted(per_file.items()))
    return LintConfig(select, ignore, pairs, root)


def _prefixes(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LintConfigError(f"`lint.{key}` must be a list of codes", f'write {key} = ["W104", "W2"]', key)
    for prefix in value:
        if not prefix or not any(code.startswith(prefix.upper()) for code in CODES):
            raise LintConfigError(f"`lint.{key}` names `{prefix}`, which is no code or code prefix",
                                  "`pipec explain --list` lists the codes", key)
    return tuple(v.upper() for v in value)
