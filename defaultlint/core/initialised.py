"""Which layers' tensors a module initialises itself, and so which implicit initialisation facts are not in
force for them.

An initialisation is a call of a framework's initialiser on a layer's tensor (`nn.init.zeros_(self.fc.bias)`)
or an in-place tensor method on it (`m.weight.data.normal_(0, 0.02)`). It sets the facts the tensor's
attribute names (`weight` -> weight_init; both from rules/frameworks.toml) of:
- the layer held where the tensor's owner is spelled the same (`self.fc = nn.Linear(...)`), or
- every layer, when the owner is a function parameter or loop variable (`for m in self.modules()`,
  `def init_fn(m)` given to `model.apply`), narrowed to the classes of an `isinstance(m, ...)` guard.
It counts only where it runs: at module level, in a method the framework runs when a model is built
(`__init__`, `reset_parameters`, `_init_weights`, ...), or in a function the module refers to elsewhere
(called, or handed to `apply`). A function never referred to does not count.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass

from defaultlint.core.refs import Path, Subclass
from defaultlint.core.resolver import BudgetExceeded, Resolver
from defaultlint.core.table import Table

_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class Site:
    framework: str
    facts: tuple[str, ...]
    owner: str | None  # the owner's source text (`self.fc`), None for any layer (a parameter or loop variable)
    classes: frozenset[str] | None  # with owner None: the layer classes an isinstance guard allows (None: any)
    line: int
    attribute: str | None = None  # with owner None: the layer is any object's attribute of this name
    # (`module.q_proj.weight` where `module` is a parameter reaches every `<x>.q_proj = nn.Linear(...)`)

    def reaches(self, api: str, owner: str | None) -> bool:
        """Whether this initialisation reaches the layer made by a call of `api` stored at `owner`."""
        if self.owner is not None:
            return self.owner == owner
        if self.attribute is not None:
            return owner is not None and owner.endswith("." + self.attribute)
        return self.classes is None or api in self.classes


def sites(table: Table, tree: ast.Module, resolver: Resolver, text: str | None = None) -> list[Site]:
    """Every initialisation of a layer tensor that runs."""
    frameworks = [fw for fw in table.frameworks.values() if fw.tensor_facts]
    if not frameworks:
        return []
    if text is not None and not any(f".{t}" in text for fw in frameworks for t in fw.tensor_facts):
        return []  # no layer tensor is ever named: nothing is initialised by hand
    scope_of_call = {id(node): scope for node, scope in resolver.calls}
    # the lines where an initialisation may be: calls named like an initialiser, assignments to a tensor
    called = {node.lineno for node, _ in resolver.calls if _maybe_initialiser(node, frameworks)}
    tensors = "|".join(re.escape(t) for fw in frameworks for t in fw.tensor_facts)
    pattern = re.compile(rf"\.(?:{tensors})\w*(?:\.data)?\s*=(?!=)")
    if text is None:
        assigned = {st.lineno for st in ast.walk(tree) if isinstance(st, ast.Assign)}
    else:  # lines that store a new tensor in a layer's weight or bias (m.weight.data = ...)
        assigned = {text.count("\n", 0, m.start()) + 1 for m in pattern.finditer(text)}
    lines = sorted(called | assigned)
    if not lines:
        return []
    out: list[Site] = []
    referred: set[str] | None = None

    enclosing: dict[int, ast.AST] = {}  # a nested function -> the function it is defined in

    def runs(func, site: Site) -> bool:
        """The function runs, and so does every function it is defined in."""
        while func is not None:
            if not runs_alone(func, site):
                return False
            func = enclosing.get(id(func))
        return True

    def runs_alone(func, site: Site) -> bool:
        nonlocal referred
        if func is None or func.name in table.frameworks[site.framework].init_methods:
            return True
        if text is not None and text.count(func.name) < 2:
            return False  # named nowhere but in its own definition
        if referred is None:  # referred to in code (not only in a comment): called, or handed to apply()
            referred = _referred_names(tree)
        return func.name in referred

    def holds_candidate(st: ast.stmt) -> bool:
        i = bisect.bisect_left(lines, st.lineno)
        return i < len(lines) and lines[i] <= (st.end_lineno or st.lineno)

    def visit(stmts: list[ast.stmt], func: ast.AST | None, guards: list[tuple[str, list[ast.expr]]]) -> None:
        for st in stmts:
            if not holds_candidate(st):
                continue  # nothing in it is named like an initialisation
            if isinstance(st, _FUNCS):
                if func is not None:
                    enclosing[id(st)] = func
                visit(st.body, st, [])
                continue
            if isinstance(st, ast.ClassDef):
                visit(st.body, None, [])  # methods inside are functions of their own
                continue
            for call in _calls_in(st):
                site = _site(call, func, guards, scope_of_call.get(id(call)))
                if site is not None and runs(func, site):
                    out.append(site)
            if isinstance(st, ast.Assign) and isinstance(st.value, ast.Call):
                for target in st.targets:  # module.weight.data = nn.init.trunc_normal_(...)
                    site = _assigned(target, st, func, guards)
                    if site is not None and runs(func, site):
                        out.append(site)
            if isinstance(st, ast.If):
                guard = _isinstance_guard(st.test)
                visit(st.body, func, guards + [guard] if guard else guards)
                visit(st.orelse, func, guards)
            else:
                for name in ("body", "orelse", "finalbody"):
                    visit(getattr(st, name, None) or [], func, guards)
                for handler in getattr(st, "handlers", None) or []:
                    visit(handler.body, func, guards)
                for case in getattr(st, "cases", None) or []:
                    visit(case.body, func, guards)

    def _site(call: ast.Call, func, guards, scope) -> Site | None:
        if scope is None:
            return None
        tensor_expr: ast.expr | None = None
        framework = None
        try:
            callee = resolver.ref(call.func, scope)
        except BudgetExceeded:
            return None
        if type(callee) is Path:
            framework = table.initializer_framework(callee.name)
            if framework and call.args:
                tensor_expr = call.args[0]
        if tensor_expr is None:
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
            for fw in frameworks:
                if name in fw.tensor_methods or (fw.in_place_suffix and name and name.endswith(fw.in_place_suffix)
                                                 and not isinstance(call.func, ast.Attribute)):
                    if isinstance(call.func, ast.Attribute) and _is_tensor(call.func.value):
                        framework, tensor_expr = fw.name, call.func.value  # m.weight.data.normal_(...)
                    elif call.args and _is_tensor(call.args[0]):
                        framework, tensor_expr = fw.name, call.args[0]  # trunc_normal_(m.weight, std=.02)
                    break
        if tensor_expr is None or framework is None:
            return None
        return _owned(framework, _strip_data(tensor_expr), func, guards, scope, call.lineno)

    def _assigned(target: ast.expr, st: ast.Assign, func, guards) -> Site | None:
        """`layer.weight = <a call>` / `layer.weight.data = <a call>`: a new tensor for the layer."""
        if not _is_tensor(target):
            return None
        scope = scope_of_call.get(id(st.value))
        for fw in frameworks:
            site = _owned(fw.name, _strip_data(target), func, guards, scope, st.lineno)
            if site is not None:
                return site
        return None

    def _owned(framework: str, tensor_expr: ast.expr, func, guards, scope, line: int) -> Site | None:
        if not isinstance(tensor_expr, ast.Attribute):
            return None
        facts = table.frameworks[framework].facts_of_tensor(tensor_expr.attr)
        if not facts:
            return None
        owner = tensor_expr.value
        root = owner
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(owner, ast.Attribute) and isinstance(root, ast.Name) and _is_local_variable(root.id, func):
            return Site(framework, facts, None, None, line, attribute=owner.attr)
        if isinstance(owner, ast.Name) and _is_local_variable(owner.id, func):
            classes = None
            for name, exprs in reversed(guards):
                if name == owner.id:
                    classes = _classes(exprs, scope) if scope is not None else None
                    break
            return Site(framework, facts, None, classes, line)
        return Site(framework, facts, ast.unparse(owner), None, line)

    def _classes(exprs: list[ast.expr], scope) -> frozenset[str] | None:
        names = set()
        for e in exprs:
            try:
                ref = resolver.ref(e, scope)
            except BudgetExceeded:
                return None
            if type(ref) is Subclass:
                continue  # a user's class: none of the framework layers the checker reports
            if type(ref) is not Path:
                return None  # a class we cannot name: any layer may be meant
            api = table.by_name(ref.name)
            names.add(api.name if api is not None else table.canonical(ref.name))
        return frozenset(names)

    visit(tree.body, None, [])
    return out


def _maybe_initialiser(call: ast.Call, frameworks) -> bool:
    """A call named like an initialiser (an in-place method or function of a framework), without resolving it."""
    f = call.func
    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
    if name is None:
        return False
    return any(name in fw.tensor_methods or (fw.in_place_suffix and name.endswith(fw.in_place_suffix))
               for fw in frameworks)


def _strip_data(e: ast.expr) -> ast.expr:
    return e.value if isinstance(e, ast.Attribute) and e.attr == "data" else e


def _is_tensor(e: ast.expr) -> bool:
    """An attribute of an attribute or name (`m.weight`, `m.weight.data`): possibly a layer's tensor."""
    e = _strip_data(e)
    return isinstance(e, ast.Attribute) and isinstance(e.value, (ast.Name, ast.Attribute, ast.Subscript))


def _calls_in(st: ast.stmt) -> list[ast.Call]:
    """The calls in a statement's own expressions (not in the statements nested in it)."""
    out = []
    for name, value in ast.iter_fields(st):
        if name in ("body", "orelse", "finalbody", "handlers", "cases"):
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, (ast.expr, ast.withitem)):
                out.extend(n for n in ast.walk(v) if isinstance(n, ast.Call))
    return out


def _isinstance_guard(test: ast.expr) -> tuple[str, list[ast.expr]] | None:
    """The variable a test narrows and the classes it allows: `isinstance(m, A)`, `type(m) == A`,
    `type(m) is A`, `type(m) in (A, B)`, and `or` of such tests on one variable."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        for v in test.values:
            guard = _isinstance_guard(v)
            if guard:
                return guard
        return None
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        guards = [_isinstance_guard(v) for v in test.values]
        if not guards or any(g is None for g in guards) or len({g[0] for g in guards}) != 1:
            return None  # a branch that narrows nothing (or another variable) lets any layer through
        return guards[0][0], [c for g in guards for c in g[1]]
    if (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance"
            and len(test.args) == 2 and isinstance(test.args[0], ast.Name)):
        classes = test.args[1]
        return test.args[0].id, list(classes.elts) if isinstance(classes, ast.Tuple) else [classes]
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if isinstance(op, (ast.Eq, ast.Is)):
            if _type_of(right) and not _type_of(left):
                left, right = right, left
            name = _type_of(left)
            return (name, [right]) if name else None
        if isinstance(op, ast.In) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
            name = _type_of(left)
            return (name, list(right.elts)) if name else None
    return None


def _type_of(e: ast.expr) -> str | None:
    """The variable `x` of `type(x)`."""
    if (isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "type" and len(e.args) == 1
            and not e.keywords and isinstance(e.args[0], ast.Name)):
        return e.args[0].id
    return None


def _is_local_variable(name: str, func: ast.AST | None) -> bool:
    """A parameter or loop variable of `func`: it stands for whichever layer it is given."""
    if func is None or not isinstance(func, _FUNCS):
        return False
    a = func.args
    if name in {p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if p is not None}:
        return name != "self"
    for node in ast.walk(func):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            if any(isinstance(t, ast.Name) and t.id == name for t in ast.walk(node.target)):
                return True
    return False


def _referred_names(tree: ast.Module) -> set[str]:
    """Names used anywhere other than where a function is defined (calls, `apply(fn)`, `self.fn()`)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            out.add(node.id)
        elif isinstance(node, ast.Attribute):
            out.add(node.attr)
    return out
