"""`defaultlint upgrade`: the calls whose effective default changes between two releases of a framework.

For every call of the framework and every parameter (or implicit fact) the call leaves to the default, the
value in force at the `from` release is compared with the value at the `to` release, as core.semantics
computes them. Each difference is a finding (code DL902) with a fix that writes one of the two values:
`keep` writes the old value (the code behaves after the upgrade as before it), `adopt` writes the new one
(the code states what it will get, and behaves so on both releases where the parameter exists in both).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from enum import Enum

from defaultlint.core.checker import Module, fact_label, module_of
from defaultlint.core.ftypes import Applicability, Finding, Fix
from defaultlint.core.resolver import BudgetExceeded
from defaultlint.core.semantics import Source, value_at, values_of
from defaultlint.core.table import REQUIRED, Table
from defaultlint.core.text import parse
from defaultlint.core.versions import Release, format_version, parse_version, point

CODE = "DL902"


class Mode(str, Enum):
    KEEP = "keep"  # write the old value: behaviour after the upgrade stays as before
    ADOPT = "adopt"  # write the new value: the code says what the new release does


class UpgradeError(ValueError):
    pass


@dataclass(frozen=True)
class Upgrade:
    framework: str
    old: tuple[int, ...]
    new: tuple[int, ...]

    @classmethod
    def parse(cls, table: Table, old: str, new: str) -> "Upgrade":
        """From `--from torch==1.13 --to torch==2.13`."""
        a, b = _pin(table, old), _pin(table, new)
        if a[0] != b[0]:
            raise UpgradeError(f"--from names {a[0]} and --to names {b[0]}: an upgrade is of one framework")
        if a[1] == b[1]:
            raise UpgradeError("--from and --to name the same release")
        return cls(a[0], a[1], b[1])


def _pin(table: Table, text: str) -> tuple[str, tuple[int, ...]]:
    name, sep, version = text.partition("==")
    name = name.strip()
    if not sep or not version.strip():
        raise UpgradeError(f"{text!r}: expected FRAMEWORK==RELEASE, e.g. torch==2.4")
    if name not in table.frameworks:
        raise UpgradeError(f"{text!r}: unknown framework {name!r} (known: {', '.join(sorted(table.frameworks))})")
    try:
        return name, parse_version(version.strip())
    except ValueError as e:
        raise UpgradeError(f"{text!r}: {e}") from None


def findings(table: Table, text: str, path: str, upgrade: Upgrade, mode: Mode = Mode.KEEP) -> list[Finding]:
    """The calls of `text` whose effective value changes between the two releases, one finding per value."""
    tree, error = parse(text, path)
    if tree is None:
        return [error] if error is not None else []
    try:
        module = module_of(table, text, tree)
    except BudgetExceeded:
        return []
    out: list[Finding] = []
    for call in module.calls:
        if call.api.framework != upgrade.framework:
            continue
        out.extend(_call_findings(table, module, call, path, upgrade, mode))
    return out


def _call_findings(table: Table, module: Module, call, path: str, upgrade: Upgrade, mode: Mode) -> list[Finding]:
    api = call.api
    old_rel, new_rel = Release(upgrade.old), Release(upgrade.new)
    display = table.display(api.framework)
    old_name, new_name = f"{display} {format_version(upgrade.old)}", f"{display} {format_version(upgrade.new)}"
    cv = values_of(table, api, call, {api.framework: point(upgrade.new)}, module.lines.source)
    start, end = module.lines.span(call.node)
    out = []
    for v in cv.values:
        if not v.source.implicit or v.source in (Source.NOT_IN_FORCE, Source.UNKNOWN):
            continue
        before, after = value_at(api, v.name, old_rel), value_at(api, v.name, new_rel)
        if before is None or after is None or before == after:
            continue
        label = fact_label(v.name) if v.fact else f"`{v.name}`"
        change = next((c for c in api.changes_of(v.name)
                       if upgrade.old < c.version <= upgrade.new or upgrade.new < c.version <= upgrade.old), None)
        message = f"{api.name}: the default of {label} changes from {before} ({old_name}) to {after} ({new_name})"
        if change is not None and change.note:
            message += f". {change.note.rstrip('.')}"
        written = before if mode is Mode.KEEP else after
        fix = _fix(api, v, written, before, after, mode, old_name, new_name)
        params = [(v.name, written)] if fix.applicability is not Applicability.DISPLAY_ONLY else []
        f = Finding(CODE, message + ".", path, start, end, module.lines.position(start), module.lines.position(end),
                    api.name, params, fix)
        if params:
            from defaultlint.core import fixer

            f.fix.edits, f.fix.error = fixer.lazy_edits(module.lines.text, start, end, params)
        out.append(f)
    return out


def _fix(api, v, written: str, before: str, after: str, mode: Mode, old_name: str, new_name: str) -> Fix:
    if v.fact:
        return Fix(Applicability.DISPLAY_ONLY, "No argument expresses this default.")
    if REQUIRED in (before, after) or not _literal(written):
        return Fix(Applicability.DISPLAY_ONLY,
                   f"`{v.name}` has no default in one of the releases: pass it explicitly to choose the value.")
    if mode is Mode.KEEP and isinstance(ast.literal_eval(written), str):  # a word one release may not know
        return Fix(Applicability.UNSAFE, f"Write `{v.name}={written}` to keep the behaviour of {old_name} "
                                         f"(unsafe: {new_name} may not accept {written})")
    if mode is Mode.KEEP:
        return Fix(Applicability.SAFE, f"Write `{v.name}={written}` to keep the behaviour of {old_name}")
    return Fix(Applicability.SAFE, f"Write `{v.name}={written}` to state the behaviour of {new_name}")


def _literal(source: str) -> bool:
    try:
        ast.literal_eval(source)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True
