"""Program-level defaults: the precision, determinism, seed and policy flags a program leaves implicit.

These defaults are no argument of any call. A module is a program when it has a main guard, or when code
that runs on executing it trains or evaluates (an entry call of `rules/program.toml`). Code that runs is the
module's own statements (the main guard's included) and the bodies of the module's functions they call or
hand over (`main()`, `app.run(main)`), transitively; a function nothing running reaches does not count, nor
do methods of the module's classes. For each flag of a framework the program imports, a setting anywhere in
that code (an attribute assignment, a setter call, an environment variable) makes it explicit; each flag
left unset is one finding, on the main guard or else on the first statement after the imports. Its fix
inserts the explicit statement after the imports (`Edit` with an empty span; `fixer.apply_fixes` joins the
insertions at one place into one block).

A setting made in another module of the project counts when the program reaches it: the module's own
import-time code when the program imports it, and a function of it the program calls (`utils.seed_all()`),
transitively. The core does no I/O: the caller hands `findings` a `Project` that finds such a module by its
dotted name and returns its `exports` (project.modules does this for the files being checked).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from defaultlint.core.ftypes import Applicability, Edit, Finding, Fix
from defaultlint.core.refs import Factory, Instance, Member, Path, Subclass
from defaultlint.core.resolver import IMPORT, Scope
from defaultlint.core.table import Flag, Table, call_with_first
from defaultlint.core.text import Lines
from defaultlint.core.versions import VersionRange, format_version, point, release_in

SAFE, UNSAFE, DISPLAY = Applicability.SAFE, Applicability.UNSAFE, Applicability.DISPLAY_ONLY
_SKIPPED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


@dataclass
class Runs:
    """What the code that runs on executing a module does: whether it trains, and what it sets."""

    entry: bool = False  # an entry call, or a main guard
    # (assign | call | env, dotted name or variable) -> the value written, as source ("" when there is none)
    settings: dict[tuple[str, str], str] = field(default_factory=dict)
    refs: set[str] = field(default_factory=set)  # names called that are defined outside the module
    imports: set[str] = field(default_factory=set)  # modules (and names of modules) imported


@dataclass(frozen=True)
class Reached:
    """What another module contributes when the program reaches a name in it: the settings made, and the
    names it calls and imports in turn (relative names are relative to `origin`, the module's file)."""

    settings: tuple[tuple[tuple[str, str], str], ...]  # the items of `Runs.settings`
    refs: frozenset[str]
    imports: frozenset[str]
    origin: str


# Finds the module a dotted name (`pkg.utils.seed_all`, or `.utils` relative to the file `origin`) lives in,
# among the project's own modules, and returns what reaching it does (importing the module, and calling the
# function the name ends with when `called`); None for any other name.
Project = Callable[[str, str, bool], "Reached | None"]
MAX_REACHED = 64  # modules and functions followed into other modules, per program


def main_guard(tree: ast.Module) -> ast.If | None:
    """The module's `if __name__ == "__main__":` statement, if any."""
    for st in tree.body:
        if isinstance(st, ast.If) and isinstance(st.test, ast.Compare) and len(st.test.ops) == 1 \
                and isinstance(st.test.ops[0], ast.Eq):
            sides = [st.test.left, *st.test.comparators]
            if any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and \
                    any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides):
                return st
    return None


def imported_roots(module) -> set[str]:
    """The top-level packages the module imports anywhere (`import torch.nn as nn`: torch)."""
    out = set()
    for scope in module.resolver.scopes:
        for bindings in scope.bindings.values():
            for b in bindings:
                if b.kind is IMPORT and b.qualname:
                    out.add(b.qualname.split(".", 1)[0])
    return out


def runs(module) -> Runs:
    """Walk the code that runs when the module is executed: its statements, then the functions they reach."""
    return _walk(module, [(module.tree.body, module.resolver.module)], entry=main_guard(module.tree) is not None)


def exports(module, name: str, origin: str) -> Reached:
    """What reaching `name` in the module does: importing it runs its statements (not its main guard), and
    calling one of its functions runs that too (`name` is "" for the import alone)."""
    guard = main_guard(module.tree)
    body = [st for st in module.tree.body if st is not guard]
    start = [(body, module.resolver.module)]
    for st in module.tree.body:
        if name and isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)) and st.name == name:
            start.append((st.body, module.resolver.scope_of.get(id(st), module.resolver.module)))
    ran = _walk(module, start, entry=False)
    return Reached(tuple(ran.settings.items()), frozenset(ran.refs), frozenset(ran.imports), origin)


def _functions(module) -> dict[str, list[ast.AST]]:
    functions: dict[str, list[ast.AST]] = {}
    for st in module.tree.body:
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.setdefault(st.name, []).append(st)
    return functions


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules (and names) an import statement reaches, relative ones with their leading dots."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = "." * node.level + (node.module or "")
    sep = "." if node.module else ""
    return [base] * bool(node.module) + [base + sep + a.name for a in node.names if a.name != "*"]


def _dotted(expr: ast.expr) -> str | None:
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


def _walk(module, start: list[tuple[list[ast.stmt], Scope]], entry: bool) -> Runs:
    table: Table = module.table
    program = table.program
    resolver = module.resolver
    out = Runs(entry=entry)
    functions = _functions(module)
    relative: dict[str, str] = {}  # names bound by relative imports in the code walked -> `.utils.f`
    unresolved: list[str] = []  # the dotted callees that resolved to nothing (`seed_all` of `from .u import`)
    seen: set[int] = set()
    work = list(start)
    while work:
        body, scope = work.pop()
        stack: list[ast.AST] = list(body)
        while stack:
            node = stack.pop()
            if isinstance(node, _SKIPPED):
                continue
            stack.extend(ast.iter_child_nodes(node))
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in functions \
                    and (scope is resolver.module or node.id not in scope.bindings):
                for fn in functions[node.id]:  # called or handed over (`app.run(main)`): it runs
                    if id(fn) not in seen:
                        seen.add(id(fn))
                        work.append((fn.body, resolver.scope_of.get(id(fn), resolver.module)))
            elif isinstance(node, ast.Call):
                if not _call(node, scope, module, program, out):
                    dotted = _dotted(node.func)
                    if dotted is not None:
                        unresolved.append(dotted)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                out.imports.update(_imported(node))
                if isinstance(node, ast.ImportFrom) and node.level:
                    base = "." * node.level + (node.module or "")
                    for a in node.names:
                        relative[a.asname or a.name] = base + ("." if node.module else "") + a.name
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                    _assigned(target, node.value, scope, module, program, out)
    for dotted in unresolved:
        root, _, rest = dotted.partition(".")
        if root in relative:
            out.refs.add(relative[root] + ("." + rest if rest else ""))
    return out


def _keep(module, out: Runs, key: tuple[str, str], node: ast.expr | None) -> None:
    """Record a statement that sets a flag (any other is not kept), with the value it writes as source."""
    if key in module.table.program.set_keys and key not in out.settings:
        out.settings[key] = (module.lines.source(node) or "") if node is not None else ""


def _assigned(target: ast.expr, value: ast.expr | None, scope: Scope, module, program, out: Runs) -> None:
    if isinstance(target, (ast.Tuple, ast.List)):
        values = value.elts if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts) \
            else [None] * len(target.elts)
        for t, v in zip(target.elts, values):
            _assigned(t, v, scope, module, program, out)
    elif isinstance(target, ast.Attribute):
        ref = module.resolver.ref(target, scope)
        if type(ref) is Path:
            _keep(module, out, ("assign", ref.name), value)
    elif isinstance(target, ast.Subscript):  # an environment mapping's item: MAPPING["X"] = ...
        ref = module.resolver.ref(target.value, scope)
        key = target.slice
        if type(ref) is Path and ref.name in program.env_mappings and isinstance(key, ast.Constant) \
                and isinstance(key.value, str):
            _keep(module, out, ("env", key.value), value)


def _call(node: ast.Call, scope: Scope, module, program, out: Runs) -> bool:
    """Record what the call sets; whether it resolved to a dotted name."""
    func = node.func
    if isinstance(func, ast.Attribute) and not out.entry:
        for method, receiver in program.entries:
            if func.attr == method and (receiver == "*" or _receiver_under(module, func.value, scope, receiver)):
                out.entry = True
                break
    ref = module.resolver.ref(func, scope)
    if type(ref) is not Path:
        return False
    name = ref.name
    first = node.args[0] if node.args else None
    _keep(module, out, ("call", name), first)
    if isinstance(first, ast.Constant) and isinstance(first.value, str):  # one option of a shared setter
        _keep(module, out, ("call", call_with_first(name, first.value)), node.args[1] if len(node.args) > 1 else None)
    out.refs.add(name)
    if name in program.env_setters or any(name == f"{m}.setdefault" for m in program.env_mappings):
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            _keep(module, out, ("env", first.value), node.args[1] if len(node.args) > 1 else None)
    elif any(name == f"{m}.update" for m in program.env_mappings):
        if isinstance(first, ast.Dict):
            for k, v in zip(first.keys, first.values):
                if isinstance(k, ast.Constant) and isinstance(k.value, str):
                    _keep(module, out, ("env", k.value), v)
        for k in node.keywords:
            if k.arg:
                _keep(module, out, ("env", k.arg), k.value)
    return True


def _receiver_under(module, expr: ast.expr, scope: Scope, namespace: str) -> bool:
    """Whether `expr` is an instance of a class under `namespace` (or of a user subclass of one)."""
    ref = module.resolver.ref(expr, scope)
    if type(ref) is Factory:
        ref = ref.returns
    if type(ref) is not Instance:
        return False
    of = ref.of
    name = of.name if type(of) is Path else of.base if type(of) is Subclass else None
    if type(of) is Member:  # a method's result (`Model(...).compile(...)` is no instance of interest)
        return False
    return name is not None and (name == namespace or name.startswith(namespace + "."))


# -- findings ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FlagState:
    """A flag of a program: what the program writes for it, or the value in force when it writes nothing."""

    flag: Flag
    written: str | None  # the value set, as source ("" for a statement that writes none); None: implicit
    value: str | None  # the value in force when implicit (None for a seed: unseeded)
    release: str  # the release the value is that of (`PyTorch 2.13`)


def states(module, targets: dict[str, VersionRange], path: str, project: Project | None = None,
           flags: list[Flag] | None = None) -> list[FlagState] | None:
    """Each flag (of `flags`, else all) of a framework the program imports, set or implicit; None when the
    module is no program. With `project`, settings in the project's modules the program reaches count."""
    table: Table = module.table
    roots = imported_roots(module)
    flags = [f for f in (table.program.flags if flags is None else flags) if roots.intersection(f.imports)]
    if not flags:
        return []
    ran = runs(module)
    if not ran.entry:
        return None
    settings = ran.settings
    if project is not None and (ran.refs or ran.imports) and \
            any(not any((s.kind, s.target) in settings for s in f.sets) for f in flags):
        settings = {**reached_settings(project, ran, path), **settings}
    out = []
    for flag in flags:
        written = next((settings[(s.kind, s.target)] for s in flag.sets if (s.kind, s.target) in settings), None)
        value, release, _ = value_in(table, flag, targets)
        out.append(FlagState(flag, written, value, release))
    return out


def findings(module, enabled: frozenset[str], targets: dict[str, VersionRange], path: str,
             fixable: frozenset[str] | None = None, project: Project | None = None) -> list[Finding]:
    """One finding per program flag the module leaves unset, when the module is a program; with `project`,
    settings in the project's modules the program reaches count."""
    table: Table = module.table
    flags = [f for f in table.program.flags if f.code in enabled]
    if not flags:
        return []
    unset = [s.flag for s in states(module, targets, path, project, flags) or () if s.written is None]
    if not unset:
        return []
    lines = module.lines
    start, end = reported_at(module, lines)
    at, spelled = _insertion(module, lines)
    out = []
    for flag in unset:
        message, fix = describe(table, flag, targets, spelled, at, lines,
                                fixable is None or flag.code in fixable)
        out.append(Finding(flag.code, message, path, start, end, lines.position(start), lines.position(end),
                           None, [], fix))
    return out


def reached_settings(project: Project, ran: Runs, origin: str) -> dict[tuple[str, str], str]:
    """The settings made by the project's modules the program imports and functions it calls, transitively."""
    settings: dict[tuple[str, str], str] = {}
    seen: set[tuple[str, str, bool]] = set()
    work = _reaching(ran.refs, ran.imports, origin)
    followed = 0
    while work and followed < MAX_REACHED:
        item = work.pop()
        if item in seen:
            continue
        seen.add(item)
        reached = project(*item)
        if reached is None:
            continue
        followed += 1
        for key, written in reached.settings:
            settings.setdefault(key, written)
        work.extend(_reaching(reached.refs, reached.imports, reached.origin))
    return settings


def _reaching(refs, imports, origin: str) -> list[tuple[str, str, bool]]:
    work = [(name, origin, False) for name in sorted(imports)] + [(name, origin, True) for name in sorted(refs)]
    work.reverse()  # popped in name order: imports first
    return work


def value_in(table: Table, flag: Flag, targets: dict[str, VersionRange]) -> tuple[str | None, str, list[str]]:
    """(the value in force for the targeted release, the release as shown, the values within the targets
    when they differ there)."""
    if flag.framework is None:
        return flag.value, "", []
    fw = table.frameworks[flag.framework]
    target = targets.get(flag.framework) or point(fw.verified)
    release = release_in(target, fw.verified)
    value = flag.value
    for ch in reversed(flag.changes):
        if release.before(ch.version):
            value = ch.before
    spanned = [c for c in flag.changes if target.spans(c.version)]
    variants = []
    if spanned:
        variants.append(f"{spanned[0].before} below {format_version(spanned[0].version)}")
        variants.extend(f"{c.after} from {format_version(c.version)}" for c in spanned)
    shown = str(target) if release.just_below or not target.contains(release.version) else \
        format_version(release.version)
    return value, f"{table.display(flag.framework)} {shown}", variants


def _state(flag: Flag, value: str | None) -> str:
    """`allow_tf32 = False`, or what holds for a flag without a value (a seed)."""
    if value is None:
        return flag.shown_unset or "unset"
    parts = (flag.read or flag.name).split(".")
    first_call = next((i for i, p in enumerate(parts) if "(" in p), len(parts) - 1)
    return f"`{'.'.join(parts[first_call:])} = {value}`"


def _history(flag: Flag) -> str:
    return "; ".join(f"{c.before} before {format_version(c.version)}" for c in flag.changes)


def describe(table: Table, flag: Flag, targets: dict[str, VersionRange], spelled: dict[str, str], at: int,
             lines: Lines, fixable: bool) -> tuple[str, Fix]:
    """The message of an unset flag and the fix that inserts its explicit statement."""
    value, release, variants = value_in(table, flag, targets)
    where = f" in {release}" if release else ""
    meaning = flag.shown.get(value) if value is not None else None
    details = [x for x in (f"that is {meaning}" if meaning else None,
                           f"it changes within the targeted releases: {', '.join(variants)}" if variants
                           else _history(flag)) if x]
    if value is None:  # a seed
        message = f"The program never seeds {flag.label}: {flag.shown_unset or 'unseeded'}"
    else:
        message = f"The program leaves {flag.label} implicit: {_state(flag, value)}{where}"
        message += f"; {'; '.join(details)}" if details else ""
    other = table.program.flag(flag.counterpart) if flag.counterpart else None
    if other is not None:
        ovalue, orelease, _ = value_in(table, other, targets)
        meaning = other.shown.get(ovalue) if ovalue is not None else other.shown_unset
        oname = orelease.split(" ")[0] if orelease else "the other framework"
        message += f"; {oname}: {other.label}" + (f", {_state(other, ovalue)}" if ovalue is not None else "") \
            + (f" ({meaning})" if meaning else "")
    elif flag.other:
        message += f"; {flag.other}"
    if flag.note:
        message += f". {flag.note.rstrip('.')}"
    message += "."
    if flag.display or not flag.fix:
        return message, Fix(DISPLAY, flag.display or "No statement states this default.")
    statement = flag.fix.replace("{value}", value if value is not None else "None")
    reasons = []
    if flag.unsafe:
        reasons.append(flag.unsafe)
    if variants:
        reasons.append(f"the value differs across the targeted releases ({', '.join(variants)})")
    if flag.since is not None and flag.framework is not None:
        target = targets.get(flag.framework)
        if target is not None and any(i.below(flag.since) for i in target.intervals):
            reasons.append(f"releases before {table.display(flag.framework)} {format_version(flag.since)} lack it")
    title = f"Insert `{statement}` after the imports" + (f" (unsafe: {'; '.join(reasons)})" if reasons else "")
    if not fixable:
        return message, Fix(DISPLAY, title)
    lines_added = _spell(table, statement, spelled)
    content = "".join(line + _newline(lines.text) for line in lines_added)
    return message, Fix(UNSAFE if reasons else SAFE, title, [Edit(at, at, content)])


def _spell(table: Table, statement: str, spelled: dict[str, str]) -> list[str]:
    """The statement spelled through the module's own imports; an `import` line first when none reaches it."""
    tree = ast.parse(statement).body[0]
    node = tree.targets[0] if isinstance(tree, ast.Assign) else tree.value.func  # type: ignore[attr-defined]
    text_start = node.col_offset
    dotted = statement[text_start:node.end_col_offset]
    best = None
    for name, qual in spelled.items():
        for prefix in {qual, table.canonical(qual)}:
            if dotted == prefix or dotted.startswith(prefix + "."):
                candidate = name + dotted[len(prefix):]
                if best is None or len(candidate) < len(best):
                    best = candidate
        for alias, canonical in table.prefixes.items():  # tf (tensorflow) reaches keras as tf.keras
            if alias.startswith(qual + ".") and (dotted == canonical or dotted.startswith(canonical + ".")):
                candidate = name + alias[len(qual):] + dotted[len(canonical):]
                if best is None or len(candidate) < len(best):
                    best = candidate
    if best is not None:
        return [statement[:text_start] + best + statement[node.end_col_offset:]]
    root = dotted.split(".", 1)[0]
    return [f"import {root}", statement]


def reported_at(module, lines: Lines) -> tuple[int, int]:
    """The main guard's `if` line, else the first statement after the leading imports (its first line)."""
    guard = main_guard(module.tree)
    if guard is not None:
        return lines.span(guard)[0], lines.span(guard.test)[1]
    body = module.tree.body
    first = next((st for st in body[_leading(body):]), body[-1] if body else None)
    if first is None:
        return 0, 0
    start, end = lines.span(first)
    row = lines.position(start).row
    line_end = lines.starts[row] if row < len(lines.starts) else len(lines.text)
    return start, min(end, len(lines.text[:line_end].rstrip("\r\n")))


def _leading(body: list[ast.stmt]) -> int:
    """How many statements the module starts with that are its docstring or imports."""
    n = 0
    for i, st in enumerate(body):
        if isinstance(st, (ast.Import, ast.ImportFrom)) or \
                (i == 0 and isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant)
                 and isinstance(st.value.value, str)):
            n = i + 1
        else:
            break
    return n


def _insertion(module, lines: Lines) -> tuple[int, dict[str, str]]:
    """Where the fix inserts (the start of the line after the leading imports) and the names those imports
    bind (name -> what it is)."""
    body = module.tree.body
    n = _leading(body)
    spelled: dict[str, str] = {}
    for st in body[:n]:
        if isinstance(st, ast.Import):
            for a in st.names:
                if a.asname:
                    spelled[a.asname] = a.name
                else:
                    top = a.name.split(".", 1)[0]
                    spelled[top] = top
        elif isinstance(st, ast.ImportFrom) and not st.level and st.module:
            for a in st.names:
                if a.name != "*":
                    spelled[a.asname or a.name] = f"{st.module}.{a.name}"
    if n == 0:
        return 0, spelled
    last = body[n - 1]
    row = last.end_lineno or last.lineno
    at = lines.starts[row] if row < len(lines.starts) else len(lines.text)
    return at, spelled


def _newline(text: str) -> str:
    i = text.find("\n")
    if i > 0 and text[i - 1] == "\r":
        return "\r\n"
    if i == -1 and "\r" in text:
        return "\r"
    return "\n"
