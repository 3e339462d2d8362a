"""Target versions: which releases of its dependencies a project supports, read from its own files.

Sources, first found wins per distribution: the ranges a project declares (pyproject.toml dependencies and
optional dependencies, Poetry dependencies, requirements*.txt), then the releases a lock file pins
(uv.lock, poetry.lock, pdm.lock). Which distributions are frameworks, and which framework releases a
release implies, is the table's knowledge (`Table.targets_from`); `target-version` in the configuration
overrides all of it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from defaultlint.core.versions import parse_range, parse_version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(\(?[^;#]*\)?)?")
_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirement(line: str) -> tuple[str, str] | None:
    """('torch', '>=2.1,<2.7') for 'torch>=2.1,<2.7 ; python_version>"3.8"'; None for other lines."""
    line = line.strip()
    if not line or line.startswith(("#", "-", "git+", "http:", "https:")):
        return None
    m = _REQ.match(line)
    if not m:
        return None
    name = _norm(m.group(1))
    spec = (m.group(3) or "").strip().strip("()").strip()
    if "@" in spec:
        return None
    return name, spec


def _table(data, key: str) -> dict:
    """data[key] when both are tables, else {}: a project's files are read as they are, never trusted."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _list(data, key: str) -> list:
    value = data.get(key) if isinstance(data, dict) else None
    return list(value) if isinstance(value, list) else []


def project_root(start: Path) -> Path | None:
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for f in (folder, *folder.parents):
        if any((f / m).exists() for m in _MARKERS) or any(f.glob("requirements*.txt")):
            return f
    return None


def declared(root: Path) -> dict[str, str]:
    """Distribution (normalised name) -> version range text, from what the project declares."""
    out: dict[str, str] = {}

    def add(name: str, spec: str) -> None:
        dist = _norm(name)
        if spec and dist not in out:
            try:
                parse_range(spec)
            except ValueError:
                return
            out[dist] = spec

    pp = root / "pyproject.toml"
    if pp.is_file():
        try:
            data = tomllib.loads(pp.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            data = {}
        project = _table(data, "project")
        reqs = _list(project, "dependencies")
        for extra in _table(project, "optional-dependencies").values():
            reqs.extend(extra if isinstance(extra, list) else [])
        for r in reqs:
            parsed = parse_requirement(r) if isinstance(r, str) else None
            if parsed:
                add(*parsed)
        poetry = _table(_table(data, "tool"), "poetry")
        groups = [_table(poetry, "dependencies")]
        groups += [_table(g, "dependencies") for g in _table(poetry, "group").values()]
        for deps in groups:
            for name, spec in deps.items():
                if isinstance(spec, dict):
                    spec = spec.get("version", "")
                if isinstance(spec, str):
                    add(name, spec)
    for req in sorted(root.glob("requirements*.txt")) + sorted(root.glob("requirements/*.txt")):
        try:
            lines = req.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            parsed = parse_requirement(line)
            if parsed:
                add(*parsed)
    return out


def locked(root: Path) -> dict[str, str]:
    """Distribution (normalised name) -> the release a lock file pins."""
    out: dict[str, str] = {}
    for name in ("uv.lock", "poetry.lock", "pdm.lock"):
        f = root / name
        if not f.is_file():
            continue
        try:
            data = tomllib.loads(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        for pkg in _list(data, "package"):
            if not isinstance(pkg, dict):
                continue
            dist = _norm(str(pkg.get("name", "")))
            version = pkg.get("version")
            if dist and isinstance(version, str) and dist not in out:
                try:
                    parse_version(version)
                except ValueError:
                    continue
                out[dist] = f"=={version}"
    return out


def detect_targets(start: Path) -> dict[str, str]:
    """Distribution -> the version range the project declares or locks (first found wins)."""
    root = project_root(start)
    if root is None:
        return {}
    found = declared(root)
    for dist, spec in locked(root).items():
        found.setdefault(dist, spec)
    return found
