"""Resolution of names: which framework API does an expression refer to?

One pass over the module records every scope and every name binding in it (imports, assignments,
parameters, loop targets, ...). Names then resolve as Python resolves them: the innermost function
scope that binds the name, skipping class bodies, then the module, then builtins. A name with several
bindings in its scope resolves only when every binding agrees on the API; anything else - a parameter,
a loop variable, an attribute of an unknown object, a relative import - resolves to nothing.
Precision first: when the answer is not certain, there is no answer.

Answers are typed references (`refs`). Every name's answer is remembered once it is final, so the work is
linear in the size of the module; a per-module budget bounds what is left (a chain of aliases deeper than
the budget allows, or more resolution steps than the module's size justifies) and raises `BudgetExceeded`.
"""

from __future__ import annotations

import ast
import builtins
import enum
from dataclasses import dataclass, field
from typing import Callable

from defaultlint.core.refs import Factory, Instance, Path, Ref, Subclass, attribute, called

BUILTINS = frozenset(dir(builtins))
MAX_DEPTH = 120  # nested resolutions (an alias of an alias of ...) before the module is warmed up in order
STEPS_PER_BINDING = 64  # resolution steps allowed per binding of the module (plus a floor)


class BudgetExceeded(Exception):
    """The module's names could not be resolved within the budget (pathologically deep or wide aliasing)."""


class _Cycle:
    """A binding that refers back to the name being resolved: ds = ds.batch(32)."""

    def __repr__(self) -> str:
        return "CYCLE"


CYCLE = _Cycle()


class Kind(enum.Enum):
    IMPORT = "import"
    ALIAS = "alias"  # x = a.b
    INSTANCE = "instance"  # x = a.b(...)
    SUBCLASS = "subclass"  # class X(a.b)
    FACTORY = "factory"  # def f(): return a.b(...)
    OPAQUE = "opaque"  # anything else: a parameter, a loop variable, ...


IMPORT, ALIAS, INSTANCE, SUBCLASS, FACTORY, OPAQUE = (Kind.IMPORT, Kind.ALIAS, Kind.INSTANCE, Kind.SUBCLASS,
                                                     Kind.FACTORY, Kind.OPAQUE)


@dataclass
class Binding:
    kind: Kind
    qualname: str | None = None  # IMPORT: the module or object imported
    expr: ast.expr | None = None  # ALIAS / INSTANCE / SUBCLASS: the expression (its callee for INSTANCE)
    scope: "Scope | None" = None  # the scope the expression is evaluated in (FACTORY: the function's scope)
    defines: frozenset[str] = frozenset()  # SUBCLASS: the names the class body defines (its overrides)


@dataclass(eq=False)
class Scope:
    kind: str  # module | function | class | lambda | comprehension
    parent: "Scope | None"
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)
    star_imports: list[str] = field(default_factory=list)
    # names bound to a literal dict: what else is put in them (update arguments, subscript keys; None: unknown)
    dict_changes: dict[str, list[ast.expr | str | None]] = field(default_factory=dict)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)


class Resolver:
    """Builds the scopes of a module; `ref(expr, scope)` then answers what `expr` refers to.

    `canonical` maps a dotted name onto the table's spelling (tensorflow.keras -> keras) so that
    bindings which reach one API by two paths count as agreeing; `star_known` says whether a name
    that a framework star import could bind (`from torch.nn import *`) exists; `star_roots` are the
    top-level packages whose star imports are understood.
    """

    def __init__(
        self,
        tree: ast.Module,
        canonical: Callable[[str], str] = lambda s: s,
        star_known: Callable[[str], bool] = lambda q: False,
        star_roots: frozenset[str] = frozenset(),
    ):
        self.canonical = canonical
        self.star_known = star_known
        self.star_roots = star_roots
        self.module = Scope("module", None)
        self.scope_of: dict[int, Scope] = {}  # id(node) -> the scope its expressions are evaluated in
        self.class_of: dict[int, Binding] = {}  # id(class body scope) -> the class's binding
        self.class_name: dict[int, tuple[str, Scope]] = {}  # id(class body scope) -> (its name, where bound)
        self.stored: dict[int, ast.expr] = {}  # id(call) -> where its value is stored (`self.fc = nn.Linear(...)`)
        self.returns: dict[int, list[ast.expr | None]] = {}  # id(function scope) -> its return values
        self.calls: list[tuple[ast.Call, Scope]] = []  # every call whose callee is a dotted name
        # values that may hand a class to code constructing it later: (expr, scope, enclosing call or None)
        self.refs: list[tuple[ast.expr, Scope, ast.Call | None]] = []
        # id(ref) -> the name it is bound to, for refs that are not arguments of a call:
        # assigned (`norm_layer = nn.BatchNorm2d`) or a parameter's default (`def f(norm_layer=nn.BatchNorm2d)`)
        self.assigned_to: dict[int, str] = {}
        self.default_of: dict[int, str] = {}
        self.scopes: list[Scope] = [self.module]
        self._resolving: dict[tuple[int, str], int] = {}  # names being resolved -> their depth
        self._low = 1 << 30  # the shallowest name in progress that a cycle reached
        self._memo: dict[tuple[int, str], Ref | None] = {}
        _Binder(self).run(tree)
        self._steps = 0
        self._budget = 10_000 + STEPS_PER_BINDING * sum(len(v) for s in self.scopes for v in s.bindings.values())
        self._warm = False

    # -- lookups ------------------------------------------------------------------------------------
    def ref(self, node: ast.expr, scope: Scope) -> Ref | None:
        """What `node` refers to (`Path('torch.nn.Linear')` for `nn.Linear` after `import torch.nn as nn`)."""
        try:
            r = self._ref(node, scope)
        except _TooDeep:
            self._warm_up()
            try:
                r = self._ref(node, scope)
            except _TooDeep:
                raise BudgetExceeded("names are aliased more deeply than the budget allows") from None
        return None if r is CYCLE else r

    def lookup(self, name: str, scope: Scope):
        """The reference bound to `name` as seen from `scope`, or None (CYCLE while resolving it)."""
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
            if not all(m.split(".", 1)[0] in self.star_roots for m in stars):
                return None  # a star import of unknown content may bind anything
            known = [f"{m}.{name}" for m in stars if self.star_known(f"{m}.{name}")]
            if len(known) == 1:
                return Path(known[0])
            if known:
                return None
        if name in BUILTINS:
            return Path(f"builtins.{name}")
        return None

    def _resolve_bindings(self, name: str, scope: Scope):
        key = (id(scope), name)
        if key in self._memo:
            return self._memo[key]
        depth = self._resolving.get(key)
        if depth is not None:  # a = b; b = a, or ds = ds.batch(32)
            self._low = min(self._low, depth)
            return CYCLE
        depth = len(self._resolving)
        if depth > MAX_DEPTH:
            raise _TooDeep
        self._resolving[key] = depth
        outer_low, self._low = self._low, 1 << 30
        try:
            result = self._agree(scope.bindings[name])
        finally:
            del self._resolving[key]
            low, self._low = self._low, min(outer_low, self._low)
        if low >= depth:  # no cycle reached a name outside this one: the answer is final
            self._memo[key] = result
        return result

    def _agree(self, bindings: list[Binding]):
        result = None
        for b in bindings:
            self._steps += 1
            if self._steps > self._budget:
                raise BudgetExceeded("the module's names take more resolution steps than the budget allows")
            q = self._resolve_binding(b)
            if q is CYCLE and b.kind is INSTANCE:
                continue  # a fluent re-binding (ds = ds.shuffle(8)) keeps the type of the others
            if q is None or q is CYCLE:
                return None
            if type(q) is Path:
                q = Path(self.canonical(q.name))
            if result is None:
                result = q
            elif result != q:
                return None
        return result

    def _resolve_binding(self, b: Binding):
        kind = b.kind
        if kind is IMPORT:
            return Path(b.qualname) if b.qualname else None
        if b.scope is None:
            return None
        if kind is ALIAS and b.expr is not None:
            return self._ref(b.expr, b.scope)
        if kind is INSTANCE and b.expr is not None:
            cls = self._ref(b.expr, b.scope)
            if cls is None or cls is CYCLE:
                return cls
            return called(cls)
        if kind is FACTORY:
            values = self.returns.get(id(b.scope)) or [None]
            result = None
            for v in values:
                q = self._ref(v, b.scope) if v is not None else None
                if q is None or q is CYCLE or type(q) is not Instance:
                    return None
                if result is not None and result != q:
                    return None
                result = q
            return Factory(result) if result is not None else None
        if kind is SUBCLASS and b.expr is not None:
            base = self._ref(b.expr, b.scope)
            if base is CYCLE:
                return base
            if type(base) is Subclass:
                return Subclass(base.base, base.own | b.defines)
            if type(base) is Path and not base.name.startswith("builtins."):
                return Subclass(base.name, b.defines)
            return None
        return None

    def _ref(self, node: ast.expr, scope: Scope):
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                and len(node.args) == 2 and not node.keywords and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str) and node.args[1].value.isidentifier()
                and self.lookup("getattr", scope) == Path("builtins.getattr")):
            obj = self._ref(node.args[0], scope)  # getattr(nn, "LSTM") is nn.LSTM
            if obj is None or obj is CYCLE:
                return obj
            base = attribute(obj, node.args[1].value, self.canonical)
            if base is None:
                return None
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super":
            base = self._super(node, scope)  # super().m(...): the framework base's own method
            if base is None or base is CYCLE:
                return base
        elif isinstance(node, ast.Call):  # a method called on what a call returned: ds.shuffle(8).batch(2)
            inner = self._ref(node.func, scope)
            if inner is None or inner is CYCLE:
                return inner
            if type(inner) is Path and inner.name.startswith("builtins."):
                return None
            base: Ref | None = called(inner)
        elif isinstance(node, ast.Name):
            base = self.lookup(node.id, scope)
            if base is None or base is CYCLE:
                return base
        else:
            return None
        for name in reversed(parts):
            base = attribute(base, name, self.canonical)  # type: ignore[arg-type]
            if base is None:
                return None
        return base

    def keywords_of(self, node: ast.expr, scope: Scope) -> tuple[dict[str, ast.expr], set[str]] | None:
        """What `**node` passes, when `node` is a name bound once to a literal dict (`dict(...)` included):
        (the keys it surely passes with their values, the keys it may also pass through `.update` or
        `d[k] = ...`). None when that cannot be told (another binding, a change of unknown content)."""
        if not isinstance(node, ast.Name) or self.lookup("dict", scope) != Path("builtins.dict"):
            return None
        s: Scope | None = scope
        while s is not None and node.id not in s.bindings:
            s = s.parent
            while s is not None and s.kind == "class":
                s = s.parent
        if s is None or len(s.bindings[node.id]) != 1:
            return None
        sure = _literal_dict(s.bindings[node.id][0].expr)
        if sure is None:
            return None
        maybe: set[str] = set()
        for inner in self.scopes:  # changes anywhere the name is this binding (any scope reaching it)
            for change in inner.dict_changes.get(node.id, ()):
                if inner is not s and node.id in inner.bindings:
                    continue  # another variable of the same name
                if isinstance(change, str):
                    maybe.add(change)
                    continue
                more = _literal_dict(change) if change is not None else None
                if more is None and isinstance(change, ast.Name):
                    found = self.keywords_of(change, inner) if change.id != node.id else None
                    more = {**found[0], **dict.fromkeys(found[1])} if found is not None else None  # type: ignore[arg-type]
                if more is None:
                    return None
                maybe.update(more)
        return {k: v for k, v in sure.items() if k not in maybe}, maybe

    def _super(self, node: ast.Call, scope: Scope):
        """`super()` in a method of a user class derived from a framework class: an instance of the base as
        the base defines it (the user's overrides do not apply). None anywhere else."""
        if node.args or node.keywords or scope.kind != "function" or scope.parent is None:
            return None
        binding = self.class_of.get(id(scope.parent))
        if binding is None or self.lookup("super", scope) != Path("builtins.super"):
            return None  # not in a method of a framework subclass, or `super` rebound
        cls = self._resolve_binding(binding)
        if cls is CYCLE:
            return cls
        return Instance(Path(cls.base)) if type(cls) is Subclass else None

    def _warm_up(self) -> None:
        """Resolve every binding in the order it was written, so that a long chain of aliases is resolved one
        link at a time (each link's answer is remembered before the next asks for it)."""
        if self._warm:
            return
        self._warm = True
        for scope in self.scopes:
            for name in list(scope.bindings):
                try:
                    self._resolve_bindings(name, scope)
                except _TooDeep:
                    self._resolving.clear()
                    self._low = 1 << 30


class _TooDeep(Exception):
    pass


_DICT_CHANGES = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"})


def _literal_dict(e: ast.expr | None) -> dict[str, ast.expr] | None:
    """`{"k": v, ...}` or `dict(k=v, ...)` with string keys only, as key -> value; None for anything else."""
    if isinstance(e, ast.Dict):
        if not all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in e.keys):
            return None
        return {k.value: v for k, v in zip(e.keys, e.values)}  # type: ignore[union-attr]
    if (isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "dict" and not e.args
            and all(k.arg is not None for k in e.keywords)):
        return {k.arg: k.value for k in e.keywords}  # type: ignore[misc]
    return None


def _defined_names(body: list[ast.stmt]) -> set[str]:
    """The names a class body defines: its methods and class attributes."""
    out: set[str] = set()
    for st in body:
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(st.name)
        elif isinstance(st, ast.Assign):
            out.update(t.id for t in st.targets if isinstance(t, ast.Name))
        elif isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
            out.add(st.target.id)
    return out


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
            r.scopes.append(inner)
            # an undecorated function is a factory: calling it gives what all its returns agree on
            scope.bind(st.name, Binding(OPAQUE) if st.decorator_list else Binding(FACTORY, scope=inner))
            r.scope_of[id(st)] = inner
            self.arguments_bind(st.args, inner)
            self.bind_self(st, scope, inner)
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
            defines = frozenset(_defined_names(st.body))
            binding = Binding(SUBCLASS, expr=base, scope=scope, defines=defines) if base is not None else Binding(OPAQUE)
            scope.bind(st.name, binding)
            inner = Scope("class", scope)
            r.scopes.append(inner)
            r.scope_of[id(st)] = inner
            if base is not None:
                r.class_of[id(inner)] = binding
                r.class_name[id(inner)] = (st.name, scope)
            self.body(st.body, inner)
            return
        if isinstance(st, ast.Assign):
            if isinstance(st.value, ast.Call) and len(st.targets) == 1:
                r.stored[id(st.value)] = st.targets[0]
            self.expr(st.value, scope)
            for t in st.targets:
                self.target(t, scope, st.value if len(st.targets) == 1 else None)
            if not isinstance(st.targets[0], ast.Name) and _is_dotted(st.value):
                r.refs.append((st.value, scope, None))  # self.norm = nn.BatchNorm2d
            elif len(st.targets) == 1 and _is_dotted(st.value):
                r.refs.append((st.value, scope, None))  # norm_layer = nn.BatchNorm2d
                r.assigned_to[id(st.value)] = st.targets[0].id
            return
        if isinstance(st, ast.AnnAssign):
            if isinstance(st.value, ast.Call):
                r.stored[id(st.value)] = st.target
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
            elif _literal_dict(value) is not None:
                scope.bind(t.id, Binding(OPAQUE, expr=value, scope=scope))  # kwargs = {"lr": 0.1}: for **kwargs
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
            if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):  # kwargs["lr"] = ...
                key = t.slice.value if isinstance(t.slice, ast.Constant) and isinstance(t.slice.value, str) else None
                scope.dict_changes.setdefault(t.value.id, []).append(key)
            self.expr(t, scope)

    def arguments_defaults(self, a: ast.arguments, scope: Scope) -> None:
        positional = (*a.posonlyargs, *a.args)
        named = [*zip(positional[len(positional) - len(a.defaults):], a.defaults), *zip(a.kwonlyargs, a.kw_defaults)]
        for arg, d in named:
            if d is not None:
                if _is_dotted(d):
                    self.r.refs.append((d, scope, None))
                    self.r.default_of[id(d)] = arg.arg
                self.expr(d, scope)
        for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg):
            if arg is not None and arg.annotation is not None:
                self.expr(arg.annotation, scope)

    def bind_self(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope, inner: Scope) -> None:
        """The first parameter of a method of a framework subclass is an instance of that class (`self.log(...)`
        in a LightningModule's hook); a classmethod's is the class. A static method, or a method whose class
        name is rebound in its own scope, binds nothing."""
        named = self.r.class_name.get(id(scope))
        params = [*fn.args.posonlyargs, *fn.args.args]
        if named is None or not params:
            return
        decorators = {d.id for d in fn.decorator_list if isinstance(d, ast.Name)}
        if "staticmethod" in decorators or len(fn.decorator_list) > len(decorators & {"classmethod"}):
            return  # another decorator may hand the method anything
        name, outer = named
        if len(outer.bindings.get(name, ())) != 1:
            return
        cls = ast.Name(id=name, ctx=ast.Load())
        kind = ALIAS if "classmethod" in decorators else INSTANCE
        inner.bindings[params[0].arg] = [Binding(kind, expr=cls, scope=outer)]

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
                r.scopes.append(inner)
                r.scope_of[id(n)] = inner
                self.arguments_bind(n.args, inner)
                self.expr(n.body, inner)
                continue
            if isinstance(n, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
                inner = Scope("comprehension", scope)
                r.scopes.append(inner)
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
                f = n.func
                if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.attr in _DICT_CHANGES:
                    change = n.args[0] if f.attr == "update" and len(n.args) == 1 and not n.keywords else None
                    scope.dict_changes.setdefault(f.value.id, []).append(change)
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
