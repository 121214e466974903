"""The one module that writes YAML: plain data in, bytes out, keys sorted.

Every string must read back as the same string in any YAML 1.1 or 1.2 reader
(PyYAML, ruamel.yaml, go-yaml in Kubernetes tooling, ...). PyYAML quotes what
its own YAML 1.1 resolver would read as another type; ``represent_str`` also
quotes what other readers would: YAML 1.1's ``y``/``n`` booleans and YAML
1.2's numbers (``0o17``, ``1e3``, ``+1.5E3``), and writes strings holding
U+0085, U+2028 or U+2029 (line breaks in 1.1, plain characters in 1.2) double
quoted, where they are escapes both read alike. It is a representer, so the
rule holds with the pure-Python and the libyaml (``CSafeDumper``) emitter.

Documents are emitted by libyaml (PyYAML's ``CSafeDumper``, several times
faster) when PyYAML has it and the document is one both emitters write alike:
every string printable ASCII and every key short and not empty (libyaml writes
long keys and some escapes differently). Any other document, or a PyYAML
without libyaml, goes through the pure-Python ``SafeDumper``. Either way the
bytes are the same (tests/codegen/test_yamlout.py).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_STR = "tag:yaml.org,2002:str"
# Plain scalars some YAML 1.1 or 1.2 reader resolves to a non-string although
# PyYAML's resolver does not: 1.1 one-letter booleans, 1.2 core/JSON numbers
# (exponent without a dot or sign, 0o octal, ruamel's `-_`), go-yaml's 0b/0o/0x
# with underscores, inf/nan spellings, and dates with one-digit months or days.
_AMBIGUOUS = re.compile(
    r"[yYnN]"
    r"|[-+]?0[bBoOxX][0-9a-fA-F_]+"
    r"|[-+]?(?:\.[0-9_]+|[0-9_]+(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9_]+)?"
    r"|[-+]?\.?(?:[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}.*)?"
)
# Line breaks in YAML 1.1 but not in 1.2: only double-quoted escapes keep them.
_BREAKS_1_1 = re.compile("[\x85\u2028\u2029]")


def represent_str(dumper: yaml.BaseDumper, value: str) -> yaml.ScalarNode:
    """A str node, quoted when a plain or single-quoted scalar could read back differently."""
    if _BREAKS_1_1.search(value):
        return dumper.represent_scalar(_STR, value, style='"')
    if _AMBIGUOUS.fullmatch(value):
        return dumper.represent_scalar(_STR, value, style="'")
    return dumper.represent_scalar(_STR, value)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that never emits anchors/aliases (shared dicts are written out twice)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_CBase = getattr(yaml, "CSafeDumper", None)


class _CDumper(_CBase or yaml.SafeDumper):  # type: ignore[misc]
    """The same over libyaml's emitter (the representers are PyYAML's own)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_representer(str, represent_str)
_CDumper.add_representer(str, represent_str)

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
