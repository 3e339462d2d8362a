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
import hmac
import json
import os
import secrets
import stat
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
    data = json.dumps([sorted(rules.enabled), targets, fixable, sorted(rules.differences_only)],
                      separators=(",", ":"))
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
class UnsafeCache(Exception):
    """The cache folder or key cannot be trusted (another owner, writable by others, a link): not used."""


class Cache:
    """Entries for one namespace, read once, looked up per file and written back atomically at the end.

    The file is data only (JSON), and is signed with a key private to the user (kept outside the project,
    see `user_key`): a cache file that comes with a repository, or was planted by someone else, does not
    verify and is ignored, so it can neither hide findings nor add any. Every entry is checked for shape
    before use; a damaged one is a miss and is rewritten."""

    def __init__(self, directory: Path, table: Table, rules: Rules, key: bytes | None = None):
        self.directory = Path(directory)
        digest = hashlib.sha256(
            "\0".join((tool_fingerprint(), table_fingerprint(table), rules_fingerprint(rules))).encode()
        ).hexdigest()[:24]
        self.file = self.directory / __version__ / f"{digest}.json"
        self.entries: dict[str, list] = {}
        self.dirty = False
        self.key = key if key is not None else user_key()
        check_private(self.directory)  # raises UnsafeCache: the caller says so and runs without a cache
        self._read()

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self.key, body, hashlib.sha256).hexdigest().encode()

    def _read(self) -> None:
        try:
            raw = self.file.read_bytes()
        except OSError:
            return
        mac, sep, body = raw.partition(b"\n")
        if not sep or not hmac.compare_digest(mac, self._sign(body)):
            self.dirty = True  # not ours (or damaged): ignored, and replaced at the end of the run
            return
        try:
            with paused(keep=True):  # some hundred thousand small lists and strings, kept for the run
                data = json.loads(body)
        except (ValueError, RecursionError):
            self.dirty = True
            return
        if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("files"), dict):
            self.entries = data["files"]

    def get(self, path: Path, digest: str, rules_key: str) -> list[Finding] | None:
        entry = self.entries.get(self.path_key(path))
        if not (isinstance(entry, list) and len(entry) == 4 and entry[0] == digest and entry[1] == rules_key):
            return None
        try:
            return load_findings(entry[2], entry[3], str(path))
        except (TypeError, ValueError, IndexError, KeyError, AttributeError):  # a damaged entry is a miss
            self.entries.pop(self.path_key(path), None)
            self.dirty = True
            return None

    @staticmethod
    def path_key(path: Path) -> str:
        return os.path.abspath(path)

    def put(self, path: Path, digest: str, rules_key: str, findings: list[Finding]) -> None:
        self.entries[self.path_key(path)] = [digest, rules_key, *dump_findings(findings)]
        self.dirty = True

    def save(self) -> None:
        """Write the entries (merged with what another run may have written meanwhile); errors are ignored."""
        if not self.dirty:
            return
        try:
            ensure_dir(self.directory)
            self.file.parent.mkdir(mode=0o700, exist_ok=True)
            check_private(self.file.parent)
            on_disk: dict = {}
            try:
                mac, _, body = self.file.read_bytes().partition(b"\n")
                if hmac.compare_digest(mac, self._sign(body)):
                    loaded = json.loads(body).get("files", {})
                    on_disk = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError, AttributeError, RecursionError):
                on_disk = {}
            body = json.dumps({"format": FORMAT, "files": {**on_disk, **self.entries}}, separators=(",", ":"),
                              ensure_ascii=False).encode()
            replace_file(self.file, self._sign(body) + b"\n" + body, mode=0o600)
        except (OSError, UnsafeCache):
            return
        self.dirty = False


def check_private(directory: Path) -> None:
    """Raise UnsafeCache unless `directory` is a real folder of this user that nobody else may write."""
    try:
        st = os.lstat(directory)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise UnsafeCache(f"{directory} is not a folder (a link or a file)")
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise UnsafeCache(f"{directory} belongs to another user")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeCache(f"{directory} may be written by other users")


def user_key() -> bytes:
    """The key that signs this user's cache files, kept outside every project: in $XDG_CACHE_HOME/defaultlint
    (else ~/.cache/defaultlint), a folder private to the user. Raises UnsafeCache when there is no absolute,
    private place for it (no home, a relative XDG_CACHE_HOME, a folder others may write)."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        home = os.environ.get("HOME") or ""
        if not os.path.isabs(home):
            raise UnsafeCache("no absolute home or XDG_CACHE_HOME folder to keep the cache key in")
        base = os.path.join(home, ".cache")
    folder = Path(base) / "defaultlint"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    check_private(folder)
    key_file = folder / "cache.key"
    try:
        st = os.lstat(key_file)
        if not stat.S_ISREG(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()) \
                or st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise UnsafeCache(f"{key_file} is not a private file of this user")
        key = key_file.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    replace_file(key_file, key, mode=0o600)
    return key


def ensure_dir(directory: Path) -> None:
    """Create the cache folder (private to the user) with its CACHEDIR.TAG and a .gitignore of everything."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    check_private(directory)
    tag = directory / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text(_TAG, encoding="utf-8")
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Automatically created by defaultlint.\n*\n", encoding="utf-8")


def default_dir(root: Path, configured: str | None = None) -> Path:
    """The cache folder: the configured one (relative to the project root), else .defaultlint_cache there.
    Raises UnsafeCache for a folder that is the project root or holds it (the cache would mark the whole
    project as ignored and cache data)."""
    env = os.environ.get("DEFAULTLINT_CACHE_DIR")
    chosen = configured or env
    if chosen:
        p = Path(chosen).expanduser()
        p = p if p.is_absolute() else root / p
    else:
        p = root / CACHE_DIR_NAME
    real, project = Path(os.path.realpath(p)), Path(os.path.realpath(root))
    if real == project or real in project.parents:
        raise UnsafeCache(f"the cache folder {p} is the project root or holds it")
    return p
