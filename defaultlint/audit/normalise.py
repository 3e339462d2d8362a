"""Input normalisation of a port (rules/ports.toml `[normalisation]`): what each side's preprocessing calls do
to an image, read as out = (x - offset) / scale per channel of 0-255 values (channels reversed first for
`bgr`), so that a Keras `preprocess_input` mode and a torchvision `Normalize(mean, std)` compare.

The engine knows the arithmetic (element-wise over channels) and how a call's arguments are read; which calls
normalise, their modes and how each framework writes a normalisation are data.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass, field

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.Pow: operator.pow}


@dataclass(frozen=True)
class Mode:
    name: str
    bgr: bool
    offset: str
    scale: str


@dataclass(frozen=True)
class CallSpec:
    framework: str
    names: tuple[str, ...]
    args: tuple[str, ...] = ()
    defaults: dict = field(default_factory=dict)
    mode: str | None = None
    mode_param: str | None = None
    offset: str | None = None
    scale: str | None = None
    unit: float = 1.0


@dataclass(frozen=True)
class Writer:
    framework: str
    write: str
    unit: float = 1.0
    mode: str | None = None
    bgr: str = ""


@dataclass(frozen=True)
class Knowledge:
    name: str
    message: str
    grade: str
    modes: tuple[Mode, ...]
    calls: tuple[CallSpec, ...]
    writers: tuple[Writer, ...]

    def spec(self, qualname: str) -> CallSpec | None:
        return next((c for c in self.calls if qualname in c.names), None)

    def mode(self, name: str) -> Mode | None:
        return next((m for m in self.modes if m.name == name), None)


EMPTY = Knowledge("", "", "exact", (), (), ())


def load(data: dict | None) -> Knowledge:
    if not data:
        return EMPTY
    return Knowledge(
        data["name"], data["message"], data["grade"],
        tuple(Mode(m["name"], m.get("bgr", False), m["offset"], m["scale"]) for m in data.get("mode", ())),
        tuple(CallSpec(c["framework"], tuple(c["names"]), tuple(c.get("args", ())), dict(c.get("defaults", {})),
                       c.get("mode"), c.get("mode_param"), c.get("offset"), c.get("scale"), float(c.get("unit", 1.0)))
              for c in data.get("call", ())),
        tuple(Writer(w["framework"], w["write"], float(w.get("unit", 1.0)), w.get("mode"), w.get("bgr", ""))
              for w in data.get("write", ())),
    )


@dataclass
class Effect:
    """out = (x - offset) / scale per channel of 0-255 values; None values: not readable statically."""

    bgr: bool | None
    offset: tuple[float, ...] | None
    scale: tuple[float, ...] | None
    mode: str | None = None  # the mode it was given by, if any
    unread: str = ""  # the argument that could not be read

    def known(self) -> bool:
        return self.bgr is not None and self.offset is not None and self.scale is not None

    def same(self, other: "Effect") -> bool:
        return (self.bgr == other.bgr and _close(self.offset, other.offset) and _close(self.scale, other.scale))

    def shown(self) -> str:
        if not self.known():
            return f"not readable ({self.unread})"
        name = f"mode {self.mode!r}: " if self.mode else ""
        order = "BGR" if self.bgr else "RGB"
        return f"{name}{order}, offset {_fmt(self.offset)}, scale {_fmt(self.scale)}"


@dataclass
class Found:
    """A normalising call of one side."""

    path: str
    line: int
    column: int
    framework: str
    api: str
    callee: str
    effect: Effect


def _fmt(xs) -> str:
    return "[" + ", ".join(_num(x) for x in xs) + "]"


def _num(x: float) -> str:
    return repr(float(f"{x:.10g}"))


def _close(a, b) -> bool:
    if a is None or b is None:
        return False
    if len(a) == 1:
        a = a * len(b)
    if len(b) == 1:
        b = b * len(a)
    return len(a) == len(b) and all(math.isclose(x, y, rel_tol=1e-3, abs_tol=1e-6) for x, y in zip(a, b))


def evaluate(expr: str, names: dict[str, object]):
    """An arithmetic expression of numbers, lists and names, element-wise over lists; None when it is anything
    else (nothing is executed)."""
    try:
        tree = ast.parse(expr, mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return _ev(tree, names)


def _ev(n: ast.expr, names: dict):
    if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool):
        return float(n.value)
    if isinstance(n, (ast.List, ast.Tuple)):
        items = [_ev(e, names) for e in n.elts]
        return tuple(items) if items and all(isinstance(x, float) for x in items) else None
    if isinstance(n, ast.Name):
        v = names.get(n.id)
        if isinstance(v, ast.expr):
            return _ev(v, {})
        return v
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)):
        v = _ev(n.operand, names)
        return _map(lambda x: -x if isinstance(n.op, ast.USub) else x, v)
    if isinstance(n, ast.BinOp) and type(n.op) in _OPS:
        if isinstance(n.op, ast.Mult) and isinstance(n.left, (ast.List, ast.Tuple)) and \
                isinstance(n.right, ast.Constant) and isinstance(n.right.value, int) and 0 < n.right.value <= 16:
            v = _ev(n.left, names)  # [0.5] * 3: a repeated list
            return v * n.right.value if isinstance(v, tuple) else None
        a, b = _ev(n.left, names), _ev(n.right, names)
        if a is None or b is None:
            return None
        op = _OPS[type(n.op)]
        try:
            if isinstance(a, tuple) and isinstance(b, tuple):
                return tuple(op(x, y) for x, y in zip(a, b)) if len(a) == len(b) else None
            if isinstance(a, tuple):
                return tuple(op(x, b) for x in a)
            if isinstance(b, tuple):
                return tuple(op(a, y) for y in b)
            return float(op(a, b))
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            return None
    return None


def _map(f, v):
    if v is None:
        return None
    return tuple(f(x) for x in v) if isinstance(v, tuple) else f(v)


def _vector(v) -> tuple[float, ...] | None:
    if isinstance(v, float):
        return (v,)
    return v if isinstance(v, tuple) and all(isinstance(x, float) for x in v) else None


def effect(k: Knowledge, spec: CallSpec, node: ast.Call, constants: dict[str, ast.expr]) -> Effect:
    """The effect of one call (a call of a normalising function, or the function passed as a value)."""
    bound: dict[str, ast.expr] = {}
    if isinstance(node, ast.Call):
        for name, a in zip(spec.args, node.args):
            if isinstance(a, ast.Starred):
                break
            bound[name] = a
        for kw in node.keywords:
            if kw.arg is not None:
                bound[kw.arg] = kw.value
    values: dict[str, object] = {}
    for name, text in spec.defaults.items():
        values[name] = _literal(text) if spec.mode_param == name else evaluate(text, {})
    unread = ""
    for name, e in bound.items():
        e = constants.get(e.id, e) if isinstance(e, ast.Name) else e
        if name == spec.mode_param:
            values[name] = _literal(e)
            unread = unread or ("" if values[name] is not None else name)
        else:
            v = _ev(e, {})
            values[name] = v
            if v is None and not unread and name in _names(spec.offset) | _names(spec.scale):
                unread = name
    mode_name = spec.mode or (values.get(spec.mode_param) if spec.mode_param else None)
    if spec.mode_param or spec.mode:
        mode = k.mode(mode_name) if isinstance(mode_name, str) else None
        if mode is None:
            return Effect(None, None, None, unread=unread or f"mode {mode_name!r}")
        return _mode_effect(mode)
    offset = _vector(evaluate(spec.offset or "", values))
    scale = _vector(evaluate(spec.scale or "", values))
    if offset is None or scale is None:
        return Effect(None, None, None, unread=unread or "its arguments")
    return Effect(False, tuple(x * spec.unit for x in offset), tuple(x * spec.unit for x in scale))


def _mode_effect(mode: Mode) -> Effect:
    return Effect(mode.bgr, _vector(evaluate(mode.offset, {})), _vector(evaluate(mode.scale, {})), mode.name)


def _literal(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _names(expr: str | None) -> set[str]:
    if not expr:
        return set()
    return {n.id for n in ast.walk(ast.parse(expr, mode="eval")) if isinstance(n, ast.Name)}


def constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level names assigned once (MEAN = [0.485, 0.456, 0.406])."""
    seen: dict[str, list[ast.expr]] = {}
    for st in tree.body:
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
            seen.setdefault(st.targets[0].id, []).append(st.value)
        elif isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name) and st.value is not None:
            seen.setdefault(st.target.id, []).append(st.value)
    return {k: v[0] for k, v in seen.items() if len(v) == 1}


def find(k: Knowledge, module, path: str, canonical=None) -> list[Found]:
    """The normalising calls of a resolved module: calls of a listed function, and listed functions passed as
    values to a call (`ds.map(preprocess_input)`, `preprocessing_function=preprocess_input`)."""
    if not k.calls:
        return []
    from defaultlint.core.refs import Path

    consts = constants(module.tree)
    out: list[Found] = []
    seen: set[int] = set()
    lines = module.lines
    for node, scope in module.resolver.calls:
        candidates: list[tuple[ast.expr, ast.Call | None]] = [(node.func, node)]
        candidates += [(a, None) for a in node.args] + [(kw.value, None) for kw in node.keywords]
        for target, call in candidates:
            if not isinstance(target, (ast.Name, ast.Attribute)) or id(target) in seen:
                continue
            ref = module.resolver.ref(target, scope)
            if type(ref) is not Path:
                continue
            spec = k.spec(ref.name)
            if spec is None or (call is None and not spec.mode):
                continue  # a function passed as a value has its effect only when it takes no arguments
            seen.add(id(target))
            at = call if call is not None else target
            out.append(Found(path, at.lineno, at.col_offset + 1, spec.framework, ref.name,
                             lines.source(at) or ref.name, effect(k, spec, call if call is not None else target,
                                                                  consts)))
    out.sort(key=lambda f: (f.line, f.column))
    return out


def write(k: Knowledge, a: Effect, framework: str) -> str | None:
    """How `framework` writes A's normalisation (None when it has no writer)."""
    w = next((x for x in k.writers if x.framework == framework), None)
    if w is None or not a.known():
        return None
    assert a.offset is not None and a.scale is not None
    prefix = w.bgr if a.bgr else ""
    mode = a.mode or next((m.name for m in k.modes if a.same(_mode_effect(m))), None)
    if w.mode and mode:
        return w.mode.format(mode=repr(mode))  # the mode reverses the channels itself
    mean = tuple(x / w.unit for x in a.offset)
    std = tuple(x / w.unit for x in a.scale)
    if a.bgr:  # the values are given per channel after the channels are reversed
        mean, std = mean[::-1], std[::-1]
    return prefix + w.write.format(mean=_fmt(mean), std=_fmt(std), variance=_fmt(tuple(x * x for x in std)))
