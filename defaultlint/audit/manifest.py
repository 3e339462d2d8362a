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

from defaultlint.core import program
from defaultlint.core.checker import Rules, module_of
from defaultlint.core.program import Project
from defaultlint.core.resolver import BudgetExceeded
from defaultlint.core.semantics import CallValues, Source, Value, shown_release, values_of
from defaultlint.core.table import Table
from defaultlint.core.text import parse

FORMAT_VERSION = 1
EXPLICIT, IMPLICIT, UNKNOWN = "explicit", "implicit", "unknown"
PROGRAM = "program"  # the api, category and callee of a program's flags entry


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
    display: str = ""  # the framework's name for people (PyTorch)

    def get(self, name: str) -> Hyper | None:
        return next((h for h in self.params if h.name == name), None)


def entries_for_text(text: str, path: str, table: Table, rules: Rules, project: Project | None = None
                     ) -> list[Entry]:
    """The manifest entries of one module (none when it does not parse or cannot be resolved): its calls,
    then, when it is a program, its program flags (one entry per framework)."""
    tree, error = parse(text, path)
    if tree is None:
        return []
    try:
        module = module_of(table, text, tree)
    except BudgetExceeded:
        return []
    out: list[Entry] = []
    for call in module.calls:
        api, node = call.api, call.node
        if table.initializer_framework(api.name):
            continue  # the initialisation calls themselves are what other entries' facts refer to
        cv = module.values(call, rules.targets)
        callee = module.lines.source(node.func) or api.short_name
        entry = Entry(path, node.lineno, node.col_offset + 1, api.framework, api.name, api.category,
                      shown_release(cv.release, cv.target), callee, display=table.display(api.framework))
        names = {id(v): k for k, v in call.explicit.items()}
        positional = {id(a) for a in call.positional_args}
        for a in node.args:
            entry.args.append((names.get(id(a)), module.lines.source(a)))
        for k in node.keywords:
            entry.args.append((k.arg, module.lines.source(k.value) if k.arg is None else
                               f"{k.arg}={module.lines.source(k.value)}"))
        for v in cv.values:
            hyper = _hyper(table, cv, v)
            if hyper is not None:
                if v.source is Source.EXPLICIT:
                    hyper.positional = id(call.explicit[v.name]) in positional or not v.keyword
                entry.params.append(hyper)
        out.append(entry)
        out.extend(_identifier_entries(table, module, call, rules, path))
    out.extend(_program_entries(table, module, rules, path, project))
    return out


def _program_entries(table: Table, module, rules: Rules, path: str, project: Project | None) -> list[Entry]:
    """A program's flags, an entry per framework at the place its findings are reported: the value the
    program writes (explicit), or the value in force for the targeted release (implicit)."""
    found = program.states(module, rules.targets, path, project)
    if not found:
        return []
    row = module.lines.position(program.reported_at(module, module.lines)[0]).row  # where its findings are
    by_framework: dict[str, Entry] = {}
    for st in found:
        fw = st.flag.framework or st.flag.imports[0]
        entry = by_framework.get(fw)
        if entry is None:
            version = st.release.split(" ", 1)[1] if " " in st.release else ""
            entry = by_framework[fw] = Entry(path, row, 1, fw, PROGRAM, PROGRAM, version, PROGRAM,
                                             display=table.display(fw) if fw in table.frameworks else fw)
        if st.written is not None:
            entry.params.append(Hyper(st.flag.name, st.written or "set", EXPLICIT, note=st.flag.label))
        else:
            value = st.value if st.value is not None else "unset"
            entry.params.append(Hyper(st.flag.name, value, IMPLICIT, note=st.flag.label))
    return list(by_framework.values())


def _identifier_entries(table: Table, module, call, rules: Rules, path: str) -> list[Entry]:
    """The objects that string arguments stand for (`compile(optimizer="adam")`): an entry each, at the string."""
    out = []
    for param, node in call.explicit.items():
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        target = table.identifier(call.api.framework, param, node.value, call.api.name)
        if target is None or target.category == "initializer":
            continue  # an initialiser is the layer's value (as for initialisation calls), not an entry
        cv = values_of(table, target, None, rules.targets)
        entry = Entry(path, node.lineno, node.col_offset + 1, target.framework, target.name, target.category,
                      shown_release(cv.release, cv.target), repr(node.value), display=table.display(target.framework))
        for v in cv.values:
            hyper = _hyper(table, cv, v)
            if hyper is not None:
                entry.params.append(hyper)
        out.append(entry)
    return out


def _hyper(table: Table, cv: CallValues, v: Value) -> Hyper | None:
    """A value as the manifest records it: explicit, implicit or unknown (values not in force are left out)."""
    if not v.hyper or v.source is Source.NOT_IN_FORCE:
        return None
    if v.source is Source.EXPLICIT:
        return Hyper(v.name, v.written or "?", EXPLICIT)
    if v.source is Source.ALIAS:
        return Hyper(v.name, v.value or "?", EXPLICIT, note=f"set as {v.via}={v.written}")
    if v.source is Source.UNKNOWN:
        return Hyper(v.name, v.value if v.fact and v.value else "?", UNKNOWN, note=v.why)
    note = ""
    if v.source is Source.RUNTIME:
        note = f"{v.sentinel} resolved by {cv.api.fact(v.name).resolved_by}"
    elif v.source is Source.VERSIONED:
        note = "changes within the targeted releases: " + ", ".join(f"{x} ({s})" for x, s in v.variants)
    elif v.source is Source.CONDITIONAL:
        note = v.why
    return Hyper(v.name, v.value or "?", IMPLICIT, note=note)


def entries_for_paths(paths: list[Path], table: Table, rules: Rules) -> tuple[list[Entry], list[str]]:
    """Entries of every Python file under `paths` (sorted), and the errors of files that could not be read.
    A program's flags count what the files under `paths` it imports set."""
    from defaultlint.api import ReadError, read_source
    from defaultlint.project.discovery import discover
    from defaultlint.project.modules import ProjectModules

    files, skipped = discover(list(paths), Path.cwd())
    project = ProjectModules(table, files, lambda p: read_source(p).text)
    errors = [f"{s.path}: {s.reason}" for s in skipped]
    out: list[Entry] = []
    for f in files:
        try:
            src = read_source(f)
        except ReadError as e:
            errors.append(f"{f}: {e}")
            continue
        out.extend(entries_for_text(src.text, str(f), table, rules, project))
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
    return f"{e.display or e.framework} {e.version}"


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
    """One block per call: where, the API and its framework release, then one line per hyperparameter
    (implicit ones marked). A list, not a table: long paths, API names and values are never broken mid-word
    to fit columns, at any terminal width."""
    from rich.markup import escape as markup_escape

    from defaultlint.formats.common import printable

    def escape(text: str) -> str:  # neither rich markup nor terminal control characters
        return markup_escape(printable(text))

    console.print("[bold]Hyperparameter manifest[/bold]")
    for e in entries:
        console.print(f"\n[bold]{escape(_where(e))}[/bold]  {escape(e.api)}  [dim]({escape(_fw(e))})[/dim]")
        for h in e.params:
            mark = {IMPLICIT: " [yellow](implicit)[/yellow]", UNKNOWN: " [dim](unknown)[/dim]"}.get(h.source, "")
            console.print(f"  {escape(h.name)}={escape(h.value)}{mark}")
    console.print(f"\n{len(entries)} call{'s' if len(entries) != 1 else ''}, "
                  f"{sum(h.source == IMPLICIT for e in entries for h in e.params)} implicit values.", markup=False)
