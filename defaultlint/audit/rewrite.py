"""B's call rewritten with the values that make it match A: one edit per argument, never overlapping.

An argument B passes by keyword gets its new value; one B passes by position is replaced where it stands
(only the value, so positions never shift); every other wanted argument is appended as a keyword. The
result must parse as one call with no keyword given twice, or there is no rewrite.
"""

from __future__ import annotations

import ast


def keywords_of(fix: str) -> dict[str, str] | None:
    """`momentum=0.01, eps=0.001` -> {'momentum': '0.01', 'eps': '0.001'}; None when it is not keywords."""
    try:
        node = ast.parse(f"f({fix})", mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not isinstance(node, ast.Call) or node.args or any(k.arg is None for k in node.keywords):
        return None
    return {k.arg: ast.unparse(k.value) for k in node.keywords}  # type: ignore[misc]


def rewrite(callee: str, args: list[tuple[str | None, str]], wanted: dict[str, str]) -> str | None:
    """`callee(args)` with `wanted` (parameter -> value source) written in; None when it cannot be done safely."""
    wanted = dict(wanted)
    out: list[str] = []
    unpacked = False
    for name, text in args:
        if name is None and text.startswith("**"):
            unpacked = True
        is_keyword = name is not None and text.split("=", 1)[0].strip() == name and "=" in text
        if name is not None and name in wanted:
            value = wanted.pop(name)
            out.append(f"{name}={value}" if is_keyword else value)
        else:
            out.append(text)
    if unpacked and wanted:
        return None  # the unpacked dict may pass the same keyword: a call that raises
    out += [f"{n}={v}" for n, v in wanted.items()]
    code = f"{callee}({', '.join(out)})"
    try:
        node = ast.parse(code, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not isinstance(node, ast.Call):
        return None
    names = [k.arg for k in node.keywords if k.arg]
    if len(names) != len(set(names)):
        return None
    return code
