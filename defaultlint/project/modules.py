"""The project's own modules, found by the dotted names a program imports them by.

A program's seeds, precision and determinism are often set in a helper module (`from utils import seed_all`).
`ProjectModules` is the `core.program.Project` the checker asks: it maps a dotted name to one of the files
being checked or, when only some files are checked (a pre-commit hook passes the changed ones), to a Python
file of the project (under its root, not excluded, no link); a name it cannot place there is not the
project's. It reads and resolves that file once, and returns what reaching the name does. A name is looked up the way Python would find it
when the program runs as a script: beside the program's file, then from the root of the package the program
is in; relative names from the program's own package.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from defaultlint.core import program
from defaultlint.core.checker import module_of
from defaultlint.core.table import Table
from defaultlint.project.discovery import is_excluded


class ProjectModules:
    """`core.program.Project` over a set of files; `consulted` lists the files whose content was used."""

    def __init__(self, table: Table, files, read, root: Path | None = None, exclude: list[str] | None = None):
        self.table = table
        self.files = {Path(f).resolve() for f in files}
        self.read = read  # path -> text; raises for a file it cannot read
        self.root = Path(os.path.realpath(root)) if root is not None else None
        self.exclude = list(exclude or [])
        self._allowed: dict[Path, bool] = {}
        self._present_in: dict[Path, bool] = {}
        self.consulted: set[str] = set()
        self._modules: dict[Path, object | None] = {}
        self._exports: dict[tuple[Path, str], program.Reached] = {}
        self._roots: dict[Path, Path] = {}

    def __call__(self, name: str, origin: str, called: bool = True) -> program.Reached | None:
        found = self.locate(name, origin)
        if found is None:
            return None
        path, rest = found
        if not called:
            rest = ""  # importing a function of a module runs the module, not the function
        self.consulted.add(str(path))
        key = (path, rest)
        if key not in self._exports:
            module = self._module(path)
            if module is None:
                return None
            self._exports[key] = program.exports(module, rest, str(path))
        return self._exports[key]

    def locate(self, name: str, origin: str) -> tuple[Path, str] | None:
        """(the file of the module `name` is in, the name of the function within it, or "")."""
        try:
            here = Path(origin).resolve().parent
        except (OSError, RuntimeError, ValueError):
            return None
        level = len(name) - len(name.lstrip("."))
        parts = [p for p in name[level:].split(".") if p]
        if not level and parts and parts[0] in self.table.words:
            return None  # a framework's own name is never one of the project's modules
        if level:
            base = here
            for _ in range(level - 1):
                base = base.parent
            return self._within(base, parts)
        if here not in self._roots:
            self._roots[here] = _package_root(here)
        for root in dict.fromkeys((here, self._roots[here])):
            found = self._within(root, parts)
            if found is not None:
                return found
        return None

    def _within(self, root: Path, parts: list[str]) -> tuple[Path, str] | None:
        if parts and not self._present(root, parts[0]):
            return None  # most names a program calls are no module of the project: one look settles it
        for k in range(len(parts), 0, -1):
            rest = parts[k:]
            if len(rest) > 1:
                continue  # a name inside a class or an object of the module: not followed
            folder = root.joinpath(*parts[:k])
            for candidate in (folder.with_name(folder.name + ".py"), folder / "__init__.py"):
                if self._allows(candidate):
                    return candidate, rest[0] if rest else ""
        if not parts and self._allows(root / "__init__.py"):
            return root / "__init__.py", ""
        return None

    def _present(self, root: Path, first: str) -> bool:
        key = root / first
        if key not in self._present_in:
            self._present_in[key] = self._allows(root / (first + ".py")) or self._allows(key / "__init__.py") \
                or key.is_dir()
        return self._present_in[key]

    def _allows(self, path: Path) -> bool:
        """A file being checked, or a regular Python file of the project the walk would not exclude."""
        if path in self.files:
            return True
        if self.root is None:
            return False
        if path not in self._allowed:
            self._allowed[path] = self.root in path.parents and path.is_file() and not path.is_symlink() \
                and os.path.realpath(path) == str(path) and not is_excluded(path, self.root, self.exclude)
        return self._allowed[path]

    def _module(self, path: Path):
        if path not in self._modules:
            self._modules[path] = None
            try:
                text = self.read(path)
                tree = ast.parse(text)
                self._modules[path] = module_of(self.table, text, tree)
            except Exception:  # an unreadable, undecodable or unparsable helper sets nothing
                pass
        return self._modules[path]


def _package_root(folder: Path) -> Path:
    """The folder the top package containing `folder` sits in (`folder` itself when it is no package)."""
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        folder = folder.parent
    return folder
