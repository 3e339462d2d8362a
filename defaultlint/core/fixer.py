"""Fixing: write implicit defaults as explicit keyword arguments, touching nothing but the call.

libcst parses only the text of the call being fixed, so comments, quotes, trailing commas and the
call's layout are kept exactly: a one-line call stays one line; a call written one argument per line
gets one new argument per line at the same indent. The result is expressed as one text edit per call.
"""

from __future__ import annotations

import ast
import functools
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable



class _Libcst:
    """libcst, imported on first use: its import is most of the start-up time, and runs served from the
    cache or without fixable findings never need it."""

    def __getattr__(self, name: str):
        import libcst

        globals()["cst"] = libcst
        return getattr(libcst, name)


cst = _Libcst()

from defaultlint.core.ftypes import Applicability, Edit, Finding
from defaultlint.core.text import parses

_cache: dict[tuple[str, str, tuple], Edit | None] = {}


def lazy_edits(text: str, start: int, end: int, params: list[tuple[str, str]]) -> tuple[list[Edit], str | None]:
    """call_edit, remembered by the call's own text: the checker asks once per finding, often for the same
    call, and an editor asks again after every keystroke, when most calls have only moved.

    Returns the edits and, when computing them failed (a bug in the fixer, not a call that cannot take the
    arguments), why: the finding then carries it, and the command line counts and shows it."""
    segment = text[start:end]
    key = (segment, _newline(text), tuple(params))
    if key not in _cache:
        if len(_cache) > 4096:
            _cache.clear()
        try:
            _cache[key] = call_edit(segment, 0, len(segment), params, _newline(text))
        except Exception as e:  # recorded on the finding (Fix.error) and reported, not swallowed
            return [], failure(e)
    edit = _cache[key]
    return ([] if edit is None else [Edit(edit.start + start, edit.end + start, edit.content)]), None


def failure(error: BaseException) -> str:
    """A fixer failure as one line for people: the exception and where it was raised."""
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


@functools.lru_cache(maxsize=1024)
def _parse_call(segment: str) -> tuple[cst.BaseExpression, cst.Call, bool] | None:
    """(expression, the call in it, whether it had to be wrapped in parentheses), or None."""
    try:
        node = cst.parse_expression(segment)
        wrapped = False
    except (cst.ParserSyntaxError, RecursionError):
        try:
            node = cst.parse_expression(f"({segment})")
            wrapped = True
        except (cst.ParserSyntaxError, RecursionError):
            return None  # libcst cannot read this call (e.g. syntax newer than it knows): no fix, not an error
    call = node
    while isinstance(call, cst.Call) is False and hasattr(call, "expression"):
        call = call.expression  # type: ignore[attr-defined]
    if not isinstance(call, cst.Call):
        return None
    return node, call, wrapped


def call_edit(text: str, start: int, end: int, params: Iterable[tuple[str, str]], nl: str | None = None) -> Edit | None:
    """The edit that appends `name=value` keywords to the call text[start:end], or None if it cannot.
    New lines are written with `nl`, by default the newline style of `text`."""
    segment = text[start:end]
    parsed = _parse_call(segment)
    if parsed is None:
        return None
    node, call, wrapped = parsed
    new_call = add_keywords(call, list(params))
    # libcst keeps each line break that differs from the default it detected (the call's first one) and
    # prints the others, and the new lines, with the module's default: that default must be the call's own,
    # so that no line the edit leaves alone changes its ending
    default = _newline(segment) if ("\n" in segment or "\r" in segment) else (nl or _newline(text))
    printer = cst.Module([], default_newline=default)
    new = printer.code_for_node(node.deep_replace(call, new_call) if call is not node else new_call)
    if wrapped:
        new = new[1:-1]
    if not parses(f"(\n{new}\n)"):
        return None  # this call cannot take the arguments; the other calls of the file are still fixed
    return _diff(start, segment, new)


def _newline(text: str) -> str:
    i = text.find("\n")
    if i > 0 and text[i - 1] == "\r":
        return "\r\n"
    if i == -1 and "\r" in text:
        return "\r"
    return "\n"


def _diff(offset: int, old: str, new: str) -> Edit | None:
    if old == new:
        return None
    p = 0
    limit = min(len(old), len(new))
    while p < limit and old[p] == new[p]:
        p += 1
    s = 0
    while s < limit - p and old[len(old) - 1 - s] == new[len(new) - 1 - s]:
        s += 1
    return Edit(offset + p, offset + len(old) - s, new[p:len(new) - s])


def _value(source: str) -> cst.BaseExpression:
    return cst.parse_expression(source)


def _is_newline_ws(ws) -> bool:
    return isinstance(ws, cst.ParenthesizedWhitespace)


def add_keywords(call: cst.Call, params: list[tuple[str, str]]) -> cst.Call:
    """Return `call` with `name=value` arguments appended in its own layout."""
    new_args = [
        cst.Arg(
            keyword=cst.Name(name),
            value=_value(value),
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
        )
        for name, value in params
    ]
    args = list(call.args)
    if not args:
        for i, a in enumerate(new_args[:-1]):
            new_args[i] = a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return call.with_changes(args=new_args)

    last = args[-1]
    if len(args) == 1 and isinstance(last.value, cst.GeneratorExp) and not last.value.lpar:
        # `f(x for x in y)` may not be followed by another argument unless the generator is parenthesized
        args[0] = last = last.with_changes(value=last.value.with_changes(lpar=[cst.LeftParen()],
                                                                           rpar=[cst.RightParen()]))
    before_last = call.whitespace_before_args if len(args) == 1 else args[-2].comma.whitespace_after  # type: ignore
    per_line = _is_newline_ws(before_last)
    had_comma = isinstance(last.comma, cst.Comma)

    if per_line:
        sep = cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(),
            empty_lines=(),
            indent=before_last.indent,
            last_line=before_last.last_line,
        )
        if had_comma:
            closing = last.comma.whitespace_after  # what stood between the last comma and ')'
            if isinstance(closing, cst.ParenthesizedWhitespace):
                # the old last argument keeps its comment and the comment lines below it; the new
                # arguments follow them, and the closing parenthesis keeps its own indent
                keep = closing.with_changes(indent=sep.indent, last_line=sep.last_line)
                tail = closing.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
            else:
                keep, tail = sep, closing
            args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=keep))
            for i, a in enumerate(new_args):
                ws = tail if i == len(new_args) - 1 else sep
                new_args[i] = a.with_changes(comma=cst.Comma(whitespace_after=ws))
        else:
            closing = last.whitespace_after_arg
            keep, tail = sep, closing
            if isinstance(closing, cst.ParenthesizedWhitespace):
                keep = closing.with_changes(indent=sep.indent, last_line=sep.last_line)
                tail = closing.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=keep),
                                         whitespace_after_arg=cst.SimpleWhitespace(""))
            for i, a in enumerate(new_args[:-1]):
                new_args[i] = a.with_changes(comma=cst.Comma(whitespace_after=sep))
            new_args[-1] = new_args[-1].with_changes(whitespace_after_arg=tail)
        return call.with_changes(args=[*args, *new_args])

    # inline: ", name=value" right after the last argument, whatever followed it stays after the new ones
    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if had_comma:
        old_comma = last.comma
        args[-1] = last.with_changes(comma=space)
        for i, a in enumerate(new_args[:-1]):
            new_args[i] = a.with_changes(comma=space)
        new_args[-1] = new_args[-1].with_changes(comma=old_comma)
    else:
        closing = last.whitespace_after_arg
        args[-1] = last.with_changes(comma=space, whitespace_after_arg=cst.SimpleWhitespace(""))
        for i, a in enumerate(new_args[:-1]):
            new_args[i] = a.with_changes(comma=space)
        new_args[-1] = new_args[-1].with_changes(whitespace_after_arg=closing)
    return call.with_changes(args=[*args, *new_args])


def apply_fixes(text: str, findings: list[Finding], unsafe: bool = False,
                order: Callable[[str | None, str], int] | None = None,
                errors: list[str] | None = None) -> tuple[str, list[Finding]]:
    """Apply every applicable fix of `findings` to `text` in one pass: one combined edit per call.

    `order(api, parameter)` sorts the arguments added to one call (the signature's order when given).
    Returns the new text and the findings whose fixes were applied. Edits that would overlap are left
    for the next pass; a result that does not parse is refused (the text is returned unchanged).
    A call whose edit could not be computed is left as it is and the reason appended to `errors`.
    """
    by_call: dict[tuple[int, int], list[Finding]] = defaultdict(list)
    edits: list[tuple[Edit, list[Finding]]] = []
    replaced: dict[tuple[int, int], list[Finding]] = defaultdict(list)
    inserted: dict[int, list[tuple[str, Finding]]] = defaultdict(list)
    for f in findings:
        if applicable(f, unsafe):
            if f.parameters:
                by_call[(f.start, f.end)].append(f)
            elif all(e.start == e.end for e in f.fix.edits):  # type: ignore[union-attr]
                for e in f.fix.edits:  # type: ignore[union-attr]  # statements (program flags, initialisations)
                    inserted[e.start].append((e.content, f))
            else:  # an expression replaced whole (a string identifier by its constructor)
                replaced[(f.start, f.end)].append(f)
    for group in replaced.values():
        edits.append((group[0].fix.edits[0], group))  # type: ignore[union-attr]
    for at, items in inserted.items():
        contents = [c for c, _ in items]
        group = list({id(f): f for _, f in items}.values())
        if all(c[:1] in ("\n", "\r") for c in contents):  # lines continuing the line they are inserted at
            edits.append((Edit(at, at, "".join(dict.fromkeys(contents))), group))
        else:
            edits.append((insertion_edit(text, at, contents), group))
    for (start, end), group in by_call.items():
        params: list[tuple[str, str]] = []
        for f in group:
            for p in f.parameters:
                if p not in params:
                    params.append(p)
        if order is not None:
            api = group[0].api
            params.sort(key=lambda p: order(api, p[0]))
        try:
            edit = call_edit(text, start, end, params)
        except Exception as e:  # a fixer bug: this call stays unfixed and the failure is reported
            if errors is not None:
                f = group[0]
                errors.append(f"{f.location.row}:{f.location.column}: {f.code}: {failure(e)}")
            continue
        if edit is not None:
            edits.append((edit, group))
    edits.sort(key=lambda e: (e[0].start, e[0].end))
    out: list[str] = []
    applied: list[Finding] = []
    pos = 0
    for edit, group in edits:
        if edit.start < pos:
            continue  # overlaps an earlier edit: the next pass picks it up
        out.append(text[pos:edit.start])
        out.append(edit.content)
        pos = edit.end
        applied.extend(f for f in group if all(f is not a for a in applied))  # a finding may insert at two places
    out.append(text[pos:])
    new = "".join(out)
    if new != text and not keywords_only(text, new, statements=bool(inserted)):
        return text, []
    return new, applied


def insertion_edit(text: str, at: int, contents: list[str]) -> Edit:
    """One edit inserting, at the line start `at`, the lines of `contents` (each once, in order) as a block set
    apart by blank lines from the code around it."""
    nl = _newline(text)
    lines = list(dict.fromkeys(line for c in contents for line in c.splitlines() if line.strip()))
    block = nl.join(lines) + nl
    before, after = text[:at], text[at:]
    if before and not before.endswith(("\n", "\r")):
        block = nl + nl + block  # the file ends without a newline after its last import
    elif before and before.splitlines()[-1].strip():
        block = nl + block
    if after and after.split("\n", 1)[0].strip():
        block += nl
    return Edit(at, at, block)


MAX_FIX_PASSES = 10


def fix_until_stable(text: str, lint: Callable[[str], list[Finding]], unsafe: bool = False,
                     order: Callable[[str | None, str], int] | None = None
                     ) -> tuple[str, list[Finding], list[Finding], list[str]]:
    """The fix loop: apply fixes and check again until nothing is left to apply (at most MAX_FIX_PASSES).

    `lint(text)` checks a text. Returns the new text, the findings whose fixes were applied (as found in
    the text they fixed), the findings left, and the fixes that could not be computed."""
    applied: list[Finding] = []
    errors: list[str] = []
    findings = lint(text)
    for _ in range(MAX_FIX_PASSES):
        new, done = apply_fixes(text, findings, unsafe=unsafe, order=order, errors=errors)
        if not done or new == text:
            break
        applied.extend(done)
        text = new
        findings = lint(text)
    errors.extend(f"{f.location.row}:{f.location.column}: {f.code}: {f.fix.error}"
                  for f in findings if f.fix is not None and f.fix.error)
    return text, applied, findings, list(dict.fromkeys(errors))


def keywords_only(old: str, new: str, statements: bool = False) -> bool:
    """True when `new` parses and its syntax tree is `old`'s with keyword arguments appended to calls and
    nothing else changed: the guard every fixing pass passes before its text is used. With `statements`,
    blocks of setting statements (`a.b = literal`, `a.b(literals or references)`, `import a`) may also be
    inserted into lists of statements."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a, b = ast.parse(old), ast.parse(new)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return _equivalent(a, b, statements)


def _equivalent(old, new, statements: bool) -> bool:
    """`new` is `old` with keyword arguments appended (and, with `statements`, setting statements inserted)."""
    pairs = [(old, new)]
    while pairs:
        a, b = pairs.pop()
        if isinstance(a, ast.Constant) and isinstance(a.value, str) and _is_constructor(b):
            continue  # a string identifier written out as its object's constructor with literal arguments
        if type(a) is not type(b):
            return False
        if isinstance(a, list):
            if len(a) != len(b):
                if not (statements and len(b) > len(a) and all(isinstance(x, ast.stmt) for x in b)):
                    return False
                b = _without_inserted(a, b)
                if b is None:
                    return False
            pairs.extend(zip(a, b))
        elif isinstance(a, ast.AST):
            for name, value in ast.iter_fields(a):
                other = getattr(b, name, None)
                if isinstance(a, ast.Call) and name == "keywords":
                    if len(other) < len(value):
                        return False
                    other, added = other[:len(value)], other[len(value):]
                    if any(k.arg is None for k in added):
                        return False  # only name=value arguments are ever added
                pairs.append((value, other))
        elif a != b:
            return False
    return True


def _without_inserted(old: list, new: list) -> list | None:
    """`new` without the blocks of setting statements inserted into `old` (after the imports, after a layer's
    assignment), or None when it is not that. Each statement of `old` is matched, in order, by the next
    statement of `new` that is not an inserted setting, or that is the same statement."""
    out: list = []
    j = 0
    for st in old:
        while j < len(new) and not _equivalent(st, new[j], True):
            if not _is_setting(new[j]):
                return None
            j += 1
        if j == len(new):
            return None
        out.append(new[j])
        j += 1
    if not all(_is_setting(st) for st in new[j:]):
        return None
    return out


def _dotted(node) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _is_setting(st) -> bool:
    """`a.b = literal`, `a.b(literal, ...)` or `import a`: what a program flag's fix inserts."""
    try:
        if isinstance(st, ast.Import):
            return all(a.asname is None for a in st.names)
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Attribute):
            ast.literal_eval(st.value)
            return _dotted(st.targets[0])
        if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and _dotted(st.value.func):
            return _is_reference_call(st.value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return False


def _is_reference_call(node) -> bool:
    """`a.b(x, ...)` whose arguments are literals, dotted names, constant subscripts, arithmetic of them and
    calls of dotted functions on them (`nn.init.uniform_(self.fc.bias, -1 / math.sqrt(self.fc.weight[0].numel()))`):
    no assignment, lambda, comprehension or unpacking."""
    if not isinstance(node, ast.Call) or not _dotted(node.func) or any(k.arg is None for k in node.keywords):
        return False
    return all(_is_reference(a) for a in [*node.args, *(k.value for k in node.keywords)])


def _is_reference(node) -> bool:
    if isinstance(node, ast.Constant) or (isinstance(node, (ast.Name, ast.Attribute)) and _dotted(node)):
        return True
    if isinstance(node, ast.Subscript):
        return _is_reference(node.value) and isinstance(node.slice, ast.Constant)
    if isinstance(node, ast.UnaryOp):
        return _is_reference(node.operand)
    if isinstance(node, ast.BinOp):
        return _is_reference(node.left) and _is_reference(node.right)
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Attribute) and _is_reference(node.func.value) and \
            not node.keywords and all(_is_reference(a) for a in node.args)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_is_reference(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_reference(k) for k in node.keys) and all(map(_is_reference, node.values))
    return False


def _is_constructor(node) -> bool:
    """`a.b.C(k=literal, ...)`: a dotted callee, keyword arguments only, each a literal."""
    if not isinstance(node, ast.Call) or node.args:
        return False
    f = node.func
    while isinstance(f, ast.Attribute):
        f = f.value
    if not isinstance(f, ast.Name):
        return False
    for k in node.keywords:
        if k.arg is None:
            return False
        try:
            ast.literal_eval(k.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return False
    return True


def applicable(f: Finding, unsafe: bool) -> bool:
    """True when `f` carries an edit that a run with (or without) --unsafe-fixes applies."""
    if f.fix is None or not f.fix.edits:
        return False
    return f.fix.applicability is Applicability.SAFE or (unsafe and f.fix.applicability is Applicability.UNSAFE)
