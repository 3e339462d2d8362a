"""Checking: one module in, the findings for every hyperparameter it leaves implicit out.

The module is parsed with the standard library's `ast` (fast, and positions come with it); names are
resolved by `resolver`; each framework call is bound against the table's signature; each parameter left
implicit becomes a finding with its value for the target version and the other framework's value.
Rewriting (libcst) happens only in `fixer`, for the calls that are fixed.
"""

from __future__ import annotations

import ast
import bisect
import functools
import re
import warnings
from dataclasses import dataclass, field

from defaultlint.core import fixer
from defaultlint.core.ftypes import Finding, Fix, Position
from defaultlint.core.resolver import Resolver
from defaultlint.core.table import (
    FRAMEWORK_NAMES, KW_ONLY, POS_ONLY, POS_OR_KW, REQUIRED, VAR_POS, Api, Table, convert,
)
from defaultlint.core.versions import Version, VersionRange, format_version, point

# Files that mention none of these cannot import a framework: nothing to resolve in them.
_FRAMEWORK_WORDS = re.compile(r"\b(?:torch|tensorflow|keras|tf_keras)\b")
_FILE_NOQA = re.compile(r"^#\s*defaultlint:\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?\s*$", re.M)
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.I)
_NEWLINE = re.compile(r"\r\n|\r|\n")

# Calls that take a class without constructing it
_NOT_CONSTRUCTING = frozenset(
    "builtins." + n for n in
    ("isinstance", "issubclass", "type", "super", "getattr", "hasattr", "setattr", "delattr", "id", "print",
     "repr", "str", "callable", "vars", "dir", "hash")
) | {"typing.cast", "functools.partial"}
_PARTIAL = "functools.partial"
_TORCH_INIT = "torch.nn.init."


@dataclass
class Rules:
    """What to report: the enabled codes and the framework versions to report values for."""

    enabled: frozenset[str]
    targets: dict[str, VersionRange] = field(default_factory=dict)
    fixable: frozenset[str] | None = None  # None: every code

    def target(self, table: Table, framework: str) -> VersionRange:
        return self.targets.get(framework) or point(table.frameworks.get(framework, (0,)))


class Lines:
    """Offsets of line starts, to turn ast's (line, UTF-8 byte column) into characters and back."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def offset(self, lineno: int, byte_col: int) -> int:
        start = self.starts[lineno - 1]
        end = self.starts[lineno] if lineno < len(self.starts) else len(self.text)
        line = self.text[start:end]
        if line.isascii():
            return start + byte_col
        return start + len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def position(self, offset: int) -> Position:
        row = max(1, bisect.bisect_right(self.starts, offset))
        return Position(row, offset - self.starts[row - 1] + 1)

    def line(self, row: int) -> str:
        start = self.starts[row - 1]
        end = self.starts[row] if row < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")


def parse(text: str, path: str) -> tuple[ast.Module | None, Finding | None]:
    """Parse `text`; on failure, the DL001 finding that says why."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not our business
            return ast.parse(text, filename=path), None
    except SyntaxError as e:
        row, col = e.lineno or 1, e.offset or 1
        msg = f"SyntaxError: {e.msg}"
    except (ValueError, TypeError) as e:  # e.g. source code string cannot contain null bytes
        row, col, msg = 1, 1, f"could not parse: {e}"
    except (RecursionError, MemoryError):
        row, col, msg = 1, 1, "could not parse: the file is nested too deeply for the parser"
    lines = Lines(text)
    row = max(1, min(row, len(lines.starts)))
    start = lines.starts[row - 1]
    col = max(1, min(col, len(lines.line(row)) + 1))
    pos = Position(row, col)
    return None, Finding("DL001", msg, path, start + col - 1, start + col - 1, pos, pos)


@dataclass
class Call:
    """A framework call (or functools.partial of one) bound to its API's signature."""

    api: Api
    node: ast.Call
    provided: set[str]
    explicit: dict[str, ast.expr]  # parameter -> the argument expression given for it
    open_params: bool  # *args/**kwargs may supply parameters we cannot see
    partial: bool = False  # functools.partial(api, ...): the later call may still pass arguments
    other_overload: bool = False  # more positional arguments than the signature takes: a form the table lacks


def bind(api: Api, node: ast.Call, partial: bool) -> Call:
    args = node.args[1:] if partial else node.args
    positional = [p for p in api.params if p.kind in (POS_ONLY, POS_OR_KW)]
    provided: set[str] = set()
    explicit: dict[str, ast.expr] = {}
    star = False
    for i, a in enumerate(args):
        if isinstance(a, ast.Starred):
            star = True
            break
        if i < len(positional):
            provided.add(positional[i].name)
            explicit[positional[i].name] = a
    if star:
        provided.update(p.name for p in positional)
    double_star = False
    for k in node.keywords:
        if k.arg is None:
            double_star = True
        else:
            provided.add(k.arg)
            explicit[k.arg] = k.value
    if double_star:
        provided.update(p.name for p in api.params if p.kind in (POS_OR_KW, KW_ONLY))
    other_overload = not star and len(args) > len(positional) and not any(p.kind == VAR_POS for p in api.params)
    return Call(api, node, provided, explicit, star or double_star, partial, other_overload)


class Checker:
    def __init__(self, table: Table, rules: Rules):
        self.table = table
        self.rules = rules

    # -- entry point --------------------------------------------------------------------------------
    def check(self, text: str, path: str) -> list[Finding]:
        file_noqa = _FILE_NOQA.search(text) if "defaultlint:" in text else None
        if file_noqa and not file_noqa.group("codes"):
            return []
        tree, error = parse(text, path)
        if error is not None:
            return [error] if "DL001" in self.rules.enabled else []
        if not _FRAMEWORK_WORDS.search(text):
            return []
        findings = self.check_tree(tree, text, path)
        return self.suppress(findings, text, file_noqa.group("codes") if file_noqa else None)

    def check_tree(self, tree: ast.Module, text: str, path: str) -> list[Finding]:
        table = self.table
        resolver = Resolver(tree, table.canonical, lambda q: table.lookup(q) is not None)
        lines = Lines(text)
        calls = list(self.framework_calls(resolver))
        torch_init_used = any(c.api.name.startswith(_TORCH_INIT) for c in calls) or self._mentions_init(resolver)
        findings: list[Finding] = []
        for call in calls:
            findings.extend(self.call_findings(call, lines, path, torch_init_used))
        if "DL901" in self.rules.enabled:
            findings.extend(self.reference_findings(resolver, lines, path))
        findings.sort(key=lambda f: (f.start, f.code))
        return findings

    def framework_calls(self, resolver: Resolver):
        table = self.table
        for node, scope in resolver.calls:
            q = resolver.qualname(node.func, scope)
            if q is None:
                continue
            partial = False
            if q == _PARTIAL:
                if not node.args or isinstance(node.args[0], ast.Starred):
                    continue
                q = resolver.qualname(node.args[0], scope)
                if q is None:
                    continue
                partial = True
            api = table.lookup(q)
            if api is not None:
                yield bind(api, node, partial)

    @staticmethod
    def _mentions_init(resolver: Resolver) -> bool:
        """True when the module calls any torch.nn.init function (weights are then set explicitly)."""
        for node, scope in resolver.calls:
            q = resolver.qualname(node.func, scope)
            if q and q.startswith(_TORCH_INIT):
                return True
        return False

    # -- one call -----------------------------------------------------------------------------------
    def call_findings(self, call: Call, lines: Lines, path: str, torch_init_used: bool) -> list[Finding]:
        api, table, enabled = call.api, self.table, self.rules.enabled
        rng = self.rules.target(table, api.framework)
        version = _version_in(rng, api.verified_version)
        node = call.node
        start = lines.offset(node.lineno, node.col_offset)
        end = lines.offset(node.end_lineno or node.lineno, node.end_col_offset or node.col_offset)
        out: list[Finding] = []
        if call.other_overload:
            return out  # e.g. torch.std(x, 0, False): the legacy overload, whose parameters the row does not list
        for p in api.params:
            if p.name in call.provided or not table.is_hyper(api, p):
                continue
            if any(x in call.provided for x in api.fact(p.name).excludes):
                continue  # set through another spelling (torch.std(x, unbiased=False) sets the correction)
            variants = api.values_in(p.name, rng)
            code = "DL902" if variants else table.code_for(api, p.name)
            if code not in enabled:
                continue
            value = api.default_at(p.name, version)
            if value is None or value == REQUIRED:
                continue
            when = _holds(api.fact(p.name).resolves_when, api, call)
            if when is False and not variants:
                value = p.default  # the sentinel is what holds for this call (e.g. align_corners with mode='nearest')
            message, fix = self._describe(api, p.name, value, version, variants, rng, keyword=p.kind != POS_ONLY,
                                          when=when)
            if call.partial and p.kind == POS_OR_KW and fix.applicability == "safe":
                fix = Fix("unsafe", f"Write `{p.name}={value}` explicitly (unsafe: the functools.partial may "
                                    f"later be called with `{p.name}` as a positional argument)")
            out.append(self._finding(code, message, path, start, end, lines, api, [(p.name, value)], fix, node))
        if not call.open_params:
            for imp in api.implicit:
                if api.framework == "torch" and torch_init_used and imp.name.endswith("_init"):
                    continue  # the module initialises weights itself
                code = table.code_for(api, imp.name)
                if code not in enabled:
                    continue
                message = f"{api.name}: {_what(imp.name)} is implicit ({imp.value} in {_fw(api, version)})"
                message += self._counterpart(api, imp.name) + "."
                explicit = (imp.explicit or "").replace("{obj}", "layer")
                fix = Fix("display-only", f"No argument expresses this default; write it out as: {explicit}"
                          if explicit else "No argument expresses this default.")
                out.append(self._finding(code, message, path, start, end, lines, api, [], fix, node))
        return out

    def _describe(self, api: Api, name: str, value: str, version: Version, variants, rng: VersionRange,
                  keyword: bool, when: bool | None = True) -> tuple[str, Fix]:
        fact = api.fact(name)
        sig_default = api.param(name).default  # type: ignore[union-attr]
        if variants:
            spread = ", ".join(f"{v} ({span})" for v, span in variants)
            fw = FRAMEWORK_NAMES.get(api.framework, api.framework)
            message = (f"{api.name}: `{name}` is implicit and its default changes within the targeted "
                       f"{fw} {rng}: {spread}")
            reason = f"the default differs across the targeted {fw} releases ({spread})"
            applicability = "unsafe"
        elif fact.resolves and sig_default != fact.resolves and when is None:
            message = (f"{api.name}: `{name}` is implicit ({sig_default}; it becomes {fact.resolves} at run time "
                       f"only when {fact.resolves_when}, {_fw(api, version)})")
            message += self._counterpart(api, name) + "."
            return message, Fix("display-only", f"Which value holds depends on whether {fact.resolves_when}, "
                                                f"which this call does not fix: no argument is written.")
        elif fact.resolves and sig_default != fact.resolves and when:
            message = (f"{api.name}: `{name}` is implicit ({sig_default} → {fact.resolves} at run time from "
                       f"{fact.resolved_by or 'the framework'}, {_fw(api, version)})")
            reason = f"the default {sig_default} is resolved at run time by {fact.resolved_by or 'the framework'}"
            applicability = "unsafe"
        else:
            message = f"{api.name}: `{name}` is implicit ({value} in {_fw(api, version)})"
            reason = ""
            applicability = "safe"
        message += self._counterpart(api, name) + "."
        if not keyword:
            return message, Fix("display-only", f"`{name}` is positional-only; pass {value} positionally.")
        if not _is_literal(value):
            return message, Fix("display-only", f"The default {value} is not a literal; no argument is written.")
        title = f"Write `{name}={value}` explicitly" + (f" (unsafe: {reason})" if reason else "")
        return message, Fix(applicability, title)

    def _counterpart(self, api: Api, name: str) -> str:
        """The other framework's value (converted where conventions differ) and the row's note, if any."""
        text = ""
        cp = self.table.counterpart_value(api, name)
        if cp is not None:
            other, oname, ovalue = cp
            fw = FRAMEWORK_NAMES.get(other.framework, other.framework)
            if any(i.name == oname for i in other.implicit):
                text = f"; {fw} {other.short_name}: {_what(oname)} {ovalue}"
            else:
                text = f"; {fw} {other.short_name} uses {oname}={ovalue}"
            converted = convert(api, name, ovalue)
            if converted is not None:
                text += f" (≙ {name}={converted} in this convention)"
        note = api.fact(name).note or next((i.note for i in api.implicit if i.name == name), None)
        if note:
            text += f". {note.rstrip('.')}"
        return text

    def _finding(self, code, message, path, start, end, lines: Lines, api: Api, params, fix: Fix, node) -> Finding:
        f = Finding(code, message, path, start, end, lines.position(start), lines.position(end), api.name,
                    list(params), fix)
        if fix.applicability != "display-only" and params and self._is_fixable(code):
            fix.edits = fixer.lazy_edits(lines.text, start, end, params)
        elif fix.applicability != "display-only":
            fix.applicability = "display-only"
        return f

    def _is_fixable(self, code: str) -> bool:
        return self.rules.fixable is None or code in self.rules.fixable

    # -- classes passed as values -------------------------------------------------------------------
    def reference_findings(self, resolver: Resolver, lines: Lines, path: str) -> list[Finding]:
        out: list[Finding] = []
        table = self.table
        for expr, scope, call in resolver.refs:
            if call is not None:
                if call.args and call.args[0] is expr:
                    callee = resolver.qualname(call.func, scope)
                    if callee == _PARTIAL:
                        continue
                else:
                    callee = resolver.qualname(call.func, scope)
                if callee in _NOT_CONSTRUCTING:
                    continue
            q = resolver.qualname(expr, scope)
            if q is None:
                continue
            api = table.lookup(q)
            if api is None or api.kind != "class":
                continue
            rng = self.rules.target(table, api.framework)
            version = _version_in(rng, api.verified_version)
            implicit = [(p.name, api.default_at(p.name, version)) for p in api.params if table.is_hyper(api, p)]
            implicit = [(n, v) for n, v in implicit if v is not None and v != REQUIRED]
            if not implicit and not api.implicit:
                continue
            start = lines.offset(expr.lineno, expr.col_offset)
            end = lines.offset(expr.end_lineno or expr.lineno, expr.end_col_offset or expr.col_offset)
            shown = ", ".join(f"{n}={v}" for n, v in implicit)
            extra = ", ".join(f"{i.name} {i.value}" for i in api.implicit)
            message = (f"{api.name} is passed as a value and constructed later with implicit defaults "
                       f"({_fw(api, version)}): " + "; ".join(x for x in (shown, extra) if x) + ".")
            spelled = lines.text[start:end] or api.name  # not get_source_segment: it splits the file
            keywords = ", ".join(f"{n}={v}" for n, v in implicit)
            fix = Fix("display-only", f"Pass functools.partial({spelled}, {keywords}) to write them down.")
            f = Finding("DL901", message, path, start, end, lines.position(start), lines.position(end), api.name,
                        implicit, fix)
            out.append(f)
        return out

    # -- suppression --------------------------------------------------------------------------------
    def suppress(self, findings: list[Finding], text: str, file_codes: str | None) -> list[Finding]:
        if not findings:
            return findings
        blocked = set(_codes(file_codes)) if file_codes else set()
        noqa: dict[int, set[str] | None] = {}
        if "noqa" in text or "NOQA" in text:
            lines = Lines(text)
            rows = {f.location.row for f in findings}
            for row in rows:
                m = _NOQA.search(lines.line(row))
                if m:
                    noqa[row] = set(_codes(m.group("codes"))) if m.group("codes") else None
        out = []
        for f in findings:
            if f.code in blocked:
                continue
            if f.location.row in noqa:
                codes = noqa[f.location.row]
                if codes is None or f.code in codes:
                    continue
            out.append(f)
        return out


def _holds(condition: str | None, api: Api, call: Call) -> bool | None:
    """Whether a table condition such as "mode in ('linear', 'bilinear')" holds for this call.

    True when there is no condition; None when it depends on something the call does not spell as a literal.
    """
    if not condition:
        return True
    try:
        tree = ast.parse(condition, mode="eval").body
    except SyntaxError:
        return None
    env: dict[str, object] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Name) or node.id in env:
            continue
        if node.id in call.explicit:
            source: ast.expr | str | None = call.explicit[node.id]
        elif call.partial or call.open_params:
            return None  # the later call (or the unpacked arguments) may pass it
        else:
            p = api.param(node.id)
            source = p.default if p is not None else None
        if source is None:
            return None
        try:
            env[node.id] = ast.literal_eval(source)
        except (ValueError, TypeError, SyntaxError):
            return None
    try:
        return bool(_evaluate(tree, env))
    except (ValueError, TypeError):
        return None


_COMPARE = {ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b, ast.Eq: lambda a, b: a == b,
            ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
            ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b, ast.Is: lambda a, b: a is b,
            ast.IsNot: lambda a, b: a is not b}


def _evaluate(node: ast.expr, env: dict[str, object]) -> object:
    """Evaluate the small language of table conditions: names, literals, comparisons, and/or/not."""
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, (ast.Constant, ast.Tuple, ast.List, ast.Set)):
        return ast.literal_eval(node)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _evaluate(node.operand, env)
    if isinstance(node, ast.BoolOp):
        values = (_evaluate(v, env) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, env)
        for op, right_node in zip(node.ops, node.comparators):
            right = _evaluate(right_node, env)
            if type(op) not in _COMPARE or not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    raise ValueError(f"unsupported condition {ast.dump(node)}")


@functools.lru_cache(maxsize=4096)
def _is_literal(value: str) -> bool:
    """True for a value the fixer can write as source that means the same anywhere (repr of a literal)."""
    try:
        ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _codes(text: str | None) -> list[str]:
    return re.findall(r"[A-Z]+[0-9]+", text or "")


def _version_in(rng: VersionRange, verified: Version) -> Version:
    """The release whose values are reported: the verified one when the range holds it, else the newest in range."""
    if rng.contains(verified) or rng.high is None:
        return verified
    if rng.high <= verified:
        return (*rng.high[:-1], rng.high[-1] - 1, 999) if rng.high[-1] > 0 else (rng.high[0] - 1, 999)
    return verified


def _fw(api: Api, version: Version) -> str:
    return f"{FRAMEWORK_NAMES.get(api.framework, api.framework)} {format_version(version)}"


def _what(name: str) -> str:
    return {"weight_init": "weight initialisation", "bias_init": "bias initialisation",
            "recurrent_init": "recurrent initialisation"}.get(name, f"`{name}`")
