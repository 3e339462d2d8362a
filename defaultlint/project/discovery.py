"""Discovery: which files to check, given the paths on the command line and the exclusion settings."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")

DEFAULT_EXCLUDES = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache", ".nox",
    ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".defaultlint_cache", ".svn", ".tox",
    ".venv", ".vscode", "__pycache__", "__pypackages__", "_build", "buck-out", "build", "dist", "node_modules",
    "site-packages", "venv",
)


@dataclass
class Skipped:
    path: str
    reason: str
    named: bool = False  # named on the command line (an error there), not met while walking a folder


class GitIgnore:
    """The patterns of one .gitignore file, applied to paths below its folder."""

    def __init__(self, base: Path, lines: list[str]):
        self.base = base.absolute()
        self.rules: list[tuple[re.Pattern, bool, bool]] = []  # (regex, negated, directory only)
        for raw in lines:
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.startswith("#"):
                continue
            line = line.rstrip() if not line.endswith("\\ ") else line
            negated = line.startswith("!")
            if negated:
                line = line[1:]
            if line.startswith("\\"):
                line = line[1:]
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            line = line.lstrip("/")
            self.rules.append((_glob_regex(line, anchored), negated, dir_only))

    def ignored(self, path: Path, is_dir: bool) -> bool | None:
        """True/False when a rule decides, None when no rule matches."""
        try:
            rel = path.absolute().relative_to(self.base).as_posix()
        except ValueError:
            return None
        verdict = None
        for regex, negated, dir_only in self.rules:
            if dir_only and not is_dir:
                continue
            if regex.fullmatch(rel):
                verdict = not negated
        return verdict


def _glob_regex(pattern: str, anchored: bool) -> re.Pattern:
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
            else:
                out.append("[" + pattern[i + 1:j].replace("!", "^", 1) + "]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    body = "".join(out)
    return re.compile(body if anchored else f"(?:.*/)?{body}")


def _load_gitignore(folder: Path) -> GitIgnore | None:
    f = folder / ".gitignore"
    try:
        return GitIgnore(folder, f.read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return None


class _Excludes:
    """The exclude patterns, compiled once per run: an entry is excluded when its name, or its path
    relative to the project root, matches one."""

    def __init__(self, patterns: list[str]):
        stripped = [p.rstrip("/") for p in patterns]
        self.names = _any_of(stripped)
        self.paths = _any_of([q for p in stripped if "/" in p or "*" in p or "?" in p for q in (p, p + "/*")])

    def __call__(self, path: Path, root: Path) -> bool:
        if self.names is not None and self.names.match(path.name):
            return True
        if self.paths is None:
            return False
        # string arithmetic only: resolving every entry costs a system call per component
        rel = os.path.relpath(os.path.abspath(path), _absolute(root)).replace(os.sep, "/")
        if rel.startswith(".."):
            rel = path.as_posix()
        return self.paths.match(rel) is not None


def _any_of(patterns: list[str]) -> re.Pattern | None:
    return re.compile("|".join(fnmatch.translate(p) for p in patterns)) if patterns else None


def is_excluded(path: Path, root: Path, exclude: list[str] | None = None) -> bool:
    """Whether walking from `root` would skip `path`: it, or a folder between it and `root`, matches the
    default or configured excludes. For files the editor opens one by one."""
    matches = _compiled_excludes(tuple(exclude or ()))
    path = Path(os.path.abspath(path))
    top = Path(os.path.abspath(root))
    if top not in path.parents:
        return matches(path, root)
    for here in [path, *path.parents]:
        if here == top:
            return False
        if matches(here, root):
            return True
    return False


@functools.lru_cache(maxsize=16)
def _compiled_excludes(exclude: tuple[str, ...]) -> _Excludes:
    """The default and configured excludes, compiled once (the editor asks on every change)."""
    return _Excludes(list(DEFAULT_EXCLUDES) + list(exclude))


@functools.lru_cache(maxsize=64)
def _absolute(root: Path) -> str:
    return os.path.realpath(root)


def _is_virtualenv(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file()


def discover(
    paths: list[Path],
    root: Path,
    exclude: list[str] | None = None,
    respect_gitignore: bool = True,
    suffixes: tuple[str, ...] = SOURCE_SUFFIXES,
) -> tuple[list[Path], list[Skipped]]:
    """Files to check (sorted, each once) and the paths that could not be visited, with why.

    A file named on the command line is always checked; files found by walking a folder are filtered
    by suffix, the default and configured excludes and .gitignore files.
    """
    patterns = _compiled_excludes(tuple(exclude or ()))
    found: dict[str, Path] = {}
    skipped: list[Skipped] = []
    for given in paths:
        if not given.exists() and not given.is_symlink():
            skipped.append(Skipped(str(given), "no such file or directory", named=True))
            continue
        if given.is_symlink() and not given.exists():
            skipped.append(Skipped(str(given), "broken symbolic link", named=True))
            continue
        if given.is_file():
            found.setdefault(os.path.normpath(str(given)), given)
            continue
        if not given.is_dir():
            skipped.append(Skipped(str(given), "not a regular file or directory", named=True))
            continue
        ignores = _parent_gitignores(given) if respect_gitignore else []
        _walk(given, root, patterns, respect_gitignore, ignores, suffixes, found, skipped, set(),
              os.path.realpath(given))
    return [found[k] for k in sorted(found)], skipped


def _parent_gitignores(folder: Path) -> list[GitIgnore]:
    """.gitignore files of the folders above `folder`, up to the repository root."""
    out: list[GitIgnore] = []
    here = folder.absolute()
    for parent in [here, *here.parents]:
        gi = _load_gitignore(parent) if parent != here else None
        if gi:
            out.insert(0, gi)
        if (parent / ".git").exists():
            break
    return out


def _walk(folder, root, patterns, respect_gitignore, ignores, suffixes, found, skipped, seen, top: str) -> None:
    try:
        real = folder.resolve()
    except (OSError, RuntimeError):
        skipped.append(Skipped(str(folder), "symbolic link loop"))
        return
    if real in seen:
        return  # a symlink loop or a second path to a folder already walked
    seen.add(real)
    if respect_gitignore:
        own = _load_gitignore(folder)
        if own:
            ignores = [*ignores, own]
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        skipped.append(Skipped(str(folder), e.strerror or str(e)))
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
        except OSError:
            continue
        if not is_dir and not entry.name.endswith(suffixes):
            continue
        path = Path(entry.path)
        if entry.is_symlink():
            if not path.exists():
                continue  # broken links found while walking are not the user's request
            target = os.path.realpath(path)
            if target != top and not target.startswith(top.rstrip(os.sep) + os.sep):
                skipped.append(Skipped(str(path), "a symbolic link out of the folder being checked: not followed"))
                continue
        if patterns(path, root):
            continue
        if respect_gitignore and _gitignored(ignores, path, is_dir):
            continue
        if is_dir:
            if _is_virtualenv(path):
                continue
            _walk(path, root, patterns, respect_gitignore, ignores, suffixes, found, skipped, seen, top)
        elif is_file and path.name.endswith(suffixes):
            found.setdefault(os.path.normpath(entry.path), path)


def _gitignored(ignores: list[GitIgnore], path: Path, is_dir: bool) -> bool:
    verdict = False
    for gi in ignores:
        v = gi.ignored(path, is_dir)
        if v is not None:
            verdict = v
    return verdict
