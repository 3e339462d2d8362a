"""The functions the CLI and the editor server call: read, lint and fix files and texts."""

from __future__ import annotations

import os
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from defaultlint.project import notebook
from defaultlint.project.atomic import replace_file
from defaultlint.project.gcpause import own_process, paused, pausing
from defaultlint.core.checker import Checker, Rules
from defaultlint.project.config import Settings
from defaultlint.project.modules import ProjectModules
from defaultlint.core.fixer import fix_until_stable, parses
from defaultlint.core.ftypes import FileResult, Finding, Position
from defaultlint.core.table import Table
from defaultlint.project.tables import load_table
from defaultlint.project.source import ReadError, Source, decode, encode, read_source  # noqa: F401
from defaultlint.project.source import read_bytes as _read_bytes


@dataclass
class FixOutcome:
    """What fixing one text gave: the new text, the findings whose fixes were applied, those left, and the
    fixes that could not be computed (why, one line each)."""

    text: str
    applied: list[Finding]
    remaining: list[Finding]
    errors: list[str] = field(default_factory=list)


@dataclass
class FixedFileResult(FileResult):
    """A file's result after fixing: also the findings whose fixes were applied (for --show-fixes)."""

    applied: list[Finding] = field(default_factory=list)


@dataclass
class CheckedFileResult(FileResult):
    """A file's result with the content hash of each other file its findings were found from (`consulted`),
    as read for the check: what the cache keeps to know when they no longer hold."""

    depends: dict[str, str] = field(default_factory=dict)


class Linter:
    """A table, settings and rules bound together; lints texts and files."""

    def __init__(self, settings: Settings, table: Table | None = None):
        self.settings = settings
        self.table = table or load_table()
        self.rules = settings.rules(self.table)
        self.project: ProjectModules | None = None  # the files being checked, for programs' helper modules

    def new_project(self, files=()) -> ProjectModules:
        """The modules whose settings programs count when they import them: `files` (those being checked)
        and the project's other Python files under the configuration's root (read once per instance)."""
        s = self.settings
        hashes: dict[str, str] = {}

        def read(path) -> str:
            from defaultlint.project.cache import content_hash

            data = _read_bytes(Path(path))
            hashes[str(path)] = content_hash(data)
            return decode(data).text

        project = ProjectModules(self.table, files, read, s.root, s.exclude + s.extend_exclude)
        project.read_hashes = hashes  # path -> hash of the bytes each helper module was read from
        return project

    def use_project(self, files=()) -> None:
        self.project = self.new_project(files)

    def rules_for(self, path: Path) -> Rules:
        return self.settings.rules_for(self.table, path, self.rules)

    @pausing
    def lint_text(self, text: str, path: str = "-", rules: Rules | None = None,
                  project: ProjectModules | None = None) -> list[Finding]:
        if notebook.is_notebook(path):
            return notebook.lint_text(self, text, path, rules)
        checker = Checker(self.table, rules or self.rules_for(Path(path)), project or self.project)
        return checker.check(text, path)

    def fix_text(self, text: str, path: str = "-", unsafe: bool = False, project: ProjectModules | None = None
                 ) -> tuple[str, int, list[Finding]]:
        """Apply fixes until none is left to apply; returns (new text, fixes applied, remaining findings)."""
        out = self.fix(text, path, unsafe, project)
        return out.text, len(out.applied), out.remaining

    def fix_text_detailed(self, text: str, path: str = "-", unsafe: bool = False
                          ) -> tuple[str, list[Finding], list[Finding]]:
        """Like fix_text, but returns the applied findings themselves (as found in the text they fixed)."""
        out = self.fix(text, path, unsafe)
        return out.text, out.applied, out.remaining

    @pausing
    def fix(self, text: str, path: str = "-", unsafe: bool = False, project: ProjectModules | None = None
            ) -> FixOutcome:
        """Fix `text` (a notebook's JSON when `path` names one) with the fix loop of `fixer.fix_until_stable`."""
        if notebook.is_notebook(path):
            return FixOutcome(*notebook.fix_text_detailed(self, text, path, unsafe))
        rules = self.rules_for(Path(path))
        checker = Checker(self.table, rules, project or self.project)
        return FixOutcome(*fix_until_stable(text, lambda t: checker.check(t, path), unsafe, self._param_order))

    def _param_order(self, api: str | None, name: str) -> int:
        """Position of `name` in `api`'s signature, so added arguments follow the signature's order."""
        row = self.table.apis.get(api or "")
        if row is not None:
            for i, p in enumerate(row.params):
                if p.name == name:
                    return i
        return 1 << 16

    @pausing
    def lint_file(self, path: Path, fix: bool = False, unsafe: bool = False, write: bool = True) -> FileResult:
        name = str(path)
        try:
            src = read_source(path)
        except ReadError as e:
            return FileResult(name, [error_finding(name, str(e))], error=str(e))
        if self.project is not None:
            self.project.consulted.clear()
        if not fix:
            findings = self.lint_text(src.text, name)
            consulted = self._consulted()
            if not consulted:
                return FileResult(name, findings, source=src.text)
            read = getattr(self.project, "read_hashes", {})
            return CheckedFileResult(name, findings, source=src.text, consulted=consulted,
                                     depends={p: read[p] for p in consulted if p in read})
        out = self.fix(src.text, name, unsafe)
        new = out.text
        result = FixedFileResult(name, out.remaining, source=src.text, fixes_applied=len(out.applied),
                                 applied=out.applied, fix_errors=out.errors, consulted=self._consulted())
        if new == src.text:
            return result
        result.fixed_source = new
        if not write:
            return result
        try:
            if not parses(new):  # apply_fixes refuses such text already; never write it whatever happens
                raise ReadError("the fixed text does not parse")
            write_atomic(path, encode(src, new), expected=encode(src, src.text))
        except (OSError, ReadError, UnicodeError) as e:
            self._not_written(result, src.text, e)
        return result

    def _consulted(self) -> list[str]:
        return sorted(self.project.consulted) if self.project is not None else []

    def _not_written(self, result: FileResult, text: str, error: Exception) -> None:
        """A rewrite that could not be written: the result says so and holds the file's findings as it is."""
        result.error = f"not written: {error}"
        result.findings = [error_finding(result.path, result.error)] + self.lint_text(text, result.path)
        result.fixed_source = None
        result.fixes_applied = 0
        if isinstance(result, FixedFileResult):
            result.applied = []

    def add_noqa_file(self, path: Path, write: bool = True) -> FileResult:
        """Write `# noqa: CODE` on the line of each finding; the result's findings are those left."""
        from defaultlint.core.noqa import add_noqa

        name = str(path)
        try:
            src = read_source(path)
        except ReadError as e:
            return FileResult(name, [error_finding(name, str(e))], error=str(e))
        if notebook.is_notebook(name):
            new, changed = notebook.add_noqa_text(self, src.text, name)
        else:
            new, changed = add_noqa(src.text, self.lint_text(src.text, name))
        result = FileResult(name, self.lint_text(new, name), source=src.text, fixes_applied=changed)
        if new != src.text:
            result.fixed_source = new
            if write:
                try:
                    write_atomic(path, encode(src, new), expected=encode(src, src.text))
                except (OSError, ReadError, UnicodeError) as e:
                    self._not_written(result, src.text, e)
        return result


def error_finding(path: str, message: str) -> Finding:
    pos = Position(1, 1)
    return Finding("DL001", message, path, 0, 0, pos, pos)


def write_atomic(path: Path, data: bytes, expected: bytes | None = None) -> None:
    """Replace `path` with `data` atomically, keeping its permissions.

    Only a regular file of this user, writable, with no other hard link and no special permission bits is
    rewritten: a symbolic link (which may lead out of the project), a read-only file, another user's file
    (rewriting would change its owner), a hard-linked one (rewriting would split the links) or a setuid one
    is left alone, and ReadError says why. When `expected` is given and the file no longer holds it (changed
    since it was read), nothing is written.
    """
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise ReadError("a symbolic link: fix the file it points to directly")
    if not stat.S_ISREG(st.st_mode):
        raise ReadError("not a regular file")
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise ReadError("the file belongs to another user: rewriting it would change its owner")
    if st.st_nlink > 1:
        raise ReadError("the file has other hard links: rewriting it would split them")
    if st.st_mode & (stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX):
        raise ReadError("the file has special permission bits (setuid, setgid or sticky)")
    if not os.access(path, os.W_OK) or not st.st_mode & stat.S_IWUSR:
        raise ReadError("the file is read-only")
    if expected is not None and path.read_bytes() != expected:
        raise ReadError("the file changed on disk while it was being fixed")
    replace_file(path, data, mode=stat.S_IMODE(st.st_mode), sync=True)


# -- many files: cached and parallel ---------------------------------------------------------------------
PARALLEL_MIN_BYTES = 200_000  # below this much uncached source, starting workers costs more than it saves
DEFAULT_JOBS = 2

_worker: Linter | None = None


def _watch_parent(parent: int, interval: float = 0.5) -> None:
    """End this worker when the process that started the run ends (killed during --fix, say): a worker
    never outlives its run. Linux ends it at once (PR_SET_PDEATHSIG, when the parent is its direct
    parent); everywhere a watcher thread checks that the parent is still there."""
    import threading

    def alive() -> bool:
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    if sys.platform.startswith("linux") and os.getppid() == parent:
        try:
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if not alive():
        os._exit(1)

    def watch() -> None:
        while alive():
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="defaultlint-parent-watch", daemon=True).start()


def _init_worker(settings: Settings, table_root: str, parent: int | None = None,
                 project: list[str] = ()) -> None:
    global _worker
    if parent is not None:
        _watch_parent(parent)
    own_process(one_run=True)  # a worker of one run (a spawned one does not inherit the parent's setting)
    _worker = Linter(settings, load_table(table_root))
    _worker.use_project(project)


def _file_job(job: tuple[Path, bool, bool, bool]) -> FileResult:
    path, fix, unsafe, write = job
    assert _worker is not None
    return _worker.lint_file(path, fix=fix, unsafe=unsafe, write=write)


def default_jobs() -> int:
    env = os.environ.get("DEFAULTLINT_JOBS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(DEFAULT_JOBS, os.cpu_count() or 1))


def _mp_context(frameworks: frozenset[str] = frozenset()):
    """fork (cheap: workers inherit the loaded table) unless this process holds threads of its own or has
    imported one of `frameworks` (their native libraries do not survive a fork)."""
    import multiprocessing
    import sys
    import threading

    methods = multiprocessing.get_all_start_methods()
    risky = threading.active_count() > 1 or any(m in sys.modules for m in frameworks)
    if "fork" in methods and not risky:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _run(linter: Linter, fn, jobs_in: list, jobs: int, parallel: bool, progress=None,
         notes: list[str] | None = None) -> list:
    """fn over jobs_in, in order: in a process pool when worth it, else here. A pool that cannot start or
    breaks falls back to this process, and says why in `notes`.

    `progress(n)` is called as results come in.
    """
    tick = progress or (lambda n: None)
    out: list = []
    if parallel and jobs > 1 and len(jobs_in) > 1:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        chunk = max(1, min(32, len(jobs_in) // (jobs * 8)))
        try:
            context = _mp_context(linter.table.star_roots)
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                                     initargs=(linter.settings, str(linter.table.root), os.getpid(),
                                               sorted(map(str, linter.project.files)) if linter.project else [])
                                     ) as pool:
                for r in pool.map(fn, jobs_in, chunksize=chunk):
                    out.append(r)
                    tick(1)
                return out
        except (OSError, BrokenProcessPool, ImportError) as e:
            if notes is not None:
                notes.append(f"the worker processes failed ({type(e).__name__}: {e}); "
                             f"{len(jobs_in) - len(out)} files were checked in the main process")
    global _worker
    saved, _worker = _worker, linter
    try:
        for j in jobs_in[len(out):]:  # what the pool finished stands; the rest is checked here
            out.append(fn(j))
            tick(1)
        return out
    finally:
        _worker = saved


def lint_files(linter: Linter, files: list[Path], fix: bool = False, unsafe: bool = False, write: bool = True,
               cache=None, jobs: int | None = None, progress=None, notes: list[str] | None = None
               ) -> list[FileResult]:
    """Lint (or fix) `files`, in their order; results come from `cache` (a `cache.Cache`) when still valid.

    Fixing is not cached. Uncached files are checked by `jobs` worker processes when there is enough
    source to repay starting them, else in this process. `progress(n)`, when given, is called with the
    number of files just finished (call this once for all files: each call starts its own workers).
    What went wrong along the way without stopping the run (a pool that failed) is appended to `notes`.
    """
    jobs = default_jobs() if jobs is None else max(1, jobs)
    linter.use_project(files)
    if fix:
        many = sum(_size(f) for f in files) >= PARALLEL_MIN_BYTES
        return _run(linter, _file_job, [(f, True, unsafe, write) for f in files], jobs, many, progress, notes)

    if cache is None:
        many = sum(_size(f) for f in files) >= PARALLEL_MIN_BYTES
        return _run(linter, _file_job, [(f, False, False, False) for f in files], jobs, many, progress, notes)

    from defaultlint.project.cache import content_hash, rules_fingerprint, write_plan

    results: list[FileResult | None] = [None] * len(files)
    todo: list[tuple[int, str, str, str]] = []  # (index, digest, rules key, text read for the digest)
    base_key = rules_fingerprint(linter.rules)
    keys: dict[str, str] = {}  # path key -> rules key, for the plan
    cache.new_run()
    with paused(keep=True):
        _from_cache(linter, files, cache, base_key, results, todo, progress, keys)
    pending = sum(len(t[3]) for t in todo)
    done = _run(linter, _file_job, [(files[i], False, False, False) for i, *_ in todo], jobs,
                pending >= PARALLEL_MIN_BYTES, progress, notes)
    for (i, digest, rules_key, text), result in zip(todo, done):
        results[i] = result
        # store only what was checked from the very bytes hashed (not a file changed in between), with the
        # hash of each other file it depends on (a program counting a helper module's seed)
        depends = getattr(result, "depends", {})
        if digest and result.error is None and result.source == text and not _fix_failed(result) \
                and set(depends) == set(result.consulted):  # a helper that could not be read: checked again
            cache.put(files[i], digest, rules_key, result.findings, depends)
    cache.save()
    write_plan(cache, linter.settings, linter.table, files, keys)
    return [r for r in results if r is not None]


def _from_cache(linter: Linter, files: list[Path], cache, base_key: str, results: list, todo: list, progress,
                keys: dict[str, str] | None = None) -> None:
    """Fill `results` from the cache; append to `todo` (index, digest, rules key, text) what it lacks; record
    each file's rules key in `keys`."""
    from defaultlint.project.cache import content_hash, rules_fingerprint

    for i, path in enumerate(files):
        try:
            data = _read_bytes(path)
            text = decode(data).text
        except ReadError:
            todo.append((i, "", "", ""))  # lint_file reports it
            continue
        rules = linter.rules_for(path)
        rules_key = base_key if rules is linter.rules else rules_fingerprint(rules)
        digest = content_hash(data)
        cache.know(path, digest)
        if keys is not None:
            keys[cache.path_key(path)] = rules_key
        hit = cache.get(path, digest, rules_key)
        if hit is not None:
            results[i] = FileResult(str(path), hit, source=text)
            if progress:
                progress(1)
        else:
            todo.append((i, digest, rules_key, text))


def _fix_failed(result: FileResult) -> bool:
    """A finding whose fix could not be computed is not cached: the next run tries (and reports) it again."""
    return any(f.fix is not None and f.fix.error for f in result.findings)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
