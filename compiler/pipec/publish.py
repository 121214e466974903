"""Writing compiled outputs to DIR/ENV: atomic, minimal, and only pipec's own files.

``manifest.json`` in DIR/ENV lists every file pipec wrote there with its SHA-256.
It is how a later run knows which files are pipec's: a file it no longer
produces is removed only if the previous manifest lists it, and a file that
pipec did not write is never overwritten or removed (a differing one in the way
of an output is a conflict, reported before anything is written).

Each file is written to a temporary file in its own directory and moved into
place with ``os.replace``, so readers (Airflow's DAG processor) never see half a
file; unchanged files are not rewritten. While files are being written the
manifest lists the old and the new files together, so an interrupted run still
owns everything it may have written.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST = "manifest.json"
_FILE_MODE = 0o644


class PublishError(Exception):
    """Publishing would touch a file pipec did not write, or a path is invalid."""


@dataclass(frozen=True)
class PublishResult:
    """What publish did (``check=False``) or found (``check=True``); paths relative to DIR/ENV.

    Written and unchanged include ``manifest.json``. In check mode ``stale``
    files differ from what would be written, ``missing`` ones do not exist, and
    ``extra`` ones are pipec outputs of an earlier run that would be removed.
    """

    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()

    @property
    def up_to_date(self) -> bool:
        """True when a check found no difference."""
        return not (self.stale or self.missing or self.extra)


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def manifest_bytes(files: dict[str, bytes], inputs: dict[str, str] | None = None) -> bytes:
    """The manifest for ``files``: stable JSON, paths sorted, no timestamps or versions.

    ``inputs`` (path -> sha256 of files read besides the .pipe sources, such as dbt
    manifests) is listed under "inputs" when there are any, so that ``--check``
    finds the outputs stale when one of them changed.
    """
    listing = {path: sha256(data) for path, data in sorted(files.items())}
    doc = {"files": listing, **({"inputs": dict(sorted(inputs.items()))} if inputs else {})}
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


def publish(out_dir: Path, env: str, files: dict[str, bytes], check: bool = False,
            inputs: dict[str, str] | None = None) -> PublishResult:
    """Make DIR/ENV hold exactly ``files`` plus ``manifest.json`` (or compare, with ``check``)."""
    root = Path(out_dir) / env
    for path in files:
        _validate(path)
    outputs = {**files, MANIFEST: manifest_bytes(files, inputs)}
    previous = _previous_outputs(root)
    extra = sorted(p for p in previous if p not in outputs and (root / p).is_file())
    if check:
        return _compare(root, outputs, extra)
    _refuse_foreign(root, outputs, previous)
    return _apply(root, outputs, previous, extra)


def _apply(
    root: Path, outputs: dict[str, bytes], previous: set[str], extra: list[str]
) -> PublishResult:
    """Write changed outputs, remove ``extra``, and bring the manifest up to date."""
    manifest = outputs[MANIFEST]
    manifest_before = _read(root / MANIFEST)
    changed = [p for p in sorted(outputs) if p != MANIFEST and _read(root / p) != outputs[p]]
    if changed or extra:
        # Own every file this run may write before writing any (see module doc).
        owned = {p: d for p, d in outputs.items() if p != MANIFEST}
        owned |= {p: _read(root / p) or b"" for p in previous if p not in outputs}
        write_atomic(root / MANIFEST, manifest_bytes(owned))
    for path in changed:
        write_atomic(root / path, outputs[path])
    for path in extra:
        _remove(root, path)
    if _read(root / MANIFEST) != manifest:
        write_atomic(root / MANIFEST, manifest)
    written = changed + ([MANIFEST] if manifest_before != manifest else [])
    unchanged = [p for p in sorted(outputs) if p not in written]
    return PublishResult(written=tuple(written), removed=tuple(extra), unchanged=tuple(unchanged))


def _validate(path: str) -> None:
    pure = PurePosixPath(path)
    bad = pure.is_absolute() or ".." in pure.parts or "\\" in path or str(pure) != path
    if bad or path == MANIFEST or not path:
        raise PublishError(f"internal error: invalid output path {path!r}")


def _previous_outputs(root: Path) -> set[str]:
    """Files the previous run's manifest lists (none if it is absent or unreadable)."""
    try:
        listing = json.loads((root / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    paths = set()
    for path in listing if isinstance(listing, dict) else ():
        try:
            _validate(path)
        except PublishError:
            continue  # a tampered manifest never makes pipec touch paths outside DIR/ENV
        paths.add(path)
    return paths


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def _compare(root: Path, outputs: dict[str, bytes], extra: list[str]) -> PublishResult:
    stale, missing, unchanged = [], [], []
    for path, data in sorted(outputs.items()):
        current = _read(root / path)
        (missing if current is None else unchanged if current == data else stale).append(path)
    return PublishResult(
        unchanged=tuple(unchanged), stale=tuple(stale), missing=tuple(missing), extra=tuple(extra)
    )


def _refuse_foreign(root: Path, outputs: dict[str, bytes], previous: set[str]) -> None:
    """Fail before writing if an output would replace a differing file pipec did not write."""
    conflicts = []
    for path, data in sorted(outputs.items()):
        target = root / path
        if path == MANIFEST or path in previous or not os.path.lexists(target):
            continue
        if not target.is_file() or target.is_symlink() or _read(target) != data:
            conflicts.append(path)
    if conflicts:
        listed = ", ".join(conflicts)
        raise PublishError(f"refusing to overwrite files pipec did not write: {listed}")


def write_atomic(target: Path, data: bytes, mode: int = _FILE_MODE) -> None:
    """Replace ``target`` with ``data`` at once: a temp file in the same directory, fsync, os.replace.

    The one atomic writer: ``compile``, ``docs`` and ``fmt`` all write through it.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".pipec-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove(root: Path, path: str) -> None:
    """Remove a stale output, then any directories that removal left empty (up to DIR/ENV)."""
    target = root / path
    target.unlink(missing_ok=True)
    parent = target.parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
