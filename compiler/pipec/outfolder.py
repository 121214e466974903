"""Guards for the output folder: no symlinks, one writer at a time, no stray temp files.

``pipec.publish`` calls these before it reads or writes anything in DIR/ENV:

- ``refuse_symlinks``: a symlink at or below DIR/ENV (for example a symlinked
  ``dags/`` folder) would make pipec write or delete files outside ``--out``;
  it is refused with E720 and nothing is touched.
- ``locked``: an advisory ``fcntl.flock`` on ``DIR/ENV/.pipec.lock`` so two
  compiles (or a compile and ``pipec docs``) into one folder run one after the
  other; the second waits up to ``PIPEC_LOCK_TIMEOUT`` seconds (default 120),
  then fails with E723.
- ``remove_stray_temp_files``: temp files a killed run left behind (pipec's own
  ``.NAME.XXXXXXXX.pipec-tmp`` naming, nothing else) are removed under the lock.
"""

from __future__ import annotations

import errno
import fcntl
import os
import posixpath
import re
import stat
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

LOCK = ".pipec.lock"
TEMP_SUFFIX = ".pipec-tmp"
_TEMP_NAME = re.compile(r"\..+\.[A-Za-z0-9_]{8}" + re.escape(TEMP_SUFFIX))
_DEFAULT_TIMEOUT = 120.0
_POLL = 0.05


class PublishError(Exception):
    """The output folder cannot be written as asked: a coded diagnostic for the user.

    ``code`` is an E72x code, ``path`` the file or folder at fault (shown as the
    diagnostic's location), ``help`` the fix.
    """

    def __init__(self, code: str, message: str, path: Path, help: str) -> None:
        super().__init__(message)
        self.code, self.message, self.path, self.help = code, message, path, help


def os_error(path: Path, err: OSError) -> PublishError:
    """E722 for a write or removal the operating system refused."""
    reason = (err.strerror or str(err)).lower()
    return PublishError(
        "E722", f"cannot write `{path}`: {reason}", path,
        "nothing was published: free that path (a file where a folder should be, a read-only "
        "or full disk, a name too long), or compile into another --out")


def refuse_symlinks(base: Path, paths: Iterable[str]) -> None:
    """E720 if any existing component of ``base/PATH`` below ``base`` is a symlink.

    ``paths`` are normalised relative POSIX paths (``publish`` validates them).
    """
    seen: set[str] = set()
    for path in paths:
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            sub = "/".join(parts[:depth])
            if sub in seen:
                continue
            seen.add(sub)
            try:
                is_link = stat.S_ISLNK(os.lstat(os.path.join(base, sub)).st_mode)
            except OSError:  # absent, below a file, or a name too long: nothing to follow
                break
            if is_link:
                target = base / sub
                raise PublishError(
                    "E720", f"`{target}` is a symlink inside the output folder", target,
                    "pipec never follows symlinks in its output tree (they could point outside "
                    "--out): replace the link with a real folder or file, or use another --out")


def lock_timeout() -> float:
    """Seconds to wait for another run's lock: ``PIPEC_LOCK_TIMEOUT`` or 120."""
    raw = os.environ.get("PIPEC_LOCK_TIMEOUT", "")
    try:
        value = float(raw)
    except ValueError:
        return _DEFAULT_TIMEOUT
    return value if value >= 0 else _DEFAULT_TIMEOUT


@contextmanager
def locked(root: Path, exclusive: bool) -> Iterator[None]:
    """Hold ``root/.pipec.lock``: exclusive to write, shared to compare.

    A shared lock is taken only if the lock file exists, so comparing never
    creates anything.
    """
    path = root / LOCK
    if not exclusive and not os.path.isfile(path):
        yield
        return
    flags = (os.O_RDWR | os.O_CREAT if exclusive else os.O_RDONLY) | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as err:
        raise _lock_open_error(path, err) from err
    try:
        _acquire(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH, path)
        yield
    finally:
        os.close(fd)  # releases the lock


def _lock_open_error(path: Path, err: OSError) -> PublishError:
    if err.errno == errno.ELOOP:
        return PublishError(
            "E720", f"`{path}` is a symlink inside the output folder", path,
            "pipec never follows symlinks in its output tree: remove the link")
    return os_error(path, err)


def _acquire(fd: int, operation: int, path: Path) -> None:
    deadline = time.monotonic() + lock_timeout()
    while True:
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise PublishError(
                    "E723", f"another pipec run is writing `{path.parent}`", path,
                    "wait for it to finish and run again; PIPEC_LOCK_TIMEOUT sets how many seconds "
                    "pipec waits (default 120)") from None
            time.sleep(_POLL)


def remove_stray_temp_files(root: Path, paths: Iterable[str]) -> list[str]:
    """Remove pipec temp files in ``root`` and the folders of ``paths``; return them, relative."""
    folders = {PurePosixPath(folder) for folder in {posixpath.dirname(p) for p in paths} | {"."}}
    removed = []
    for folder in sorted(folders):
        for name in _temp_files(root / folder):
            (root / folder / name).unlink(missing_ok=True)
            removed.append((folder / name).as_posix())
    return removed


def _temp_files(folder: Path) -> list[str]:
    try:
        entries = list(os.scandir(folder))
    except OSError:  # absent, or not a folder
        return []
    return sorted(e.name for e in entries if _TEMP_NAME.fullmatch(e.name) and e.is_file(follow_symlinks=False))
