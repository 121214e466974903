"""A content-addressed store of one environment's compile work: ``OUT/.pipec-cache/inc-ENV/``.

Each entry is one file named by its key (a SHA-256 of everything that
determines it, pipec itself included) holding a JSON header line and a body.
The header repeats the key and gives the body's SHA-256: an entry whose name,
header or body disagree (a torn write, a file copied from elsewhere, any
corruption) is a miss. Nothing read here is ever executed or unpickled: bodies
are JSON, decoded by code that builds only known types.

The store keeps exactly the entries the last clean run used (``prune``), so it
does not grow with every edit. Writing is best effort: a store that cannot be
written only makes the next run slower.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import zlib
from pathlib import Path

from pipec.buildcache import CACHE_DIR, pipec_fingerprint

_FORMAT = "pipec-inc 1"


def store_dir(out_dir: Path, env: str) -> Path:
    return Path(out_dir) / CACHE_DIR / f"inc-{env}"


def key_of(*parts: str) -> str:
    """The SHA-256 key of ``parts`` (strings), with this store's format and pipec's fingerprint."""
    digest = hashlib.sha256(f"{_FORMAT}\0{pipec_fingerprint()}\0".encode("utf-8"))
    for part in parts:
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Store:
    """Entries of one kind per subfolder (``parse``, ``dag``, ``render``), keyed by SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.used: set[str] = set()  # "kind/key" of every entry read or written by this run
        # "kind/key" -> the file's bytes, zlib-compressed until ``save`` writes them: a compile's new
        # entries (every syntax tree, every environment's DAGs) are held to the end, tens of MB at
        # 20,000 tasks as text, a tenth of that compressed
        self.new: dict[str, bytes] = {}

    def get(self, kind: str, key: str) -> tuple[dict, str] | None:
        """The header and body of an intact entry, else None."""
        name = f"{kind}/{key}"
        packed = self.new.get(name)
        text = zlib.decompress(packed).decode("utf-8") if packed is not None else None
        if text is None:
            target = self.root / kind / key
            try:
                if not stat.S_ISREG(os.lstat(target).st_mode):  # before opening: opening a FIFO blocks
                    return None
                with open(target, encoding="utf-8") as handle:
                    text = handle.read()
            except (OSError, UnicodeDecodeError, ValueError):
                return None
        head, sep, body = text.partition("\n")
        try:
            header = json.loads(head)
        except (ValueError, RecursionError):  # a damaged header of deeply nested brackets
            return None
        if not sep or not isinstance(header, dict) or header.get("key") != key or header.get("sha") != sha(body):
            return None
        self.used.add(name)
        return header, body

    def put(self, kind: str, key: str, body: str, **header) -> None:
        name = f"{kind}/{key}"
        head = json.dumps({**header, "key": key, "sha": sha(body)}, sort_keys=True)
        self.new[name] = zlib.compress((head + "\n" + body).encode("utf-8"), 1)
        self.used.add(name)

    def save(self) -> None:
        """Write the new entries and remove every entry this run did not use."""
        from pipec.publish import write_atomic

        try:
            for name, packed in sorted(self.new.items()):  # no fsync: a torn entry is a miss (see above)
                write_atomic(self.root / name, zlib.decompress(packed), sync=False)
            self._prune()
        except OSError:
            pass
        self.new.clear()

    def _prune(self) -> None:
        if not self.root.is_dir():
            return
        for kind in os.listdir(self.root):
            folder = self.root / kind
            if not folder.is_dir() or folder.is_symlink():
                continue
            for key in os.listdir(folder):
                if f"{kind}/{key}" not in self.used:
                    (folder / key).unlink(missing_ok=True)
