"""Resolution of names: which framework API does an expression refer to?

One pass over the module records every scope and every name binding in it (imports, assignments,
parameters, loop targets, ...). Names then resolve as Python resolves them: the innermost function
scope that binds the name, skipping class bodies, then the module, then builtins. A name with several
bindings in its scope resolves only when every binding agrees on the API; anything else - a parameter,
a loop variable, an attribute of an unknown object, a relative import - resolves to nothing.
Precision first: when the answer is not certain, there is no answer.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from typing import Callable

BUILTINS = frozenset(dir(builtins))
_CYCLE = "\0cycle"  # a binding that refers back to the name being resolved: ds = ds.batch(32)
FRAMEWORK_ROOTS = frozenset({"torch", "tensorflow", "keras", "tf_keras", "torchvision"})

# Binding kinds
IMPORT, ALIAS, INSTANCE, SUBCLASS, FACTORY, OPAQUE = "import", "alias", "instance", "subclass", "factory", "opaque"

# How qualified names spell what is not a plain import path:
#   "keras.Sequential()"  an instance: the value a call of keras.Sequential returns
#   "keras.Model~"        a user class derived from keras.Model (never itself a table API)
#   "keras.Model@"        a user function whose every return is an instance of keras.Model


@dataclass
class Binding:
    kind: str
    qualname: str | None = None  # IMPORT: the module or object imported
    expr: ast.expr | None = None  # ALIAS / INSTANCE: the expression assigned (its callee for INSTANCE)
    scope: "Scope | None" = None  # ALIAS / INSTANCE: the scope the expression is evaluated in


@dataclass(eq=False)
class Scope:
    kind: str  # module | function | class | lambda | comprehension
    parent: "Scope | None"
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)
    star_imports: list[str] = field(default_factory=list)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)


class Resolver:
    """Builds the scopes of a module; `qualname(expr, scope)` then answers what `expr` names.

    `canonical` maps a dotted name onto the table's spelling (tensorflow.keras -> keras) so that
    bindings which reach one API by two paths count as agreeing; `star_known` says whether a name
    that a framework star import could bind (`from torch.nn import *`) exists.
    """

    def __init__(
        self,
        tree: ast.Module,
        canonical: Callable[[str], str] = lambda s: s,
        star_known: Callable[[str], bool] = lambda q: False,
    ):
        self.canonical = canonical
        self.star_known = star_known
        self.module = Scope("module", None)
        self.scope_of: dict[int, Scope] = {}  # id(node) -> the scope its expressions are evaluated in
        self.returns: dict[int, list[ast.expr | None]] = {}  # id(function scope) -> its return values
        self.calls: list[tuple[ast.Call, Scope]] = []  # every call whose callee is a dotted name
        # values that may hand a class to code constructing it later: (expr, scope, enclosing call or None)
        self.refs: list[tuple[ast.expr, Scope, ast.Call | None]] = []
        self._resolving: set[tuple[int, str]] = set()
        _Binder(self).run(tree)

    # -- lookups ------------------------------------------------------------------------------------
    def lookup(self, name: str, scope: Scope) -> str | None:
        """The qualified name bound to `name` as seen from `scope`, or None (or _CYCLE while resolving it)."""
        s: Scope | None = scope
        if name in scope.globals:
            s = self.module
        first = True
        while s is not None:
            if s.kind == "class" and not first:
                s = s.parent
                continue
            first = False
            if name in s.nonlocals and s.parent is not None:
                s = s.parent
                continue
            if name in s.bindings:
                return self._resolve_bindings(name, s)
            s = s.parent
        stars = self.module.star_imports
        if stars:
            if not all(m.split(".", 1)[0] in FRAMEWORK_ROOTS for m in stars):
                return None  # a star import of unknown content may bind anything
            known = [f"{m}.{name}" for m in stars if self.star_known(f"{m}.{name}")]
            if len(known) == 1:
                return known[0]
            if known:
                return None
        if name in BUILTINS:
            return f"builtins.{name}"
        return None

    def _resolve_bindings(self, name: str, scope: Scope) -> str | None:
        key = (id(scope), name)
        if key in self._resolving:  # a = b; b = a, or ds = ds.batch(32)
            return _CYCLE
        self._resolving.add(key)
        try:
            result: str | None = None
            for b in scope.bindings[name]:
                q = self._resolve_binding(b)
                if q == _CYCLE and b.kind == INSTANCE:
                    continue  # a fluent re-binding (ds = ds.shuffle(8)) keeps the type of the others
                if q is None or q == _CYCLE:
                    return None
                q = self.canonical(q)
                if result is None:
                    result = q
                elif result != q:
                    return None
            return result
        finally:
            self._resolving.discard(key)

    def _resolve_binding(self, b: Binding) -> str | None:
        if b.kind == IMPORT:
            return b.qualname
        if b.kind == ALIAS and b.expr is not None and b.scope is not None:
            return self._qualname(b.expr, b.scope)
        if b.kind == INSTANCE and b.expr is not None and b.scope is not None:
            cls = self._qualname(b.expr, b.scope)
            if cls in (None, _CYCLE):
                return cls
            return f"{cls[:-1]}()" if cls.endswith("@") else f"{cls}()"
        if b.kind == FACTORY and b.scope is not None:
            values = self.returns.get(id(b.scope)) or [None]
            result = None
            for v in values:
                q = self._qualname(v, b.scope) if v is not None else None
                if q is None or q == _CYCLE or not q.endswith("()"):
                    return None
                if result is not None and result != q:
                    return None
                result = q
            return result[:-2] + "@" if result else None
        if b.kind == SUBCLASS and b.expr is not None and b.scope is not None:
            base = self._qualname(b.expr, b.scope)
            if base == _CYCLE:
                return base
            return f"{base.rstrip('~')}~" if base and not base.startswith("builtins.") else None
        return None

    def qualname(self, node: ast.expr, scope: Scope) -> str | None:
        """'torch.nn.Linear' for `nn.Linear` after `import torch.nn as nn`; None when unknown."""
        q = self._qualname(node, scope)
        return None if q == _CYCLE and not self._resolving else q

    def _qualname(self, node: ast.expr, scope: Scope) -> str | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Call):  # a method called on what a call returned: ds.shuffle(8).batch(2)
            inner = self._qualname(node.func, scope)
            if inner is None or inner == _CYCLE or inner.startswith("builtins."):
                return inner if inner == _CYCLE else None
            base = inner[:-1] + "()" if inner.endswith("@") else inner + "()"
            return base + "." + ".".join(reversed(parts)) if parts else base
        if not isinstance(node, ast.Name):
            return None
        base = self.lookup(node.id, scope)
        if base is None or base == _CYCLE:
            return base
        if parts:
            if base.startswith("builtins."):
                return None
            return self.canonical(base + "." + ".".join(reversed(parts)))
        return base


_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)


class _Binder:
    """Walks the module once, creating scopes and recording bindings."""

    def __init__(self, r: Resolver):
        self.r = r

    def run(self, tree: ast.Module) -> None:
        self.body(tree.body, self.r.module)

    # statements ------------------------------------------------------------------------------------
    def body(self, stmts: list[ast.stmt], scope: Scope) -> None:
        for st in stmts:
            self.stmt(st, scope)

    def stmt(self, st: ast.stmt, scope: Scope) -> None:
        r = self.r
        if isinstance(st, ast.Import):
            for a in st.names:
                if a.asname:
                    scope.bind(a.asname, Binding(IMPORT, a.name))
                else:
                    top = a.name.split(".", 1)[0]
                    scope.bind(top, Binding(IMPORT, top))
            return
        if isinstance(st, ast.ImportFrom):
            mod = st.module or ""
            for a in st.names:
                if a.name == "*":
                    scope.star_imports.append("" if st.level else mod)
                    continue
                q = None if st.level else f"{mod}.{a.name}"
                scope.bind(a.asname or a.name, Binding(IMPORT, q))
            return
        if isinstance(st, _FUNCS):
            for d in st.decorator_list:
                self.expr(d, scope)
            self.arguments_defaults(st.args, scope)
            if st.returns:
                self.expr(st.returns, scope)
            inner = Scope("function", scope)
            # an undecorated function is a factory: calling it gives what all its returns agree on
            scope.bind(st.name, Binding(OPAQUE) if st.decorator_list else Binding(FACTORY, scope=inner))
            r.scope_of[id(st)] = inner
            self.arguments_bind(st.args, inner)
            self.body(st.body, inner)
            return
        if isinstance(st, ast.ClassDef):
            for d in st.decorator_list:
                self.expr(d, scope)
            for b in st.bases:
                self.expr(b, scope)
            for k in st.keywords:
                self.expr(k.value, scope)
            base = next((b for b in st.bases if _is_dotted(b)), None)
            scope.bind(st.name, Binding(SUBCLASS, expr=base, scope=scope) if base is not None else Binding(OPAQUE))
            inner = Scope("class", scope)
            r.scope_of[id(st)] = inner
            self.body(st.body, inner)
            return
        if isinstance(st, ast.Assign):
            self.expr(st.value, scope)
            for t in st.targets:
                self.target(t, scope, st.value if len(st.targets) == 1 else None)
            if not isinstance(st.targets[0], ast.Name) and _is_dotted(st.value):
                r.refs.append((st.value, scope, None))  # self.norm = nn.BatchNorm2d
            return
        if isinstance(st, ast.AnnAssign):
            if st.value is not None:
                self.expr(st.value, scope)
            self.expr(st.annotation, scope)
            self.target(st.target, scope, st.value)
            return
        if isinstance(st, ast.AugAssign):
            self.expr(st.value, scope)
            self.target(st.target, scope, None)
            return
        if isinstance(st, (ast.For, ast.AsyncFor)):
            self.expr(st.iter, scope)
            self.target(st.target, scope, None)
            self.body(st.body, scope)
            self.body(st.orelse, scope)
            return
        if isinstance(st, (ast.With, ast.AsyncWith)):
            for item in st.items:
                self.expr(item.context_expr, scope)
                if item.optional_vars is not None:
                    self.target(item.optional_vars, scope, None)
            self.body(st.body, scope)
            return
        if isinstance(st, ast.Try) or type(st).__name__ == "TryStar":
            self.body(st.body, scope)  # type: ignore[attr-defined]
            for h in st.handlers:  # type: ignore[attr-defined]
                if h.type is not None:
                    self.expr(h.type, scope)
                if h.name:
                    scope.bind(h.name, Binding(OPAQUE))
                self.body(h.body, scope)
            self.body(st.orelse, scope)  # type: ignore[attr-defined]
            self.body(st.finalbody, scope)  # type: ignore[attr-defined]
            return
        if isinstance(st, ast.Global):
            scope.globals.update(st.names)
            return
        if isinstance(st, ast.Nonlocal):
            scope.nonlocals.update(st.names)
            return
        if isinstance(st, ast.Match):
            self.expr(st.subject, scope)
            for case in st.cases:
                for n in ast.walk(case.pattern):
                    for attr in ("name", "rest"):
                        v = getattr(n, attr, None)
                        if isinstance(v, str):
                            scope.bind(v, Binding(OPAQUE))
                    if isinstance(n, ast.expr):
                        self.expr(n, scope)
                if case.guard is not None:
                    self.expr(case.guard, scope)
                self.body(case.body, scope)
            return
        if type(st).__name__ == "TypeAlias":  # 3.12: type X = ...
            scope.bind(st.name.id, Binding(OPAQUE))  # type: ignore[attr-defined]
            return
        if isinstance(st, ast.Return):
            if scope.kind == "function":
                r.returns.setdefault(id(scope), []).append(st.value)
            if st.value is not None and _is_dotted(st.value):
                r.refs.append((st.value, scope, None))
        # everything else: If, While, Expr, Return, Raise, Assert, Delete, ...
        for fld, value in ast.iter_fields(st):
            if isinstance(value, list):
                if value and isinstance(value[0], ast.stmt):
                    self.body(value, scope)
                else:
                    for v in value:
                        if isinstance(v, ast.expr):
                            self.expr(v, scope)
            elif isinstance(value, ast.expr):
                self.expr(value, scope)

    def target(self, t: ast.expr, scope: Scope, value: ast.expr | None) -> None:
        if isinstance(t, ast.Name):
            if value is not None and _is_dotted(value):
                scope.bind(t.id, Binding(ALIAS, expr=value, scope=scope))
            elif isinstance(value, ast.Call) and _is_chain(value.func):
                scope.bind(t.id, Binding(INSTANCE, expr=value.func, scope=scope))
            else:
                scope.bind(t.id, Binding(OPAQUE))
        elif isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                self.target(e, scope, None)
        elif isinstance(t, ast.Starred):
            self.target(t.value, scope, None)
        else:  # attribute or subscript targets bind no name
            self.expr(t, scope)

    def arguments_defaults(self, a: ast.arguments, scope: Scope) -> None:
        for d in (*a.defaults, *a.kw_defaults):
            if d is not None:
                if _is_dotted(d):
                    self.r.refs.append((d, scope, None))
                self.expr(d, scope)
        for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg):
            if arg is not None and arg.annotation is not None:
                self.expr(arg.annotation, scope)

    def arguments_bind(self, a: ast.arguments, inner: Scope) -> None:
        for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg):
            if arg is not None:
                inner.bind(arg.arg, Binding(OPAQUE))

    # expressions -----------------------------------------------------------------------------------
    def expr(self, e: ast.expr, scope: Scope) -> None:
        """Record the scope of every expression node that can open a scope or bind a name."""
        stack = [e]
        r = self.r
        while stack:
            n = stack.pop()
            if isinstance(n, ast.Lambda):
                self.arguments_defaults(n.args, scope)
                inner = Scope("lambda", scope)
                r.scope_of[id(n)] = inner
                self.arguments_bind(n.args, inner)
                self.expr(n.body, inner)
                continue
            if isinstance(n, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
                inner = Scope("comprehension", scope)
                r.scope_of[id(n)] = inner
                for i, g in enumerate(n.generators):
                    self.expr(g.iter, scope if i == 0 else inner)
                    self.target(g.target, inner, None)
                    for cond in g.ifs:
                        self.expr(cond, inner)
                if isinstance(n, ast.DictComp):
                    self.expr(n.key, inner)
                    self.expr(n.value, inner)
                else:
                    self.expr(n.elt, inner)
                continue
            if isinstance(n, ast.Call):
                if _is_chain(n.func):
                    r.calls.append((n, scope))
                for a in n.args:
                    if _is_dotted(a):
                        r.refs.append((a, scope, n))
                for k in n.keywords:
                    if _is_dotted(k.value):
                        r.refs.append((k.value, scope, n))
            elif isinstance(n, ast.Dict):
                for v in n.values:
                    if _is_dotted(v):
                        r.refs.append((v, scope, None))
            if isinstance(n, ast.NamedExpr):
                target_scope = scope
                while target_scope.kind == "comprehension" and target_scope.parent is not None:
                    target_scope = target_scope.parent
                target_scope.bind(n.target.id, Binding(OPAQUE))
                stack.append(n.value)
                continue
            for c in ast.iter_child_nodes(n):
                if isinstance(c, ast.expr):
                    stack.append(c)
                elif isinstance(c, ast.keyword):  # compile(optimizer=Adam()): keyword values are expressions too
                    stack.append(c.value)


def _is_chain(e: ast.expr) -> bool:
    """A dotted name whose links may be calls: `a.b`, `a.b().c`."""
    while isinstance(e, (ast.Attribute, ast.Call)):
        e = e.value if isinstance(e, ast.Attribute) else e.func
    return isinstance(e, ast.Name)


def _is_dotted(e: ast.expr) -> bool:
    while isinstance(e, ast.Attribute):
        e = e.value
    return isinstance(e, ast.Name)
