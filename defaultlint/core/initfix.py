"""The fix of an implicit initialisation: the explicit statement inserted after the layer's assignment.

A layer's implicit weight or bias initialisation has no argument that writes it. What can be written is the
statement that draws the same distribution again (the fact's `explicit` code from the table, with the layer
in place of `{obj}`), inserted on the line after `self.fc = nn.Linear(...)`, with the `import` lines it needs.
Re-drawing consumes the random number stream: the distribution is the same, the numbers for a given seed are
not, so the fix is unsafe.

Only a statement that stands on its own is written: one call, whose names are the layer, the framework (spelled
through the module's own imports) and standard-library modules (imported where the module lacks them). Facts
whose code needs values of the call (`hidden_size`) or more than one statement stay display-only, as do layers
not assigned by a statement of their own (`nn.Sequential(nn.Linear(...))`).
"""

from __future__ import annotations

import ast
import functools
import sys

from defaultlint.core.ftypes import Applicability, Edit, Fix
from defaultlint.core.refs import Path
from defaultlint.core.resolver import BudgetExceeded
from defaultlint.core.text import Lines

UNSAFE_REASON = ("re-drawing consumes the random number stream: the same distribution, other numbers for the "
                 "same seed")


def fix(module, call, explicit: str | None) -> Fix | None:
    """The unsafe fix inserting `explicit` (with `{obj}` for the layer) after the statement that assigns the
    layer made by `call`, or None when no statement can be written safely."""
    if not explicit or "{obj}" not in explicit:
        return None
    target = module.resolver.stored.get(id(call.node))
    if not isinstance(target, (ast.Name, ast.Attribute)) or not _dotted(target):
        return None
    statement = _statement_of(module, call.node)
    if statement is None or not _runs(module, statement, call.api.framework):
        return None  # an initialisation there would not count, and the finding would stay
    lines: Lines = module.lines
    at = _after(lines, statement)
    if at is None:
        return None
    owner = ast.unparse(target)
    text = explicit.replace("{obj}", owner)
    template = _template(explicit)
    if template is None:
        return None
    callee_text, names = template
    scope = module.scopes.get(id(call.node))
    roots = {r for fw in module.table.frameworks.values() for r in fw.roots}
    owner_root = _root(target)
    callee_root = callee_text.split(".", 1)[0]
    if callee_root not in roots:
        return None
    imports: list[str] = []
    for name in sorted(names - {owner_root, callee_root}):
        if name in roots or name not in sys.stdlib_module_names:
            return None  # a value of the call (fan_in, hidden_size) or another framework reference
        bound = _bound(module, name, scope)
        if bound is False:
            return None  # the name means something else here
        if bound is None:
            imports.append(f"import {name}")
    spelled = _spelled(module, callee_text)
    if spelled is None:
        return None
    spelled_callee, needs = spelled
    if needs:
        imports.insert(0, needs)
    text = spelled_callee + text[len(callee_text):] if text.startswith(callee_text) else None
    if text is None:
        return None
    end_row = statement.end_lineno or statement.lineno
    following = [lines.line(r).strip() for r in range(end_row + 1, min(end_row + 8, len(lines.starts) + 1))]
    if text in following:
        return None  # already written there (and not counted): writing it again changes nothing
    nl = _newline(lines.text)
    indent = _indent(lines, statement)
    edits = []
    if imports:
        top = _after_imports(module)
        if top is None or top > at:
            return None
        edits.append(Edit(top, top, "".join(nl + i for i in imports)))
    edits.append(Edit(at, at, nl + indent + text))
    title = (f"Insert `{text}` after the layer's assignment" + (f" (and {', '.join(imports)})" if imports else "")
             + f" (unsafe: {UNSAFE_REASON})")
    return Fix(Applicability.UNSAFE, title, edits)


_OWNER = "__defaultlint_layer__"


@functools.lru_cache(maxsize=512)
def _template(explicit: str) -> tuple[str, frozenset[str]] | None:
    """(the dotted callee as written, the other names the statement uses) of a fact's explicit code, parsed
    once: None unless it is one call of a dotted callee."""
    try:
        tree = ast.parse(explicit.replace("{obj}", _OWNER))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr) or not isinstance(tree.body[0].value, ast.Call):
        return None
    callee = tree.body[0].value.func
    if not _dotted(callee):
        return None
    names = frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name)) - {_OWNER}
    return ast.unparse(callee), names


def _dotted(node) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _root(node) -> str:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id  # type: ignore[attr-defined]


def _index(module) -> tuple[dict[int, ast.stmt], dict[int, ast.AST | None]]:
    """(id(call) -> the assignment whose value it is, id(statement) -> the function it is in, None at a class or
    module level), built once per module."""
    index = module.memo.get("initfix_index")
    if index is None:
        assignments: dict[int, ast.stmt] = {}
        functions: dict[int, ast.AST | None] = {}

        def visit(node: ast.AST, func: ast.AST | None) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.Assign, ast.AnnAssign)) and child.value is not None:
                    assignments[id(child.value)] = child
                    functions[id(child)] = func
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions[id(child)] = func  # the function a nested one is defined in
                    visit(child, child)
                elif isinstance(child, ast.ClassDef):
                    visit(child, None)  # its methods are functions of their own
                elif isinstance(child, ast.stmt) or isinstance(child, ast.excepthandler) \
                        or type(child).__name__ == "match_case":
                    visit(child, func)

        visit(module.tree, None)
        index = module.memo["initfix_index"] = (assignments, functions)
    return index


def _runs(module, statement: ast.stmt, framework: str) -> bool:
    """Whether an initialisation inserted after `statement` runs as core.initialised counts it: at a module or
    class level, in a method the framework runs when a model is built, or in a function that is referred to
    (and so is every function it is defined in)."""
    _, functions = _index(module)
    fw = module.table.frameworks.get(framework)
    init_methods = fw.init_methods if fw is not None else ()
    referred = None
    func = functions.get(id(statement))
    while func is not None:
        name = func.name  # type: ignore[attr-defined]
        if name not in init_methods:
            if referred is None:
                referred = _names_used(module.tree)
            if name not in referred:
                return False
        func = functions.get(id(func))
    return True


def _names_used(tree: ast.Module) -> set[str]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            out.add(node.id)
        elif isinstance(node, ast.Attribute):
            out.add(node.attr)
    return out


def _statement_of(module, call: ast.Call) -> ast.stmt | None:
    """The assignment statement whose value is `call` itself."""
    st = _index(module)[0].get(id(call))
    if isinstance(st, ast.Assign) and len(st.targets) != 1:
        return None
    return st


def _after(lines: Lines, st: ast.stmt) -> int | None:
    """The offset at the end of the statement's last line, when the statement starts its first line and nothing
    but a comment follows it on its last (a statement of its own, not `if x: a = f()` or `a = f(); b = 2`)."""
    first = lines.line(st.lineno)
    if len(first[:len(first) - len(first.lstrip())].encode()) != st.col_offset:
        return None
    end_row = st.end_lineno or st.lineno
    last = lines.line(end_row)
    rest = last.encode()[st.end_col_offset or 0:].decode(errors="replace").strip()
    if rest and not rest.startswith("#"):
        return None
    return lines.starts[end_row - 1] + len(last)


def _indent(lines: Lines, st: ast.stmt) -> str:
    first = lines.line(st.lineno)
    return first[:len(first) - len(first.lstrip())]


def _bound(module, name: str, scope) -> bool | None:
    """True when `name` is the standard-library module of that name where the fix is inserted, None when it is
    not bound there (an import is needed), False when it is bound to something else."""
    resolver = module.resolver
    try:
        ref = resolver.ref(ast.Name(id=name, ctx=ast.Load()), scope or resolver.module)
    except BudgetExceeded:
        return False
    if ref is None:
        return None if name not in resolver.module.bindings else False
    return type(ref) is Path and ref.name == name or False


def _spelled(module, dotted: str) -> tuple[str, str | None] | None:
    """`dotted` (a framework function) spelled through a module-level import the module has, with no import
    needed; else spelled from its root with `import root` to add; None when the root name is taken."""
    resolver, table = module.resolver, module.table
    imported = _module_paths(module)
    if imported is None:
        return None
    best = None
    for name, qualname in imported:
        for prefix in {qualname, table.canonical(qualname)}:
            if dotted == prefix or dotted.startswith(prefix + "."):
                candidate = name + dotted[len(prefix):]
                if best is None or len(candidate) < len(best):
                    best = candidate
    if best is not None:
        return best, None
    root = dotted.split(".", 1)[0]
    if root in resolver.module.bindings:
        return None
    return dotted, f"import {root}"


def _module_paths(module) -> list[tuple[str, str]] | None:
    """The module-level names bound once to a dotted path (name, path), computed once per module; None when
    resolving them exceeds the budget."""
    if "initfix_paths" not in module.memo:
        resolver = module.resolver
        out: list[tuple[str, str]] | None = []
        try:
            for name, bindings in resolver.module.bindings.items():
                if len(bindings) == 1:
                    ref = resolver.ref(ast.Name(id=name, ctx=ast.Load()), resolver.module)
                    if type(ref) is Path:
                        out.append((name, ref.name))
        except BudgetExceeded:
            out = None
        module.memo["initfix_paths"] = out
    return module.memo["initfix_paths"]


def _after_imports(module) -> int | None:
    """The end of the last line of the imports the module starts with (after its docstring), or None."""
    body = module.tree.body
    last = None
    for i, st in enumerate(body):
        if isinstance(st, (ast.Import, ast.ImportFrom)):
            last = st
        elif i == 0 and isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant) \
                and isinstance(st.value.value, str):
            continue
        else:
            break
    if last is None:
        return None
    return _after(module.lines, last)


def _newline(text: str) -> str:
    i = text.find("\n")
    if i > 0 and text[i - 1] == "\r":
        return "\r\n"
    if i == -1 and "\r" in text:
        return "\r"
    return "\n"
