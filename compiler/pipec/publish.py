"""Writing compiled outputs to DIR/ENV: atomic, all-or-nothing, and only pipec's own files.

A manifest in DIR/ENV (``manifest.json`` for ``compile``, ``docs-manifest.json``
for ``docs``, so the two never claim each other's files) lists every file pipec
wrote there with its SHA-256. It is how a later run knows which files are
pipec's: a file it no longer produces is removed only if the previous manifest
lists it, and a file that pipec did not write is never overwritten or removed
(a differing one in the way of an output is E721, reported before anything is
written).

Every changed file is first written to a temporary file in its own directory
(flushed to disk); only when all of them are staged are they moved into place
with ``os.replace``, so readers (Airflow's DAG processor) never see half a file
and an operating-system error while staging publishes nothing. A later failure
(a removal refused) is undone from the old bytes. While files are being
replaced the manifest lists the old and the new files together, so a killed run
still owns everything it may have written; its temp files are removed by the
next run. Symlinks in the tree (E720) and concurrent runs (E723) are guarded by
``pipec.outfolder``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import secrets
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipec.outfolder import LOCK, TEMP_SUFFIX, PublishError, locked, os_error, refuse_symlinks
from pipec.outfolder import remove_stray_temp_files

MANIFEST = "manifest.json"
DOCS_MANIFEST = "docs-manifest.json"
_RESERVED = (MANIFEST, DOCS_MANIFEST, LOCK)
_FILE_MODE = 0o644
_TEMP_ATTEMPTS = 100
_NOT_NAMES = frozenset({"", ".", ".."})  # path components an output path never has

__all__ = ["DOCS_MANIFEST", "MANIFEST", "PublishError", "PublishResult", "publish", "write_atomic"]


@dataclass(frozen=True)
class PublishResult:
    """What publish did (``check=False``) or found (``check=True``); paths relative to DIR/ENV.

    Written and unchanged include the manifest. In check mode ``stale`` files
    differ from what would be written, ``missing`` ones do not exist, and
    ``extra`` ones are pipec outputs of an earlier run that would be removed.
    """

    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    # SHA-256 of every output this run published (or, checking, would publish), the manifest included
    hashes: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

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
    return _manifest({path: sha256(data) for path, data in files.items()}, inputs)


def _manifest(hashes: dict[str, str], inputs: dict[str, str] | None) -> bytes:
    doc = {"files": dict(sorted(hashes.items())), **({"inputs": dict(sorted(inputs.items()))} if inputs else {})}
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


def publish(
    out_dir: Path, env: str, files: dict[str, bytes], check: bool = False, manifest: str = MANIFEST,
    inputs: dict[str, str] | None = None,
) -> PublishResult:
    """Make DIR/ENV hold exactly ``files`` plus ``manifest`` (or compare, with ``check``).

    ``env`` may be empty (``pipec docs`` writes straight into ``out_dir``). ``inputs``
    are listed in the manifest (see ``manifest_bytes``).
    Raises PublishError (E720-E723) and leaves the folder as it was.
    """
    out_dir = Path(out_dir)
    root = out_dir / env
    for path in files:
        _validate(path)
    hashes = {path: sha256(data) for path, data in files.items()}
    outputs = {**files, manifest: _manifest(hashes, inputs)}
    hashes[manifest] = sha256(outputs[manifest])
    below = (lambda p: f"{env}/{p}") if env else (lambda p: p)
    refuse_symlinks(out_dir, [below(LOCK)])
    if not check:
        _make_root(root)
    with locked(root, exclusive=not check):
        previous = _previous_outputs(root, manifest)
        refuse_symlinks(out_dir, [below(p) for p in sorted({*outputs, *previous})])
        extra = sorted(p for p in previous if p not in outputs and (root / p).is_file())
        if check:
            return replace(_compare(root, outputs, extra), hashes=hashes)
        remove_stray_temp_files(root, sorted({*outputs, *previous}))
        _refuse_foreign(root, outputs, previous)
        return replace(_apply(root, outputs, previous, extra, manifest, hashes), hashes=hashes)


def _make_root(root: Path) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise os_error(_blocking_file(root) or root, err) from err


def _blocking_file(folder: Path) -> Path | None:
    """The nearest ancestor of ``folder`` (or itself) that exists but is not a folder."""
    for each in (folder, *folder.parents):
        if os.path.lexists(each):
            return None if each.is_dir() else each
    return None


def _apply(
    root: Path, outputs: dict[str, bytes], previous: set[str], extra: list[str], manifest: str,
    hashes: dict[str, str],
) -> PublishResult:
    """Write changed outputs, remove ``extra``, and bring the manifest up to date (``hashes``: of ``outputs``)."""
    before = {p: _read(os.path.join(root, p)) for p in outputs}
    changed = [p for p in sorted(outputs) if p != manifest and before[p] != outputs[p]]
    if changed or extra:
        # Own every file this run may write before writing any (see module doc).
        owned = {p: h for p, h in hashes.items() if p != manifest}
        old = {p: _read(os.path.join(root, p)) for p in previous if p not in outputs}
        owned |= {p: sha256(data or b"") for p, data in old.items()}
        _Transaction(root).run(
            (manifest, _manifest(owned, None), before[manifest]),
            [(p, outputs[p], before[p]) for p in changed],
            [(p, old[p]) for p in extra],
            (manifest, outputs[manifest]))
    elif before[manifest] != outputs[manifest]:
        _write_or_fail(root / manifest, outputs[manifest])
    for path in extra:
        _prune_empty_parents(root, path)
    written = changed + ([manifest] if before[manifest] != outputs[manifest] else [])
    unchanged = sorted(outputs.keys() - set(written))
    return PublishResult(written=tuple(written), removed=tuple(extra), unchanged=tuple(unchanged))


class _Transaction:
    """Stage every write, then swap them in and remove stale files; undo all on an OS error."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.staged: dict[str, str] = {}  # output path -> its temp file
        self.created: list[Path] = []  # folders made for staging, parents first
        self.folders: set[str] = set()  # folders known to exist (most outputs share a few)
        self.undo_log: list[tuple[str, bytes | None]] = []  # (path, bytes before), in order

    def run(
        self,
        interim: tuple[str, bytes, bytes | None],
        writes: list[tuple[str, bytes, bytes | None]],
        removals: list[tuple[str, bytes | None]],
        final: tuple[str, bytes],
    ) -> None:
        """Write the ``interim`` manifest, stage then commit ``writes``, remove, write the ``final`` one."""
        manifest, interim_data, manifest_before = interim
        try:
            self._write_now(manifest, interim_data, manifest_before)
            for path, data, _ in writes:
                self._stage(path, data)
            for path, _, old in writes:
                self._commit(path, old)
            for path, old in removals:
                self._remove(path, old)
            if final[1] != interim_data:
                _write_or_fail(self.root / final[0], final[1])
        except PublishError:
            self._discard_staged()
            self._undo()
            raise
        finally:
            self._discard_staged()

    def _write_now(self, path: str, data: bytes, old: bytes | None) -> None:
        _write_or_fail(self.root / path, data)
        self.undo_log.append((path, old))

    def _stage(self, path: str, data: bytes) -> None:
        target = os.path.join(self.root, path)
        try:
            self._make_parents(os.path.dirname(target))
            self.staged[path] = _write_temp(target, data, _FILE_MODE, sync=False)
        except OSError as err:
            raise os_error(Path(target), err) from err

    def _make_parents(self, folder: str) -> None:
        if folder in self.folders:
            return
        missing = []
        while not os.path.isdir(folder) and folder != str(self.root):
            if os.path.lexists(folder):
                raise os_error(Path(folder), NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR)))
            missing.append(folder)
            folder = os.path.dirname(folder)
        for each in reversed(missing):
            os.mkdir(each)
            self.created.append(Path(each))
        self.folders.update(missing)
        self.folders.add(folder)

    def _commit(self, path: str, old: bytes | None) -> None:
        try:
            os.replace(self.staged.pop(path), os.path.join(self.root, path))
        except OSError as err:
            raise os_error(self.root / path, err) from err
        self.undo_log.append((path, old))

    def _remove(self, path: str, old: bytes | None) -> None:
        try:
            (self.root / path).unlink(missing_ok=True)
        except OSError as err:
            raise os_error(self.root / path, err) from err
        self.undo_log.append((path, old))

    def _undo(self) -> None:
        """Put back the bytes of every file already touched, newest first (best effort)."""
        for path, old in reversed(self.undo_log):
            try:
                if old is None:
                    (self.root / path).unlink(missing_ok=True)
                else:
                    write_atomic(self.root / path, old)
            except OSError:
                continue
        for folder in reversed(self.created):
            try:
                folder.rmdir()
            except OSError:
                continue

    def _discard_staged(self) -> None:
        for tmp in self.staged.values():
            _discard(tmp)
        self.staged.clear()


def _write_or_fail(target: Path, data: bytes) -> None:
    try:
        write_atomic(target, data)
    except OSError as err:
        raise os_error(target, err) from err


def _validate(path: str) -> None:
    """A relative POSIX path in normal form: no empty, ``.`` or ``..`` component, no backslash."""
    bad = "\\" in path or any(part in _NOT_NAMES for part in path.split("/"))
    if bad or path in _RESERVED:
        raise ValueError(f"invalid output path {path!r}")


def _previous_outputs(root: Path, manifest: str) -> set[str]:
    """Files the previous run's manifest lists (none if it is absent or unreadable)."""
    try:
        listing = json.loads((root / manifest).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    paths = set()
    for path in listing if isinstance(listing, dict) else ():
        try:
            _validate(path)
        except ValueError:
            continue  # a tampered manifest never makes pipec touch paths outside DIR/ENV
        paths.add(path)
    return paths


def _read(path: str | Path) -> bytes | None:
    """The bytes of the regular file at ``path``, or None (absent, a folder, unreadable)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None  # never opened: a FIFO would block
        with open(path, "rb") as handle:
            return handle.read()
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
    """E721 before writing if an output would replace a differing file pipec did not write."""
    conflicts = []
    for path, data in sorted(outputs.items()):
        if path in _RESERVED or path in previous:
            continue
        target = os.path.join(root, path)
        if os.path.lexists(target) and _read(target) != data:
            conflicts.append(path)
    if conflicts:
        listed = ", ".join(f"`{p}`" for p in conflicts)
        raise PublishError(
            "E721", f"refusing to overwrite files pipec did not write: {listed}", root / conflicts[0],
            "pipec never overwrites files it did not write; move them, or use another --out")


def write_atomic(target: Path, data: bytes, mode: int = _FILE_MODE, sync: bool = True) -> None:
    """Replace ``target`` with ``data`` at once: a temp file in the same directory, fsync, os.replace.

    The one atomic writer: ``compile``, ``docs`` and ``fmt`` all write through it. ``sync=False``
    skips the fsync, for caches whose entries are checked when read.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(str(target), data, mode, sync)
    try:
        os.replace(tmp, target)
    except BaseException:
        _discard(tmp)
        raise


def _write_temp(target: str, data: bytes, mode: int, sync: bool = True) -> str:
    """A temp file next to ``target`` holding ``data`` (removed again if writing fails).

    ``sync``: fsync it before returning. ``publish`` stages outputs without: an fsync per
    output was a third of a 2,000-task compile's write phase (and more than that in system
    time). Outputs still replace their targets atomically (a failed compile leaves the
    previous ones); only a machine crash soon after can leave an output short, and the next
    compile, which checks every output's bytes (and the no-op cache their hashes), writes it
    again. Single files (``write_atomic``: docs, fmt, the manifest) keep the fsync.
    """
    fd, tmp = _create_temp(target)
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def _discard(tmp: str) -> None:
    """Remove a temp file, best effort: cleaning up never hides the error that caused it."""
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _create_temp(target: str) -> tuple[int, str]:
    """A new, empty file ``.NAME.XXXXXXXX.pipec-tmp`` beside ``target`` (the naming that
    ``outfolder.remove_stray_temp_files`` cleans up), opened for writing, and its path."""
    folder, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(_TEMP_ATTEMPTS):
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", target)


def _prune_empty_parents(root: Path, path: str) -> None:
    """Remove the folders a stale output's removal left empty (up to DIR/ENV)."""
    parent = (root / path).parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent
