"""The one module that writes YAML: plain data in, bytes out, keys sorted.

Documents are emitted by libyaml (PyYAML's ``CSafeDumper``, several times
faster) when PyYAML has it and the document is one both emitters write alike:
every string printable ASCII and every key short and not empty (libyaml writes long keys and
some escapes differently). Any other document, or a PyYAML without libyaml, goes
through the pure-Python ``SafeDumper``. Either way the bytes are the same.
"""

from __future__ import annotations

import re
from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """SafeDumper that never emits anchors/aliases (shared dicts are written out twice)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_CBase = getattr(yaml, "CSafeDumper", None)


class _CDumper(_CBase or yaml.SafeDumper):  # type: ignore[misc]
    """The same over libyaml's emitter (the representers are PyYAML's own)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_PLAIN = re.compile(r"[\x20-\x7e]*\Z")
_MAX_KEY = 64  # libyaml and PyYAML disagree on simple keys of about 128 characters and more
_SCALARS = (bool, int, float, type(None))


def libyaml_safe(data: Any) -> bool:
    """Whether libyaml writes ``data`` byte for byte as the pure-Python emitter does."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not _PLAIN.match(item):
                return False
        elif isinstance(item, dict):
            for key, value in item.items():
                if not isinstance(key, str) or not 0 < len(key) < _MAX_KEY or not _PLAIN.match(key):
                    return False
                stack.append(value)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif not isinstance(item, _SCALARS):
            return False
    return True


def dump(document: Any) -> bytes:
    """One YAML document."""
    return dump_all([document])


def dump_all(documents: list[Any], pure: bool = False) -> bytes:
    """Several documents separated by ``---``, UTF-8, keys sorted, no line folding.

    ``pure`` forces the pure-Python emitter (the tests compare both).
    """
    fast = _CBase is not None and not pure and all(libyaml_safe(d) for d in documents)
    text = yaml.dump_all(
        documents,
        Dumper=_CDumper if fast else _Dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        explicit_start=len(documents) > 1,
        width=2**31 - 1,
    )
    return text.encode("utf-8")
