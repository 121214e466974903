"""Skipping a compile whose inputs, options and pipec are all unchanged.

After a clean ``pipec compile`` (or a ``--check`` that found the outputs up to
date) a record is kept in ``OUT/.pipec-cache/ENV.json``: a key and the SHA-256
of every output file. The key hashes every input byte that can change the
outputs: each loaded ``.pipe`` file (the stdlib's too) and ``pipec.toml``, by
path and content; the options (entries, root, environment, output folder);
and pipec itself: its version, the bytes of every file of the ``pipec``
package and of the stdlib, the Python version and the libraries that shape the
output (jinja2 and PyYAML: the ``__init__.py`` that states each one's version,
and whether PyYAML has its libyaml extension), found without importing them.

A later run with the same key, whose output files all still hash as recorded,
would write exactly what is there: it reports the same result without parsing
anything. Any other run compiles in full. The set of inputs is the previous
run's: a file only enters the program through an import in another input, so
while those bytes are unchanged, so is the set. A missing, unreadable or
malformed record is just a miss. A project that reads dbt manifests has them
in the key too, with what the staleness check of each dbt project reads: its
``dbt_project.yml``, the model files the manifest lists, the listing of its
model, seed, snapshot and test folders (a new file makes the manifest stale),
and, when no dbt project was found beside the manifest, that there still is none.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import stat
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CACHE_DIR = ".pipec-cache"
_FORMAT = 2
_SOURCE_SUFFIXES = (".py", ".j2", ".lark", ".pipe", ".json", ".toml")


@dataclass(frozen=True)
class Inputs:
    """What a run read besides its options: files (hashed), folders of dbt projects
    (each listed with ``pipec.dbt.manifest.project_files``) and paths that must stay absent."""

    files: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()


@dataclass(frozen=True)
class Record:
    """What a clean run produced: its key, its inputs and the SHA-256 of each output."""

    key: str
    inputs: Inputs
    outputs: dict[str, str]


def record_path(out_dir: Path, env: str) -> Path:
    return Path(out_dir) / CACHE_DIR / f"{env}.json"


@cache
def pipec_fingerprint() -> str:
    """A hash of pipec itself: version, package and stdlib bytes, Python and output libraries."""
    from pipec import __version__
    from pipec.resources import data_root, stdlib_dir

    digest = hashlib.sha256()
    for part in (__version__, sys.version, library_digest("jinja2"), library_digest("yaml")):
        digest.update(part.encode("utf-8") + b"\0")
    package = Path(__file__).resolve().parent
    for folder in (package, stdlib_dir(), data_root() / "grammar"):
        digest.update(tree_digest(folder).encode("ascii"))
    return digest.hexdigest()


def library_digest(name: str) -> str:
    """The installed package ``name`` (jinja2, yaml) as the next import would load it, without
    importing it: importing jinja2 and PyYAML was about half of a no-op compile's import time.

    A hash of its ``__init__.py`` (where both state their ``__version__``) and of the names of
    the compiled extensions beside it (PyYAML's ``_yaml``: libyaml). A package that is not a
    folder of files (in a zip archive) is imported: its version and whether it has libyaml.
    """
    spec = importlib.util.find_spec(name)
    init = Path(spec.origin) if spec is not None and spec.origin else None
    if init is None or init.name != "__init__.py" or not init.is_file():
        module = importlib.import_module(name)
        return repr((module.__version__, getattr(module, "__with_libyaml__", None)))
    digest = hashlib.sha256(init.read_bytes())
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    for extension in sorted(p.name for p in init.parent.iterdir() if p.name.endswith(suffixes)):
        digest.update(b"\0" + extension.encode("utf-8"))
    return digest.hexdigest()


def tree_digest(folder: Path) -> str:
    """SHA-256 over the relative path and bytes of every source file under ``folder``."""
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.suffix in _SOURCE_SUFFIXES and p.is_file())
    for path in files:
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def compute_key(inputs: Inputs, options: dict[str, str], fingerprint: str) -> str | None:
    """The key of a run over ``inputs`` as they are now, with ``options``; None if a file cannot be read."""
    digest = hashlib.sha256(f"pipec-cache {_FORMAT}\0{fingerprint}\0".encode("utf-8"))
    digest.update(json.dumps(options, sort_keys=True).encode("utf-8") + b"\0")
    for path in sorted(inputs.files):
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        digest.update(path.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    if inputs.listings:
        from pipec.dbt.manifest import project_files

        listed = {folder: project_files(Path(folder)) for folder in sorted(inputs.listings)}
        digest.update(json.dumps(listed, sort_keys=True).encode("utf-8") + b"\0")
    present = [path for path in sorted(inputs.absent) if os.path.lexists(path)]
    digest.update(json.dumps(present).encode("utf-8"))
    return digest.hexdigest()


def options_of(entries: list[Path], root: Path, env: str, out_dir: Path) -> dict[str, str]:
    """The command-line and pipec.toml settings a run's outputs depend on."""
    return {
        "entries": json.dumps([str(Path(e).resolve()) for e in entries]),
        "root": str(Path(root).resolve()),
        "env": env,
        "out": str(Path(out_dir).resolve()),
    }


def lookup(out_dir: Path, env: str, options: dict[str, str]) -> Record | None:
    """The record of an identical earlier run whose outputs are all still in place, else None."""
    record = _read(record_path(out_dir, env))
    if record is None or compute_key(record.inputs, options, pipec_fingerprint()) != record.key:
        return None
    from pipec.outfolder import PublishError, refuse_symlinks

    try:  # a symlink anywhere in the output tree is E720 in a full compile: never a hit
        refuse_symlinks(Path(out_dir), [env, *(f"{env}/{p}" for p in record.outputs)])
    except PublishError:
        return None
    root = os.path.join(out_dir, env)
    for path, sha in record.outputs.items():
        target = os.path.join(root, path)
        try:
            if not stat.S_ISREG(os.lstat(target).st_mode):  # before opening: opening a FIFO blocks
                return None
            with open(target, "rb") as handle:
                if hashlib.sha256(handle.read()).hexdigest() != sha:
                    return None
        except OSError:
            return None
    return record


def store(out_dir: Path, env: str, inputs: Inputs, options: dict[str, str], outputs: dict[str, str]) -> None:
    """Keep the record of a clean run (best effort: a cache that cannot be written is no error)."""
    key = compute_key(inputs, options, pipec_fingerprint())
    if key is None:
        return
    data = {"format": _FORMAT, "key": key, "inputs": sorted(inputs.files), "listings": sorted(inputs.listings),
            "absent": sorted(inputs.absent), "outputs": dict(sorted(outputs.items()))}
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    try:
        from pipec.publish import write_atomic

        write_atomic(record_path(out_dir, env), text.encode("utf-8"))
    except OSError:
        pass


def _read(path: Path) -> Record | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != _FORMAT:
            return None
        inputs = Inputs(*(tuple(_strings(data[k])) for k in ("inputs", "listings", "absent")))
        outputs = {str(k): str(v) for k, v in data["outputs"].items()}
        return Record(str(data["key"]), inputs, outputs)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _strings(items) -> list[str]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise TypeError("not a list of strings")
    return items


def input_files(program, config: Path | None, defs=None) -> Inputs:
    """Everything a run read: the loaded modules (stdlib included), pipec.toml and the dbt projects' files."""
    paths = {str(m.real) for m in program.modules}
    if config is not None:
        paths.add(str(Path(config).resolve()))
    listings, absent = set(), set()
    for dbt in (defs.dbt.values() if defs is not None else ()):
        if dbt.manifest_path is None:
            continue
        manifest = dbt.manifest_path.resolve()
        paths.add(str(manifest))
        if dbt.project_dir is None:  # none found beside the manifest: no staleness check while there is none
            absent.add(str(manifest.parent.parent / "dbt_project.yml"))
            continue
        project = dbt.project_dir.resolve()
        listings.add(str(project))
        paths.add(str(project / "dbt_project.yml"))
        paths.update(str(project / rel) for rel in dbt.read_files)
    return Inputs(tuple(sorted(paths)), tuple(sorted(listings)), tuple(sorted(absent)))


def disabled() -> bool:
    """``PIPEC_NO_CACHE=1`` turns the cache off (both reading and writing)."""
    return os.environ.get("PIPEC_NO_CACHE", "") not in ("", "0")
