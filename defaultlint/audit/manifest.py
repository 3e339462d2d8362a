"""The manifest: every effective hyperparameter of every framework call, explicit or implicit.

One entry per framework call, in source order, with each hyperparameter's value: the argument as written
(a literal, or the source of the expression) when it is explicit, the table's default for the targeted
release when it is implicit. Rendered as a rich table, JSON or Markdown (to commit beside a model as its
record); `compare` reads the JSON back.
"""

from __future__ import annotations

import ast
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from defaultlint.core.checker import Checker, Rules, _version_in, parse
from defaultlint.core.resolver import Resolver
from defaultlint.core.table import FRAMEWORK_NAMES, POS_ONLY, REQUIRED, Table
from defaultlint.core.versions import format_version

FORMAT_VERSION = 1
EXPLICIT, IMPLICIT, UNKNOWN = "explicit", "implicit", "unknown"
_TORCH_INIT = "torch.nn.init."


@dataclass
class Hyper:
    name: str
    value: str  # Python source: the argument as written, or the table's default
    source: str  # explicit | implicit | unknown (supplied through *args/**kwargs)
    positional: bool = False  # explicit and passed by position
    note: str = ""


@dataclass
class Entry:
    path: str
    line: int
    column: int
    framework: str
    api: str
    category: str
    version: str  # the release whose defaults the implicit values are
    callee: str  # the callee as written (`nn.Linear`)
    params: list[Hyper] = field(default_factory=list)
    args: list[tuple[str | None, str]] = field(default_factory=list)  # (parameter or None, source) as written

    def get(self, name: str) -> Hyper | None:
        return next((h for h in self.params if h.name == name), None)


def entries_for_text(text: str, path: str, table: Table, rules: Rules) -> list[Entry]:
    """The manifest entries of one module (none when it does not parse)."""
    tree, error = parse(text, path)
    if tree is None:
        return []
    resolver = Resolver(tree, table.canonical, lambda q: table.lookup(q) is not None)
    checker = Checker(table, rules)
    calls = sorted(checker.framework_calls(resolver), key=lambda c: (c.node.lineno, c.node.col_offset))
    torch_init = any(c.api.name.startswith(_TORCH_INIT) for c in calls) or checker._mentions_init(resolver)
    out: list[Entry] = []
    for call in calls:
        api, node = call.api, call.node
        if api.name.startswith(_TORCH_INIT):
            continue
        version = _version_in(rules.target(table, api.framework), api.verified_version)
        callee = ast.get_source_segment(text, node.func) or api.short_name
        entry = Entry(path, node.lineno, node.col_offset + 1, api.framework, api.name, api.category,
                      format_version(version), callee)
        positional = {id(a) for a in node.args}
        names = {id(v): k for k, v in call.explicit.items()}
        for a in node.args:
            entry.args.append((names.get(id(a)), ast.get_source_segment(text, a) or ast.unparse(a)))
        for k in node.keywords:
            seg = ast.get_source_segment(text, k) or ast.unparse(k)
            entry.args.append((k.arg, seg))
        for p in api.params:
            if p.name in call.explicit:
                if p.name in table.not_hyper or not api.fact(p.name).hyper:
                    continue
                arg = call.explicit[p.name]
                entry.params.append(Hyper(p.name, ast.get_source_segment(text, arg) or ast.unparse(arg),
                                          EXPLICIT, positional=id(arg) in positional or p.kind == POS_ONLY))
            elif p.name in call.provided:
                if table.is_hyper(api, p):
                    entry.params.append(Hyper(p.name, "?", UNKNOWN, note="may come from *args/**kwargs"))
            elif table.is_hyper(api, p):
                value = api.default_at(p.name, version)
                if value is None or value == REQUIRED:
                    continue
                fact = api.fact(p.name)
                note = f"{p.default} resolved by {fact.resolved_by}" if fact.resolves and fact.resolves != p.default \
                    else ""
                entry.params.append(Hyper(p.name, value, IMPLICIT, note=note))
        for imp in api.implicit:
            if api.framework == "torch" and torch_init:
                entry.params.append(Hyper(imp.name, "?", UNKNOWN, note="the module calls torch.nn.init"))
            elif call.open_params:
                entry.params.append(Hyper(imp.name, imp.value, UNKNOWN, note="may come from *args/**kwargs"))
            else:
                entry.params.append(Hyper(imp.name, imp.value, IMPLICIT))
        out.append(entry)
    return out


def entries_for_paths(paths: list[Path], table: Table, rules: Rules) -> tuple[list[Entry], list[str]]:
    """Entries of every Python file under `paths` (sorted), and the errors of files that could not be read."""
    from defaultlint.api import ReadError, read_source
    from defaultlint.project.discovery import discover

    files, skipped = discover(list(paths), Path.cwd())
    errors = [f"{s.path}: {s.reason}" for s in skipped]
    out: list[Entry] = []
    for f in files:
        try:
            src = read_source(f)
        except ReadError as e:
            errors.append(f"{f}: {e}")
            continue
        out.extend(entries_for_text(src.text, str(f), table, rules))
    return out, errors


# -- JSON -------------------------------------------------------------------------------------------
def to_json(entries: list[Entry]) -> str:
    data = {"defaultlint_manifest": FORMAT_VERSION, "calls": [asdict(e) for e in entries]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def from_json(text: str) -> list[Entry]:
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("defaultlint_manifest") != FORMAT_VERSION:
        raise ValueError("not a defaultlint manifest (JSON written by `defaultlint manifest --format json`)")
    out = []
    for c in data["calls"]:
        params = [Hyper(**h) for h in c.pop("params")]
        args = [(n, t) for n, t in c.pop("args", ())]
        out.append(Entry(**c, params=params, args=args))
    return out


# -- text -------------------------------------------------------------------------------------------
def _where(e: Entry) -> str:
    return f"{e.path}:{e.line}"


def _fw(e: Entry) -> str:
    return f"{FRAMEWORK_NAMES.get(e.framework, e.framework)} {e.version}"


def _shown(h: Hyper) -> str:
    mark = {IMPLICIT: " (implicit)", UNKNOWN: " (unknown)"}.get(h.source, "")
    return f"{h.name}={h.value}{mark}"


def to_markdown(entries: list[Entry]) -> str:
    lines = ["# Hyperparameter manifest", "",
             "Every framework call with its effective hyperparameters; *implicit* values are the framework "
             "defaults of the release named.", "",
             "| Location | Framework | API | Parameter | Value | Source |", "|---|---|---|---|---|---|"]
    for e in entries:
        for i, h in enumerate(e.params or [Hyper("", "", "")]):
            head = (f"`{_where(e)}`", _fw(e), f"`{e.api}`") if i == 0 else ("", "", "")
            value = f"`{h.value}`".replace("|", "\\|") if h.name else ""
            source = h.source + (f" ({h.note})" if h.note else "")
            lines.append(f"| {' | '.join(head)} | {'`' + h.name + '`' if h.name else ''} | {value} | {source} |")
    return "\n".join(lines) + "\n"


def print_rich(console, entries: list[Entry]) -> None:
    from rich.table import Table as RichTable

    t = RichTable(title="Hyperparameter manifest", show_lines=True)
    for col in ("Location", "Framework", "API", "Hyperparameters"):
        t.add_column(col, overflow="fold")
    for e in entries:
        t.add_row(_where(e), _fw(e), e.api, "\n".join(_shown(h) for h in e.params))
    console.print(t)
    console.print(f"{len(entries)} call{'s' if len(entries) != 1 else ''}, "
                  f"{sum(h.source == IMPLICIT for e in entries for h in e.params)} implicit values.", markup=False)
