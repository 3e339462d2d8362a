"""The small language of table conditions (`mode in ('linear', 'bilinear')`, `bias`, `not given('x')`).

A condition is Python expression syntax over a call's parameters: names, literals, comparisons, `and`,
`or`, `not`, and two predicates: `given('p')` (the call passes `p`) and `instance_of(p, 'a.B', ...)` (the
argument for `p` is an instance of one of the classes). Evaluation is three-valued: True, False, or None
when it depends on something the call does not spell as a literal. Conditions are data, never executed.
"""

from __future__ import annotations

import ast
import functools
import operator
from typing import Callable

Unknown = None


class ConditionError(ValueError):
    pass


_COMPARE: dict[type, Callable[[object, object], bool]] = {
    ast.In: lambda a, b: a in b,  # type: ignore[operator]
    ast.NotIn: lambda a, b: a not in b,  # type: ignore[operator]
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
_PREDICATES = ("given", "instance_of")


@functools.lru_cache(maxsize=512)
def compile_condition(text: str) -> ast.expr:
    """The condition's syntax tree, checked to use only the language above."""
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as e:
        raise ConditionError(f"condition {text!r} does not parse: {e.msg}") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in _PREDICATES) or node.keywords:
                raise ConditionError(f"condition {text!r}: only given(...) and instance_of(...) may be called")
            if node.func.id == "given" and not (len(node.args) == 1 and _is_str(node.args[0])):
                raise ConditionError(f"condition {text!r}: given() takes one parameter name as a string")
            if node.func.id == "instance_of" and not (len(node.args) >= 2 and isinstance(node.args[0], ast.Name)
                                                      and all(_is_str(a) for a in node.args[1:])):
                raise ConditionError(f"condition {text!r}: instance_of(param, 'qualified.Class', ...)")
        elif not isinstance(node, (ast.Name, ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Compare, ast.BoolOp,
                                   ast.UnaryOp, ast.Load, ast.And, ast.Or, ast.Not, ast.USub, ast.cmpop)):
            raise ConditionError(f"condition {text!r}: {type(node).__name__} is not allowed")
        if isinstance(node, ast.UnaryOp) and not isinstance(node.op, (ast.Not, ast.USub)):
            raise ConditionError(f"condition {text!r}: only `not` and unary minus are allowed")
    return tree


def names(text: str) -> set[str]:
    """The parameter names a condition reads."""
    tree = compile_condition(text)
    out = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in _PREDICATES}
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "given":
            out.add(n.args[0].value)  # type: ignore[attr-defined]
    return out


def given_only(text: str) -> set[str]:
    """The parameter names a condition reads only through `given('p')`, never as a value."""
    tree = compile_condition(text)
    values = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in _PREDICATES}
    return names(text) - values


def _is_str(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


class _Object:
    """An argument known to be some object other than None (a class instance, a function, a display) whose
    value is not a literal: `p is None` and `p is not None` are decided, every other question is unknown."""

    def _unknown(self, *_):
        raise _Unknown

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __bool__ = __hash__ = __len__ = __contains__ = _unknown

    def __repr__(self) -> str:
        return "<an object, not None>"


NOT_NONE: object = _Object()


class Env:
    """What a condition can ask about a call: a parameter's literal value, whether it is given, its type."""

    def value(self, name: str) -> tuple[bool, object]:
        """(known, value) of parameter `name` in force for the call; the value NOT_NONE when the argument is
        an object that cannot be None but has no literal value."""
        return False, None

    def given(self, name: str) -> bool | None:
        return None

    def instance_of(self, name: str, classes: tuple[str, ...]) -> bool | None:
        return None


def evaluate(text: str, env: Env) -> bool | None:
    """True / False, or None when the call does not decide it."""
    tree = compile_condition(text)
    try:
        return bool(_eval(tree, env))
    except _Unknown:
        return None
    except (TypeError, ValueError):
        return None


class _Unknown(Exception):
    pass


def _eval(node: ast.expr, env: Env) -> object:
    if isinstance(node, ast.Name):
        known, value = env.value(node.id)
        if not known:
            raise _Unknown
        return value
    if isinstance(node, (ast.Constant, ast.Tuple, ast.List, ast.Set)) or (
            isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)):
        return ast.literal_eval(node)
    if isinstance(node, ast.Call):
        fn = node.func.id  # type: ignore[attr-defined]
        if fn == "given":
            answer = env.given(node.args[0].value)  # type: ignore[attr-defined]
        else:
            classes = tuple(a.value for a in node.args[1:])  # type: ignore[attr-defined]
            answer = env.instance_of(node.args[0].id, classes)  # type: ignore[attr-defined]
        if answer is None:
            raise _Unknown
        return answer
    if isinstance(node, ast.UnaryOp):
        return not _eval(node.operand, env)
    if isinstance(node, ast.BoolOp):
        unknown = False
        for v in node.values:
            try:
                x = bool(_eval(v, env))
            except _Unknown:
                unknown = True
                continue
            if isinstance(node.op, ast.And) and not x:
                return False
            if isinstance(node.op, ast.Or) and x:
                return True
        if unknown:
            raise _Unknown
        return isinstance(node.op, ast.And)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, env)
        for op, right_node in zip(node.ops, node.comparators):
            right = _eval(right_node, env)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    raise ConditionError(f"unsupported condition node {type(node).__name__}")


@functools.lru_cache(maxsize=512)
def describe(text: str) -> str:
    """The condition for people: `x` is (not) a tensorflow.data.Dataset or ..., `p` is passed; other
    conditions stay in their own syntax, parameters quoted."""
    return _describe(compile_condition(text))


def _describe(node: ast.expr) -> str:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = node.operand
        if isinstance(inner, ast.Call) and inner.func.id == "instance_of":  # type: ignore[union-attr]
            return _instance(inner, negated=True)
        if isinstance(inner, ast.Call) and inner.func.id == "given":  # type: ignore[union-attr]
            return f"`{inner.args[0].value}` is not passed"  # type: ignore[attr-defined]
        if isinstance(inner, ast.Name):
            return f"`{inner.id}` is false"
        return f"not ({_describe(inner)})"
    if isinstance(node, ast.Call):
        if node.func.id == "instance_of":  # type: ignore[union-attr]
            return _instance(node, negated=False)
        return f"`{node.args[0].value}` is passed"  # type: ignore[attr-defined]
    if isinstance(node, ast.BoolOp):
        word = " and " if isinstance(node.op, ast.And) else " or "
        return word.join(f"({_describe(v)})" if isinstance(v, ast.BoolOp) else _describe(v) for v in node.values)
    if isinstance(node, ast.Name):
        return f"`{node.id}` is true"
    return f"`{ast.unparse(node)}`"


def _instance(node: ast.Call, negated: bool) -> str:
    param = node.args[0].id  # type: ignore[attr-defined]
    classes = " or ".join(a.value for a in node.args[1:])  # type: ignore[attr-defined]
    return f"`{param}` is {'not ' if negated else ''}a {classes}"
