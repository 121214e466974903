"""The one module that writes YAML: plain data in, bytes out, keys sorted."""

from __future__ import annotations

from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """SafeDumper that never emits anchors/aliases (shared dicts are written out twice)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(document: Any) -> bytes:
    """One YAML document."""
    return dump_all([document])


def dump_all(documents: list[Any]) -> bytes:
    """Several documents separated by ``---``, UTF-8, keys sorted, no line folding."""
    text = yaml.dump_all(
        documents,
        Dumper=_Dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        explicit_start=len(documents) > 1,
        width=2**31 - 1,
    )
    return text.encode("utf-8")
