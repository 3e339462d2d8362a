"""The persistent cache: findings of files already checked, keyed so that a stale result is never served.

One JSON file per *namespace* holds the entries. The namespace is a hash of everything that decides the
findings besides the file itself: the tool's version and source, the default table (every rules file's
content), and the rules in force (enabled codes, target versions, fixable codes). An entry is keyed by the
file's path and holds the hash of its content and of the rules applied to it (per-file-ignores), so an
edited file, a changed table or a changed selection all miss. Like `.ruff_cache`, the folder carries a
`CACHEDIR.TAG` and a `.gitignore` of `*`.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from defaultlint import __version__
from defaultlint.project.atomic import replace_file
from defaultlint.project.gcpause import paused
from defaultlint.core.checker import Rules
from defaultlint.core.ftypes import Applicability, Edit, Finding, Fix, Position
from defaultlint.core.table import Table
from defaultlint.project.tables import rules_digest

CACHE_DIR_NAME = ".defaultlint_cache"
FORMAT = 2
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by defaultlint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)

_tool_digest: str | None = None


def tool_fingerprint() -> str:
    """The version and a hash of the package's own source: a changed checker never reuses old findings."""
    global _tool_digest
    if _tool_digest is None:
        h = hashlib.sha256(f"{__version__}/{FORMAT}".encode())
        for path in sorted(Path(__file__).resolve().parent.parent.rglob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
        _tool_digest = h.hexdigest()
    return _tool_digest


def table_fingerprint(table: Table) -> str:
    """A hash of every rules file the table was loaded from."""
    return rules_digest(Path(table.root))


def rules_fingerprint(rules: Rules) -> str:
    targets = sorted((fw, str(r)) for fw, r in rules.targets.items())
    fixable = sorted(rules.fixable) if rules.fixable is not None else None
    data = json.dumps([sorted(rules.enabled), targets, fixable], separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()[:32]


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# -- findings <-> JSON -----------------------------------------------------------------------------------
# An entry keeps each distinct string once (messages and fix titles repeat for every call of a layer), and
# rows refer to it by index: the file is a third of the size and loads that much faster.
def dump_findings(findings: list[Finding]) -> tuple[list, list]:
    """(strings, rows) for the entry of one file."""
    strings: list = []
    index: dict = {}

    def ref(value) -> int:
        at = index.get(value)
        if at is None:
            at = index[value] = len(strings)
            strings.append(value)
        return at

    rows = []
    for f in findings:
        fix = None
        if f.fix is not None:
            fix = [f.fix.applicability, ref(f.fix.message), [[e.start, e.end, ref(e.content)] for e in f.fix.edits]]
        rows.append([f.code, ref(f.message), f.start, f.end, f.location.row, f.location.column, f.end_location.row,
                     f.end_location.column, ref(f.api), [list(p) for p in f.parameters], fix, f.cell])
    return strings, rows


def load_findings(strings: list, rows: list, path: str) -> list[Finding]:
    out = []
    for code, message, start, end, r0, c0, r1, c1, api, params, fix, cell in rows:
        fx = None
        if fix is not None:
            fx = Fix(Applicability(fix[0]), strings[fix[1]], [Edit(s, e, strings[c]) for s, e, c in fix[2]])
        out.append(Finding(code, strings[message], path, start, end, Position(r0, c0), Position(r1, c1),
                           strings[api], [(n, v) for n, v in params], fx, cell))
    return out


# -- the cache -------------------------------------------------------------------------------------------
class Cache:
    """Entries for one namespace, read once, looked up per file and written back atomically at the end."""

    def __init__(self, directory: Path, table: Table, rules: Rules):
        self.directory = Path(directory)
        digest = hashlib.sha256(
            "\0".join((tool_fingerprint(), table_fingerprint(table), rules_fingerprint(rules))).encode()
        ).hexdigest()[:24]
        self.file = self.directory / __version__ / f"{digest}.json"
        self.entries: dict[str, list] = {}
        self.dirty = False
        self._read()

    def _read(self) -> None:
        try:
            with paused(keep=True):  # some hundred thousand small lists and strings, kept for the run
                data = json.loads(self.file.read_bytes())
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("files"), dict):
            self.entries = data["files"]

    @staticmethod
    def key(path: Path) -> str:
        return os.path.abspath(path)

    def get(self, path: Path, digest: str, rules_key: str) -> list[Finding] | None:
        entry = self.entries.get(self.key(path))
        if not entry or entry[0] != digest or entry[1] != rules_key:
            return None
        try:
            return load_findings(entry[2], entry[3], str(path))
        except (TypeError, ValueError, IndexError):  # a damaged entry is a miss, never an error
            return None

    def put(self, path: Path, digest: str, rules_key: str, findings: list[Finding]) -> None:
        self.entries[self.key(path)] = [digest, rules_key, *dump_findings(findings)]
        self.dirty = True

    def save(self) -> None:
        """Write the entries (merged with what another run may have written meanwhile); errors are ignored."""
        if not self.dirty:
            return
        try:
            ensure_dir(self.directory)
            self.file.parent.mkdir(parents=True, exist_ok=True)
            try:
                on_disk = json.loads(self.file.read_bytes()).get("files", {})
                if not isinstance(on_disk, dict):
                    on_disk = {}
            except (OSError, ValueError, AttributeError):
                on_disk = {}
            data = json.dumps({"format": FORMAT, "files": {**on_disk, **self.entries}}, separators=(",", ":"),
                              ensure_ascii=False).encode()
            replace_file(self.file, data)
        except OSError:
            return
        self.dirty = False


def ensure_dir(directory: Path) -> None:
    """Create the cache folder with its CACHEDIR.TAG and a .gitignore that ignores everything."""
    directory.mkdir(parents=True, exist_ok=True)
    tag = directory / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text(_TAG, encoding="utf-8")
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Automatically created by defaultlint.\n*\n", encoding="utf-8")


def default_dir(root: Path, configured: str | None = None) -> Path:
    """The cache folder: the configured one (relative to the project root), else .defaultlint_cache there."""
    env = os.environ.get("DEFAULTLINT_CACHE_DIR")
    chosen = configured or env
    if chosen:
        p = Path(chosen).expanduser()
        return p if p.is_absolute() else root / p
    return root / CACHE_DIR_NAME
