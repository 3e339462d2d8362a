"""Effective values of a whole side for `compare`: what the manifest leaves as an expression or unknown,
followed through the side's own code.

- a name bound once at module level (`CONV_INIT = {...}`) stands for its value;
- a call of a function the side defines whose body returns one expression (`get_initializer(0.02)`) stands
  for that expression with the arguments put in;
- an initialisation the model does itself (`_init_weights`, `.apply(fn)`, `nn.init` on a tensor: found by
  core/initialised.py, reported by core/semantics.py as "the module initialises it itself (line N)") stands
  for the initialising call on that line;
- an initialiser, however spelled, is read as a distribution with parameters (rules/ports.toml), so that
  `TruncatedNormal(stddev=0.02)` and `normal_(mean=0.0, std=0.02)` can be compared.
Nothing is executed: expressions are rewritten as syntax trees and compared as text or literals.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field

from defaultlint.audit.equivalence import Ports
from defaultlint.audit.manifest import EXPLICIT, UNKNOWN, Entry

_ITSELF = re.compile(r"initialises it itself \(line (\d+)\)")
EFFECTIVE = "effective"  # a Hyper source: the value followed through the side's code


@dataclass
class Helpers:
    """What a side's modules define that values may refer to."""

    functions: dict[str, tuple[ast.arguments, ast.expr]] = field(default_factory=dict)
    constants: dict[str, ast.expr] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)

    def add_module(self, tree: ast.Module) -> None:
        for st in tree.body:
            if isinstance(st, ast.FunctionDef):
                body = [s for s in st.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
                if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
                    self._put(self.functions, st.name, (st.args, body[0].value))
            elif isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
                self._put(self.constants, st.targets[0].id, st.value)

    def _put(self, store: dict, name: str, value) -> None:
        if name in store or name in self.ambiguous:
            store.pop(name, None)
            self.ambiguous.add(name)  # defined twice: which one applies cannot be told
        else:
            store[name] = value


def follow(text: str, helpers: Helpers, depth: int = 4) -> tuple[str, str]:
    """(the value with module constants and local helper calls put in, how) - the text itself when nothing
    applies."""
    how = []
    for _ in range(depth):
        try:
            node = ast.parse(text, mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            break
        if isinstance(node, ast.Name) and node.id in helpers.constants:
            how.append(f"{node.id} = {_short(ast.unparse(helpers.constants[node.id]))}")
            text = ast.unparse(helpers.constants[node.id])
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in helpers.functions:
            args, body = helpers.functions[node.func.id]
            bound = _bind(args, node)
            if bound is None:
                break
            how.append(f"{node.func.id}() returns {_short(ast.unparse(body))}")
            text = ast.unparse(_Substitute(bound).visit(copy.deepcopy(body)))
            continue
        break
    return text, "; ".join(how)


def _short(s: str, n: int = 80) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _bind(a: ast.arguments, call: ast.Call) -> dict[str, ast.expr] | None:
    if any(isinstance(x, ast.Starred) for x in call.args) or any(k.arg is None for k in call.keywords):
        return None
    params = [p.arg for p in (*a.posonlyargs, *a.args)]
    if len(call.args) > len(params):
        return None
    out: dict[str, ast.expr] = {}
    defaults = dict(zip(params[len(params) - len(a.defaults):], a.defaults))
    for p, d in zip(a.kwonlyargs, a.kw_defaults):
        params.append(p.arg)
        if d is not None:
            defaults[p.arg] = d
    out.update(defaults)
    out.update(zip(params, call.args))
    for k in call.keywords:
        if k.arg not in params:
            return None
        out[k.arg] = k.value
    return out if all(p in out for p in params) else None


class _Substitute(ast.NodeTransformer):
    def __init__(self, bound: dict[str, ast.expr]):
        self.bound = bound

    def visit_Name(self, node: ast.Name):
        return copy.deepcopy(self.bound[node.id]) if node.id in self.bound else node


# -- model-level initialisation ---------------------------------------------------------------------
def init_call_text(tree: ast.Module, line: int, tensor_methods: frozenset[str]) -> str | None:
    """The initialising call on `line`, written without its tensor: `normal_(mean=0.0, std=...)`."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or getattr(node, "lineno", None) != line:
            continue
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        if name is None or name not in tensor_methods:
            continue
        args = list(node.args)
        if args and _is_tensor(args[0]):
            args = args[1:]  # nn.init.normal_(m.weight, 0, 0.02)
        elif not (isinstance(f, ast.Attribute) and _is_tensor(f.value)):
            continue  # neither m.weight.data.normal_(0, 0.02) nor a function given the tensor
        parts = [ast.unparse(a) for a in args] + [f"{k.arg}={ast.unparse(k.value)}" for k in node.keywords if k.arg]
        return f"{name}({', '.join(parts)})"
    return None


def _is_tensor(e: ast.expr) -> bool:
    while isinstance(e, ast.Attribute) and e.attr == "data":
        e = e.value
    return isinstance(e, (ast.Attribute, ast.Subscript))


# -- initialisers as distributions --------------------------------------------------------------------
@dataclass(frozen=True)
class Dist:
    family: str
    params: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str | None:
        return dict(self.params).get(name)

    def shown(self) -> str:
        return f"{self.family}({', '.join(f'{k}={v}' for k, v in self.params)})"


def distribution(text: str, framework: str, ports: Ports) -> Dist | None:
    """The distribution an initialiser's spelling in `framework` draws from, when rules/ports.toml knows it."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    positional: list[ast.expr] = []
    keywords: dict[str, ast.expr] = {}
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        name = node.value
    elif isinstance(node, ast.Dict):  # Keras serialised form {'class_name': ..., 'config': {...}}
        d = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)}
        cls, cfg = d.get("class_name"), d.get("config")
        if not (isinstance(cls, ast.Constant) and isinstance(cls.value, str)):
            return None
        name = cls.value
        if isinstance(cfg, ast.Dict):
            for k, v in zip(cfg.keys, cfg.values):
                if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
                    return None
                keywords[k.value] = v
        elif cfg is not None:
            return None
    elif isinstance(node, ast.Call):
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        if name is None or any(isinstance(a, ast.Starred) for a in node.args) or \
                any(k.arg is None for k in node.keywords):
            return None
        positional = list(node.args)
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
    elif isinstance(node, (ast.Attribute, ast.Name)):  # keras.initializers.Zeros passed as a class
        name = node.attr if isinstance(node, ast.Attribute) else node.id
    else:
        return None
    spelling = ports.spelling(name, framework)
    if spelling is None:
        return None
    if len(positional) > len(spelling.args):
        return None
    params = dict(spelling.defaults)
    given = dict(zip(spelling.args, (ast.unparse(a) for a in positional)))
    given.update({k: ast.unparse(v) for k, v in keywords.items()})
    for k, v in given.items():
        key = spelling.rename.get(k, k)
        if key == "seed":
            continue
        params[key] = v
    params.update(spelling.fixed)
    return Dist(spelling.family, tuple(sorted(params.items())))


# -- a side, effective ---------------------------------------------------------------------------------
def make_effective(entries: list[Entry], trees: dict[str, ast.Module], helpers: Helpers,
                   tensor_methods: dict[str, frozenset[str]]) -> None:
    """Rewrite, in place, the values of `entries` that the side's own code decides."""
    for e in entries:
        tree = trees.get(e.path)
        for h in e.params:
            if h.source == EXPLICIT:
                text, how = follow(h.value, helpers)
                if how:
                    h.value, h.note = text, _join(h.note, f"followed: {how}")
            elif h.source == UNKNOWN and tree is not None:
                m = _ITSELF.search(h.note)
                if m is None:
                    continue
                text = init_call_text(tree, int(m.group(1)), tensor_methods.get(e.framework, frozenset()))
                if text is not None:
                    h.value, h.source = text, EFFECTIVE
                    h.note = f"the model initialises it itself (line {m.group(1)})"


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
