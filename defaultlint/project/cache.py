"""The persistent cache: findings of files already checked, keyed so that a stale result is never served.

One JSON file per *namespace* holds the entries. The namespace is a hash of everything that decides the
findings besides the file itself: the tool's version and source, the default table (every rules file's
content), and the rules in force (enabled codes, target versions, fixable codes). An entry is keyed by the
file's path and holds the hash of its content and of the rules applied to it (per-file-ignores), so an
edited file, a changed table or a changed selection all miss. Like `.ruff_cache`, the folder carries a
`CACHEDIR.TAG` and a `.gitignore` of `*`.

A file whose findings depend on other files (a program counting the seed a helper module sets) keeps the
hash of each of them in its entry, and is served only while they all hold the same bytes.

A *plan* (one small signed file per configuration) lets a run whose every file is unchanged be answered
without loading the table or importing the checker: it maps the configuration in force (the settings after
command-line options, the tool and the table's files) to the rules key each file was checked under, which
is all that is needed to find the entries. It is written by a run that loaded the table, so a selection or
option that the table would reject never gets a plan. The plan also keeps what the output formats say of
each rule code (name, summary, why, default selection: `formats.common.RuleFacts`), so that every format of
such a run renders without the table too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from defaultlint import __version__
from defaultlint.core.ftypes import Applicability, Edit, FileResult, Finding, Fix, Position
from defaultlint.project.atomic import replace_file
from defaultlint.project.gcpause import paused
from defaultlint.project.tables import rules_digest, rules_dir

if TYPE_CHECKING:  # a run served from the cache imports neither
    from defaultlint.core.checker import Rules
    from defaultlint.core.table import Table

CACHE_DIR_NAME = ".defaultlint_cache"
FORMAT = 3
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


def table_fingerprint(table: Table | None = None) -> str:
    """A hash of every rules file the table was loaded from (`table`, else the shipped one, unparsed)."""
    return rules_digest(Path(table.root) if table is not None else rules_dir())


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

    def __init__(self, directory: Path, table: Table | None, rules: Rules | None, key: bytes | None = None,
                 rules_key: str | None = None, table_digest: str | None = None):
        """The cache of `table` and `rules`; a run without a table names them by their fingerprints instead
        (`table_digest`: `table_fingerprint()`, `rules_key`: `rules_fingerprint(rules)`)."""
        self.directory = Path(directory)
        self.table_digest = table_digest or table_fingerprint(table)
        self.rules_key = rules_key or rules_fingerprint(rules)
        digest = hashlib.sha256(
            "\0".join((tool_fingerprint(), self.table_digest, self.rules_key)).encode()
        ).hexdigest()[:24]
        self.file = self.directory / __version__ / f"{digest}.json"
        self.entries: dict[str, list] = {}
        self.dirty = False
        self.facts = None  # the RuleFacts of the table, when `serve` read them from a plan
        self.key = key if key is not None else user_key()
        self._hashes: dict[str, str | None] = {}  # path -> content hash of the files entries depend on
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
        if not (isinstance(entry, list) and len(entry) == 5 and entry[0] == digest and entry[1] == rules_key):
            return None
        try:
            if not self._deps_hold(entry[4]):
                return None
            return load_findings(entry[2], entry[3], str(path))
        except (TypeError, ValueError, IndexError, KeyError, AttributeError):  # a damaged entry is a miss
            self.entries.pop(self.path_key(path), None)
            self.dirty = True
            return None

    def new_run(self) -> None:
        """Forget the hashes of files read so far: a cache kept for another run reads them again."""
        self._hashes.clear()

    def know(self, path: Path, digest: str) -> None:
        """The content hash of a file this run has read anyway (a dependency of another needs no second read)."""
        self._hashes[self.path_key(path)] = digest

    def _deps_hold(self, deps: list) -> bool:
        """Whether every file the findings depended on holds the bytes it held when they were found."""
        for name, digest in deps:
            if name not in self._hashes:
                try:
                    self._hashes[name] = content_hash(Path(name).read_bytes())
                except OSError:
                    self._hashes[name] = None
            if self._hashes[name] != digest:
                return False
        return True

    @staticmethod
    def path_key(path: Path) -> str:
        return os.path.abspath(path)

    def put(self, path: Path, digest: str, rules_key: str, findings: list[Finding],
            depends: dict[str, str] | None = None) -> None:
        """Store the findings of `path` (bytes hashing to `digest`); `depends`: path -> content hash of each
        other file they were found from."""
        deps = sorted([os.path.abspath(p), h] for p, h in (depends or {}).items())
        self.entries[self.path_key(path)] = [digest, rules_key, *dump_findings(findings), deps]
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


# -- plans: a run answered from the cache without the table ----------------------------------------------
def settings_fingerprint(settings) -> str:
    """A hash of the settings in force (configuration and command line), but for what the checked files
    import (`imported_families`), which a plan records per variant."""
    import dataclasses

    data = dataclasses.asdict(settings)
    data.pop("imported_families", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def plan_path(directory: Path, settings, table_digest: str) -> Path:
    digest = hashlib.sha256("\0".join((tool_fingerprint(), table_digest, settings_fingerprint(settings))).encode())
    return Path(directory) / __version__ / f"plan-{digest.hexdigest()[:24]}.json"


def _read_signed(path: Path, key: bytes):
    """The JSON of a file this user's key signed, else None."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    mac, sep, body = raw.partition(b"\n")
    if not sep or not hmac.compare_digest(mac, hmac.new(key, body, hashlib.sha256).hexdigest().encode()):
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def _write_signed(path: Path, key: bytes, data) -> None:
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    replace_file(path, hmac.new(key, body, hashlib.sha256).hexdigest().encode() + b"\n" + body, mode=0o600)


def _variant_name(families) -> str:
    return ",".join(sorted(families))


def write_plan(cache: Cache, settings, table: Table, files: list[Path], keys: dict[str, str]) -> None:
    """Record how this run found its entries: the rules key of each file (`keys`: path key -> rules key,
    only needed with per-file-ignores) under the settings in force. Errors are ignored (no plan, no fast run)."""
    import dataclasses

    scanned = dataclasses.replace(settings, imported_families=frozenset()).needs_scan(table)
    variant = {"rules": cache.rules_key,
               "files": {k: keys[k] for k in map(cache.path_key, files) if k in keys} if settings.per_file_ignores
               else None}
    from defaultlint.formats.common import RuleFacts

    try:
        path = plan_path(cache.directory, settings, cache.table_digest)
        old = _read_signed(path, cache.key)
        ours = isinstance(old, dict) and old.get("format") == FORMAT
        variants = old.get("variants") if ours else None
        variants = variants if isinstance(variants, dict) else {}
        name = _variant_name(settings.imported_families) if scanned else ""
        codes = RuleFacts.of(table).dump()
        if variants.get(name) == variant and old.get("codes") == codes:
            return
        variants[name] = variant
        ensure_dir(cache.directory)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        check_private(path.parent)
        _write_signed(path, cache.key, {"format": FORMAT, "scan": table.families() if scanned else None,
                                        "codes": codes, "variants": variants})
    except (OSError, UnsafeCache, ValueError, TypeError):
        return


class _Families:
    """What `config.scan_families` asks of a table, from a plan."""

    def __init__(self, families: dict[str, str]):
        self._families = families

    def families(self) -> dict[str, str]:
        return self._families


def serve(directory: Path, settings, files: list[Path], key: bytes | None = None
          ) -> tuple[list[FileResult] | None, Cache | None]:
    """The results of `files` under `settings`, all from the cache, without loading the table: (results,
    the cache read) when the configuration has a plan and every file (and every file its findings depend on)
    is unchanged, else (None, the cache read or None). The cache read carries the plan's `facts` of the rule
    codes (None when the plan holds none). Raises UnsafeCache as `Cache` does."""
    from defaultlint.project.source import ReadError, decode, read_bytes

    key = key if key is not None else user_key()
    check_private(Path(directory))
    table_digest = table_fingerprint()
    plan = _read_signed(plan_path(directory, settings, table_digest), key)
    if not (isinstance(plan, dict) and plan.get("format") == FORMAT and isinstance(plan.get("variants"), dict)):
        return None, None
    name = ""
    if isinstance(plan.get("scan"), dict):
        from defaultlint.project.config import scan_families

        name = _variant_name(scan_families(files, _Families(plan["scan"])))
    variant = plan["variants"].get(name)
    if not (isinstance(variant, dict) and isinstance(variant.get("rules"), str)):
        return None, None
    per_file = variant.get("files")
    cache = Cache(directory, None, None, key, rules_key=variant["rules"], table_digest=table_digest)
    from defaultlint.formats.common import RuleFacts

    cache.facts = RuleFacts.load(plan.get("codes"))
    try:
        data = [read_bytes(p) for p in files]
    except ReadError:
        return None, cache
    digests = [content_hash(d) for d in data]
    for path, digest in zip(files, digests):
        cache.know(path, digest)
    results = []
    with paused(keep=True):
        for path, raw, digest in zip(files, data, digests):
            rules_key = per_file.get(cache.path_key(path)) if isinstance(per_file, dict) else variant["rules"]
            hit = cache.get(path, digest, rules_key) if isinstance(rules_key, str) else None
            if hit is None:
                return None, cache
            try:
                text = decode(raw).text
            except ReadError:
                return None, cache
            results.append(FileResult(str(path), hit, source=text))
    return results, cache


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
