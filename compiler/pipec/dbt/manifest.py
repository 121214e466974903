"""Reading a dbt ``manifest.json`` (written by ``dbt parse``) into a node graph.

Only what pipec needs is kept: every enabled node (models, seeds, snapshots,
tests) and source with its fqn, file, tags, config and direct parents. A
manifest is *stale* when it no longer describes the dbt project next to it
(``stale_files``): a model, seed, snapshot or singular test file whose content
differs from the checksum dbt recorded (dbt hashes the file's text stripped of
surrounding whitespace), a recorded file that is gone, or a new ``.sql``/``.py``
model, snapshot or test file or ``.csv`` seed that the manifest does not list.
Schema files (``.yml``) carry no checksum in the manifest; their changes are
caught by the manifest hash that ``pipec compile`` records in its outputs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from pipec.gcpause import cycle_collector_paused

# dbt_schema_version is ".../manifest/v12.json"; v12 is dbt 1.8 and later
OLDEST_SCHEMA = 12
_SCHEMA = re.compile(r"/manifest/v(\d+)\.json$")
BUILDABLE = ("model", "seed", "snapshot")


class ManifestError(Exception):
    """Why a manifest cannot be used: ``kind`` is ``missing``, ``unreadable`` or ``old``."""

    def __init__(self, kind: str, message: str, help: str) -> None:
        super().__init__(message)
        self.kind, self.message, self.help = kind, message, help


@dataclass(frozen=True)
class Node:
    """One manifest node or source.

    ``path`` is the file relative to the dbt project (``original_file_path``);
    ``patch_path`` the schema file that describes it, if any; ``parents`` the
    unique ids of ``depends_on.nodes``; ``checksum`` dbt's sha256 of the file
    (empty when dbt recorded none). ``source_name`` is set for sources only.
    """

    unique_id: str
    resource_type: str
    name: str
    package: str
    fqn: tuple[str, ...]
    path: str
    patch_path: str
    tags: tuple[str, ...]
    config: dict
    parents: tuple[str, ...]
    checksum: str = ""
    version: str | None = None
    source_name: str = ""


_FIELDS = tuple(f.name for f in dataclasses.fields(Node))  # in order: what the content hash covers


@dataclass
class Manifest:
    """A loaded manifest: nodes and sources by unique id, children computed once.

    ``sha256`` is the content hash (``content_hash``), not the file's.
    """

    project: str
    schema_version: int
    sha256: str
    nodes: dict[str, Node]
    disabled_paths: frozenset[str] = frozenset()
    children: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        kids: dict[str, list[str]] = {uid: [] for uid in self.nodes}
        for node in self.nodes.values():
            for parent in node.parents:
                if parent in kids:
                    kids[parent].append(node.unique_id)
        self.children = {uid: sorted(c) for uid, c in kids.items()}


def load(path: Path) -> Manifest:
    """Read and check ``path``; raise ManifestError when it is missing, unreadable or too old."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError("missing", f"dbt manifest `{path.as_posix()}` does not exist",
                            "run `dbt parse` in the dbt project to write target/manifest.json") from None
    except OSError as err:
        raise ManifestError("unreadable", f"cannot read dbt manifest `{path.as_posix()}`: {err.strerror}",
                            "check the path and its permissions") from None
    # a big manifest is millions of acyclic objects: collecting while reading finds nothing, and the
    # document is dropped before the collector runs again (else its first run walks every object of it)
    with cycle_collector_paused():
        try:
            doc = json.loads(data)
            version = _schema_version(doc)
            nodes = _nodes(doc)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ManifestError("unreadable", f"`{path.as_posix()}` is not a dbt manifest",
                                "point `manifest` at the target/manifest.json that `dbt parse` writes") from None
        if version < OLDEST_SCHEMA:
            raise ManifestError("old", f"dbt manifest `{path.as_posix()}` has schema v{version}, older than "
                                       f"v{OLDEST_SCHEMA}",
                                "parse the project again with dbt 1.8 or later (`dbt parse`)")
        disabled = frozenset(n.get("original_file_path", "") for group in (doc.get("disabled") or {}).values()
                             for n in group)
        project = doc["metadata"].get("project_name") or ""
        del doc
    return Manifest(project, version, content_hash(version, nodes), nodes, disabled)




def content_hash(version: int, nodes: dict[str, Node]) -> str:
    """sha256 of what pipec reads from a manifest (nodes, files' checksums, configs, edges).

    The file's own bytes change on every `dbt parse` (``generated_at``,
    ``invocation_id``, each node's ``created_at``), so they cannot tell whether
    the project changed; this hash changes exactly when the project does.
    """
    fields = operator.attrgetter(*_FIELDS)
    canon = [version] + [fields(nodes[uid]) for uid in sorted(nodes)]
    text = json.dumps(canon, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _schema_version(doc: dict) -> int:
    match = _SCHEMA.search(doc["metadata"]["dbt_schema_version"])
    if match is None:
        raise ValueError("no schema version")
    return int(match.group(1))


def _nodes(doc: dict) -> dict[str, Node]:
    out: dict[str, Node] = {}
    for uid, raw in doc["nodes"].items():
        if raw["resource_type"] in BUILDABLE or raw["resource_type"] == "test":
            out[uid] = _node(uid, raw)
    for uid, raw in doc["sources"].items():
        out[uid] = _node(uid, raw, source_name=raw["source_name"])
    return out


def _node(uid: str, raw: dict, source_name: str = "") -> Node:
    checksum = raw.get("checksum") or {}
    patch = raw.get("patch_path") or ""
    version = raw.get("version")
    return Node(
        unique_id=uid, resource_type=raw["resource_type"], name=raw["name"], package=raw["package_name"],
        fqn=tuple(raw["fqn"]), path=raw["original_file_path"], patch_path=patch.split("://", 1)[-1],
        tags=tuple(raw.get("tags") or ()), config=dict(raw.get("config") or {}),
        parents=tuple((raw.get("depends_on") or {}).get("nodes") or ()),
        checksum=checksum.get("checksum", "") if checksum.get("name") == "sha256" else "",
        version=None if version is None else str(version), source_name=source_name)


def dbt_checksum(data: bytes) -> str:
    """dbt's checksum of a file: sha256 of its UTF-8 text without surrounding whitespace."""
    return hashlib.sha256(data.decode("utf-8").strip().encode("utf-8")).hexdigest()


def checked_files(manifest: Manifest) -> list[str]:
    """The project files (relative paths) whose checksums ``stale_files`` compares, sorted."""
    return sorted({n.path for n in manifest.nodes.values() if n.package == manifest.project and n.checksum})


def stale_files(manifest: Manifest, project_dir: Path) -> list[str]:
    """Project files the manifest does not describe as they are now (see the module doc), sorted."""
    listed = {n.path: n.checksum for n in manifest.nodes.values() if n.package == manifest.project}
    changed = set()
    for rel, checksum in listed.items():
        if not checksum:
            continue
        try:
            if dbt_checksum((project_dir / rel).read_bytes()) != checksum:
                changed.add(rel)
        except (OSError, UnicodeDecodeError):
            changed.add(rel)
    known = set(listed) | manifest.disabled_paths
    changed.update(rel for rel in project_files(project_dir) if rel not in known)
    return sorted(changed)


def project_files(project_dir: Path) -> list[str]:
    """Model, snapshot and test files (.sql, .py) and seeds (.csv) under the project's paths."""
    config = _project_config(project_dir)
    out = []
    for key, default, suffixes in (("model-paths", ["models"], (".sql", ".py")),
                                   ("snapshot-paths", ["snapshots"], (".sql",)),
                                   ("test-paths", ["tests"], (".sql",)),
                                   ("seed-paths", ["seeds"], (".csv",))):
        for folder in config.get(key) or default:
            base = project_dir / str(folder)
            if not base.is_dir():
                continue
            out += [PurePosixPath(p.relative_to(project_dir).as_posix()).as_posix()
                    for p in sorted(base.rglob("*")) if p.suffix in suffixes and p.is_file()
                    and "generic" not in p.relative_to(base).parts[:1]]
    return out


def _project_config(project_dir: Path) -> dict:
    try:
        doc = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return doc if isinstance(doc, dict) else {}
