"""Configuration: `[tool.defaultlint]` in the nearest pyproject.toml (or a defaultlint.toml), plus CLI overrides."""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from defaultlint.formats import FORMATS as OUTPUT_FORMATS
from defaultlint.core.versions import VersionRange, parse_range

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:  # the checker is imported when rules are made: a run served from the cache never makes any
    from defaultlint.core.checker import Rules
    from defaultlint.core.table import Table


class ConfigError(Exception):
    """A configuration the user must correct (exit code 2)."""


KEYS = {
    "select", "extend-select", "ignore", "extend-ignore", "per-file-ignores", "exclude", "extend-exclude",
    "target-version", "fixable", "unfixable", "respect-gitignore", "cache-dir", "output-format", "unsafe-fixes",
    "preset", "port-from",
}
NO_PRESET = "none"  # `--preset none`: no preset, not even one the project would turn on by itself


@dataclass
class Settings:
    root: Path  # the folder of the configuration file (or the working directory)
    config_file: Path | None = None
    select: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    extend_exclude: list[str] = field(default_factory=list)
    target_version: dict[str, str] = field(default_factory=dict)
    fixable: list[str] = field(default_factory=lambda: ["ALL"])
    unfixable: list[str] = field(default_factory=list)
    respect_gitignore: bool = True
    cache_dir: str | None = None
    output_format: str | None = None
    unsafe_fixes: bool = False
    detected_targets: dict[str, str] = field(default_factory=dict)  # from the project's own files
    preset: list[str] | None = None  # None: the presets the project turns on by itself (auto)
    port_from: str | None = None  # the other framework of a port: turns the `port` preset on
    imported_families: frozenset[str] = frozenset()  # families the checked files import (see scan_families)

    # -- derived --------------------------------------------------------------------------------------
    def enabled_codes(self, table: Table) -> frozenset[str]:
        return self._selection(table)[0]

    def _selection(self, table: Table) -> tuple[frozenset[str], frozenset[str]]:
        """(the enabled codes, those of them only a `differences_only` preset enabled)."""
        all_codes = list(table.codes)
        chosen = set(expand(self.select, all_codes)) if self.select else {c for c, v in table.codes.items() if v.default}
        chosen |= set(expand(self.extend_select, all_codes))
        by_preset: set[str] = set()
        for name in self.active_presets(table):
            preset = table.presets[name]
            added = set(preset.codes) - chosen
            chosen |= added
            if preset.differences_only:
                by_preset |= added
        ignored = set(expand(self.ignore, all_codes))
        return frozenset(chosen - ignored), frozenset(by_preset - ignored)

    def families(self, table: Table) -> frozenset[str]:
        """The families of frameworks the project uses: its declared dependencies, and the imports of the
        files checked (when scanned)."""
        by_dist = {d.lower(): fw.family for fw in table.frameworks.values() for d in fw.distributions}
        declared = {by_dist[d.lower().replace("_", "-").replace(".", "-")] for d in self.detected_targets
                    if d.lower().replace("_", "-").replace(".", "-") in by_dist}
        return frozenset(declared | self.imported_families)

    def needs_scan(self, table: Table) -> bool:
        """Whether an automatic preset depends on what the checked files import (dependencies do not decide)."""
        return self.preset is None and not self.select and not self.port_from and \
            any(p.auto for p in table.presets.values()) and len(self.families(table)) < 2

    def active_presets(self, table: Table) -> list[str]:
        """The presets in force: those named (`preset`, `port-from`), else those the project turns on by itself."""
        if self.preset is not None:
            names = [p for p in self.preset if p != NO_PRESET]
            if NO_PRESET in self.preset:
                return []
        else:
            names = [] if self.select else \
                [p.name for p in table.presets.values() if p.auto == "both-families" and len(self.families(table)) >= 2]
        if self.port_from and "port" in table.presets and "port" not in names:
            names.append("port")
        return names

    def rules(self, table: Table) -> Rules:
        from defaultlint.core.checker import Rules

        targets: dict[str, VersionRange] = {}
        for fw, spec in table.targets_from(self.detected_targets).items():
            if fw in table.frameworks:
                try:
                    targets[fw] = parse_range(spec)
                except ValueError:
                    pass
        for fw, spec in self.target_version.items():  # the configuration overrides what was detected
            targets[fw] = parse_range(spec)
        for fw, spec in self.target_version.items():  # and implies what it implies (TensorFlow 2.15: Keras 2)
            for other, implied in table.implied_targets(fw, spec).items():
                if other not in self.target_version:
                    targets[other] = parse_range(implied)
        fixable = set(expand(self.fixable, list(table.codes))) - set(expand(self.unfixable, list(table.codes)))
        enabled, differences_only = self._selection(table)
        return Rules(enabled, targets, frozenset(fixable), differences_only)

    def rules_for(self, table: Table, path: Path, base: Rules) -> Rules:
        """Apply per-file-ignores to the rules for one file."""
        if not self.per_file_ignores:
            return base
        try:
            rel = path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        ignored: set[str] = set()
        for pattern, codes in self.per_file_ignores.items():
            if _matches(rel, pattern) or _matches(path.name, pattern):
                ignored |= set(expand(codes, list(table.codes)))
        if not ignored:
            return base
        from defaultlint.core.checker import Rules

        return Rules(base.enabled - ignored, base.targets, base.fixable, base.differences_only - ignored)

    def validate(self, table: Table) -> None:
        for key in ("select", "extend_select", "ignore", "fixable", "unfixable"):
            for code in getattr(self, key):
                if not expand([code], list(table.codes)):
                    raise ConfigError(f"unknown rule code or prefix {code!r} in `{key.replace('_', '-')}`"
                                      f"{self._where()}")
        for pattern, codes in self.per_file_ignores.items():
            for code in codes:
                if not expand([code], list(table.codes)):
                    raise ConfigError(f"unknown rule code {code!r} in `per-file-ignores` for {pattern!r}{self._where()}")
        for name in self.preset or ():
            if name != NO_PRESET and name not in table.presets:
                known = ", ".join([*sorted(table.presets), NO_PRESET])
                raise ConfigError(f"unknown preset {name!r} in `preset` (known: {known}){self._where()}")
        if self.port_from is not None and self.port_from not in table.frameworks:
            known = ", ".join(sorted(table.frameworks))
            raise ConfigError(f"unknown framework {self.port_from!r} in `port-from` (known: {known}){self._where()}")
        for fw, spec in self.target_version.items():
            if fw not in table.frameworks:
                known = ", ".join(sorted(table.frameworks))
                raise ConfigError(f"unknown framework {fw!r} in `target-version` (known: {known}){self._where()}")
            if not spec.strip():  # "" would read as every release: a range left out by mistake
                raise ConfigError(f"`target-version` for {fw} is empty (write a range such as \">=2.1,<2.7\")"
                                  f"{self._where()}")
            try:
                rng = parse_range(spec)
            except ValueError as e:
                raise ConfigError(f"`target-version` for {fw}: {e}{self._where()}") from None
            if rng.is_empty():
                raise ConfigError(f"`target-version` for {fw}: {spec!r} admits no release{self._where()}")

    def _where(self) -> str:
        return f" ({self.config_file})" if self.config_file else ""


def expand(selectors: list[str], codes: list[str]) -> list[str]:
    """Expand 'ALL', full codes and prefixes ('DL2', 'DL20') into codes; [] for an unknown selector."""
    out: list[str] = []
    for s in selectors:
        s = s.strip().upper()
        if s == "ALL":
            out.extend(codes)
        else:
            out.extend(c for c in codes if c.startswith(s))
    return out


def _matches(path: str, pattern: str) -> bool:
    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern.rstrip("/") + "/*")


def find_config(start: Path) -> Path | None:
    """The nearest defaultlint.toml, or pyproject.toml with a [tool.defaultlint] table, at or above `start`,
    never above the project root: the first folder up that holds a `.git` or a `pyproject.toml`. A file in a
    shared parent folder (a home folder, /tmp) never configures a project below it."""
    start = start.resolve()
    if start.is_file():
        start = start.parent
    for folder in (start, *start.parents):
        found = _config_in(folder)
        if found is not None:
            return found
        if (folder / ".git").exists() or (folder / "pyproject.toml").is_file():
            return None  # the project root: configuration above it belongs to someone else
    return None


def _foreign(path: Path) -> bool:
    """A file owned by neither this user nor the administrator (a shared folder's, someone else's checkout):
    found by searching, it must not switch rules off or move the cache."""
    if not hasattr(os, "geteuid"):
        return False
    try:
        return path.stat().st_uid not in (os.geteuid(), 0)
    except OSError:
        return True


def _config_in(folder: Path) -> Path | None:
    """The configuration file in `folder` itself, if any (never one of another user)."""
    own = folder / "defaultlint.toml"
    if own.is_file():
        return None if _foreign(own) else own
    pp = folder / "pyproject.toml"
    if not pp.is_file() or _foreign(pp):
        return None
    try:
        text = pp.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return pp if "defaultlint" in text else None  # ours, but broken: reading it reports the error
    tool = data.get("tool", {})
    return pp if isinstance(tool, dict) and "defaultlint" in tool else None


def load_settings(config: Path | None, start: Path, detect: bool = True) -> Settings:
    """Read settings from `config` (or the one found from `start`); defaults when there is none.

    With `detect`, the framework releases the project declares (see targets.py) become the targets
    for every framework the configuration does not name.
    """
    settings = _load_settings(config, start)
    if detect:
        from defaultlint.project.targets import detect_targets

        settings.detected_targets = detect_targets(settings.config_file or start)
    return settings


def project_root(start: Path) -> Path:
    """The project a path belongs to: the first folder up that holds a `.git` or a `pyproject.toml`, else the
    path's own folder. Excludes (`build/`, virtualenvs) are read from there, as the command line run from
    the project would read them."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for here in (folder, *folder.parents):
        if (here / ".git").exists() or (here / "pyproject.toml").is_file():
            return here
    return folder


def _load_settings(config: Path | None, start: Path) -> Settings:
    path = config or find_config(start)
    if path is None:
        return Settings(root=project_root(start))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read {path}: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table")
    section = tool.get("defaultlint", {} if path.name == "pyproject.toml" else data)
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.defaultlint] must be a table")
    return settings_from_dict(section, path)


def settings_from_dict(section: dict, path: Path | None) -> Settings:
    where = f" ({path})" if path else ""
    unknown = set(section) - KEYS
    if unknown:
        raise ConfigError(f"unknown configuration key(s) {', '.join(sorted(unknown))}{where}")
    s = Settings(root=path.parent.resolve() if path else Path.cwd(), config_file=path)
    for key, value in section.items():
        attr = key.replace("-", "_")
        expected = type(getattr(s, attr)) if getattr(s, attr) is not None else str
        if key == "preset":
            expected = list
        if key == "target-version":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ConfigError(f"`target-version` must be a table of framework = \"version range\"{where}")
        elif key == "per-file-ignores":
            if not isinstance(value, dict) or not all(isinstance(v, list) for v in value.values()):
                raise ConfigError(f"`per-file-ignores` must be a table of pattern = [codes]{where}")
        elif expected is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ConfigError(f"`{key}` must be a list of strings{where}")
        elif expected is list and any(not v.strip() for v in value):
            raise ConfigError(f"`{key}` holds an empty string{where}")
        elif expected is bool and not isinstance(value, bool):
            raise ConfigError(f"`{key}` must be true or false{where}")
        elif expected is str and not isinstance(value, str):
            raise ConfigError(f"`{key}` must be a string{where}")
        if key == "per-file-ignores" and any(not isinstance(c, str) or not c.strip() for v in value.values()
                                             for c in v):
            raise ConfigError(f"`per-file-ignores` must map patterns to lists of codes{where}")
        if key == "output-format" and value not in OUTPUT_FORMATS:
            raise ConfigError(f"`output-format` {value!r} is not one of {', '.join(OUTPUT_FORMATS)}{where}")
        if key == "cache-dir" and not value.strip():
            raise ConfigError(f"`cache-dir` is empty{where}")
        setattr(s, attr, value)
    return s


def scan_families(paths, table: Table, stop_at: int = 2, texts=()) -> frozenset[str]:
    """The families of frameworks the files at `paths` (and the `texts`) import (`import torch`, `from keras
    import layers`), found by one regular-expression search of each file's bytes; stops once `stop_at`
    families are found."""
    import re

    families = table.families()
    if not families:
        return frozenset()
    names = "|".join(sorted(map(re.escape, families), key=len, reverse=True))
    pattern = re.compile(rb"^[ \t]*(?:from|import)[ \t]+(" + names.encode() + rb")\b", re.M)
    found: set[str] = set()

    def contents():
        yield from (t.encode("utf-8", "replace") for t in texts)
        for path in paths:
            try:
                data = Path(path).read_bytes()
            except OSError:
                continue
            if Path(path).suffix == ".ipynb":  # a notebook's code is in JSON strings: `"import torch\n"`
                data = data.replace(b'"', b"\n")
            yield data

    every = len(set(families.values()))
    for data in contents():
        for m in pattern.finditer(data):
            found.add(families[m.group(1).decode()])
            if len(found) >= min(stop_at, every):
                return frozenset(found)
    return frozenset(found)
