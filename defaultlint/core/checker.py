"""Checking: one module in, the findings for every hyperparameter it leaves implicit out.

The module is parsed with the standard library's `ast` (fast, and positions come with it); names are
resolved by `resolver`; each framework call is bound against the table's signature (`binding`) and asked
for its values (`semantics`); each implicit value becomes a finding with its value for the targeted
release and the other framework's value, and a fix graded safe, unsafe or display-only. Rewriting
(libcst) happens only in `fixer`, for the calls that are fixed.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field

from defaultlint.core import fixer, initfix, initialised, noqa, program
from defaultlint.core.initialised import Site
from defaultlint.core.binding import Call, bind
from defaultlint.core.ftypes import Applicability, Edit, Finding, Fix, Position
from defaultlint.core.refs import Instance, Member, Path, Subclass
from defaultlint.core.resolver import BudgetExceeded, Resolver
from defaultlint.core.semantics import CallValues, Context, Source, Value, shown_release, values_of
from defaultlint.core.table import POS_OR_KW, Api, ApiKind, Table, convert
from defaultlint.core.text import Lines, parse
from defaultlint.core.versions import VersionRange, format_version

SAFE, UNSAFE, DISPLAY = Applicability.SAFE, Applicability.UNSAFE, Applicability.DISPLAY_ONLY


@dataclass
class Rules:
    """What to report: the enabled codes and the framework versions to report values for."""

    enabled: frozenset[str]
    targets: dict[str, VersionRange] = field(default_factory=dict)
    fixable: frozenset[str] | None = None  # None: every code
    # codes a comparison preset turned on: reported only where the other framework's value differs
    differences_only: frozenset[str] = frozenset()


@dataclass
class Module:
    """A parsed module with its names resolved: what every consumer of framework calls starts from."""

    table: Table
    text: str
    tree: ast.Module
    resolver: Resolver
    lines: Lines
    calls: list[Call]
    inits: list[Site]  # the layer tensors the module initialises itself (core.initialised)
    scopes: dict[int, object] = field(default_factory=dict)  # id(call node) -> the scope it is in
    implied: dict[str, VersionRange] = field(default_factory=dict)  # releases its imports fix (tf_keras)
    memo: dict = field(default_factory=dict, compare=False, repr=False)  # per-module answers computed once

    def values(self, call: Call, targets: dict[str, VersionRange]) -> CallValues:
        if self.implied:  # the module imports a namespace that fixes a framework's release (tf_keras)
            targets = {**targets, **self.implied}
        return values_of(self.table, call.api, call, targets, self.lines.source, _ModuleContext(self))


class _ModuleContext(Context):
    def __init__(self, module: Module):
        self.module = module

    def instance_of(self, call: Call, param: str, classes: tuple[str, ...]) -> bool | None:
        """Whether the argument for `param` is an instance of one of `classes`: True when its value is made
        by one of them (or a method of one, as dataset chains are), False for a literal or an argument not
        passed, None when the module does not tell."""
        node = call.explicit.get(param)
        if node is None:
            return False if param not in call.provided else None
        if isinstance(node, (ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.DictComp)):
            return False
        scope = self.module.scopes.get(id(call.node))
        if scope is None:
            return None
        try:
            ref = self.module.resolver.ref(node, scope)
        except BudgetExceeded:
            return None
        table = self.module.table
        while type(ref) is Instance:
            inner = ref.of
            kind = table.type_of(inner)
            name = kind or (inner.name if type(inner) is Path else None)
            if name is not None and any(name == c or name.startswith(c + ".") for c in classes):
                return True
            if type(inner) is not Member:
                return None
            ref = inner.base  # a method of an instance of the class gives one (dataset.batch(...).prefetch(...))
        return None

    def never_none(self, call: Call, param: str) -> bool:
        """The argument is a display, a lambda or comprehension, or an object made by calling a class (a
        framework class or a user's subclass of one): never None."""
        node = call.explicit.get(param)
        if node is None:
            return False
        if isinstance(node, (ast.Lambda, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.SetComp,
                             ast.DictComp, ast.GeneratorExp, ast.JoinedStr)):
            return True
        scope = self.module.scopes.get(id(call.node))
        if scope is None or not isinstance(node, ast.Call):
            return False
        if isinstance(node.func, ast.Name) and _module_class(self.module, node.func.id, scope):
            return True
        try:
            callee = self.module.resolver.ref(node.func, scope)
        except BudgetExceeded:
            return False
        if callee is None:
            return False
        return self.module.table.type_of(callee) is not None  # a class, or a function the table says returns one

    def set_elsewhere(self, call: Call, fact: str) -> str | None:
        module = self.module
        if not module.inits:
            return None
        target = module.resolver.stored.get(id(call.node))
        owner = ast.unparse(target) if isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)) else None
        for site in module.inits:
            if site.framework != call.api.framework or fact not in site.facts:
                continue
            if site.reaches(call.api.name, owner):
                return f"the module initialises it itself (line {site.line})"
        return None


def _module_class(module: Module, name: str, scope) -> bool:
    """`name`, seen from `scope`, is a class the module defines once at its top level, undecorated."""
    top = module.resolver.module
    s = scope
    while s is not None and s is not top:
        if name in s.bindings and s.kind != "class":
            return False
        s = s.parent
    if len(top.bindings.get(name, ())) != 1:
        return False
    return any(isinstance(st, ast.ClassDef) and st.name == name and not st.decorator_list for st in module.tree.body)


def module_of(table: Table, text: str, tree: ast.Module) -> Module:
    """Resolve the names of a parsed module and bind its framework calls (in source order)."""
    resolver = Resolver(tree, table.canonical, lambda q: table.by_name(q) is not None, table.star_roots)
    calls: list[Call] = []
    scopes: dict[int, object] = {}
    partials = table.python.get("partial", frozenset())
    for node, scope in resolver.calls:
        ref = resolver.ref(node.func, scope)
        if ref is None:
            continue
        partial = False
        if type(ref) is Path:
            if ref.name in partials:
                if not node.args or isinstance(node.args[0], ast.Starred):
                    continue
                ref = resolver.ref(node.args[0], scope)
                if ref is None:
                    continue
                partial = True
        api = table.lookup(ref)
        if api is not None:
            calls.append(bind(api, node, partial, lambda e, scope=scope: resolver.keywords_of(e, scope)))
            scopes[id(node)] = scope
    calls.sort(key=lambda c: (c.node.lineno, c.node.col_offset))
    inits = initialised.sites(table, tree, resolver, text) if calls else []
    return Module(table, text, tree, resolver, Lines(text), calls, inits, scopes, _implied(table, tree))


def _implied(table: Table, tree: ast.Module) -> dict[str, VersionRange]:
    """The releases the module's own imports fix (`import tf_keras`: Keras 2)."""
    if not table.namespace_targets:
        return {}
    out: dict[str, VersionRange] = {}
    for node in tree.body:
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
        for name in names:
            for ns, targets in table.namespace_targets.items():
                if name == ns or name.startswith(ns + "."):
                    out.update(targets)
    return out


class Checker:
    def __init__(self, table: Table, rules: Rules, project: program.Project | None = None):
        self.table = table
        self.rules = rules
        self.project = project  # finds the project's other modules, whose settings a program may reach

    # -- entry point --------------------------------------------------------------------------------
    def check(self, text: str, path: str) -> list[Finding]:
        skip_file, file_codes = noqa.file_directive(text)
        if skip_file:
            return []
        tree, error = parse(text, path)
        if error is not None:
            return [error] if "DL001" in self.rules.enabled else []
        if not self.mentions_framework(text):
            return []
        try:
            findings = self.check_module(module_of(self.table, text, tree), path)
        except BudgetExceeded as e:
            return [self._budget_finding(text, path, str(e))] if "DL002" in self.rules.enabled else []
        return noqa.suppress(findings, text, file_codes)

    def mentions_framework(self, text: str) -> bool:
        """Files that mention no framework's root or namespace cannot import one: nothing to resolve in them."""
        return _mentions(self.table.words, text)

    def check_module(self, module: Module, path: str) -> list[Finding]:
        findings: list[Finding] = []
        for call in module.calls:
            findings.extend(self.call_findings(module, call, path))
        if "DL901" in self.rules.enabled:
            findings.extend(self.reference_findings(module, path))
        findings.extend(program.findings(module, self.rules.enabled, self.rules.targets, path, self.rules.fixable,
                                         self.project))
        findings.sort(key=lambda f: (f.start, f.code))
        return findings

    @staticmethod
    def _budget_finding(text: str, path: str, why: str) -> Finding:
        pos = Position(1, 1)
        return Finding("DL002", f"The file was not checked: {why}.", path, 0, 0, pos, pos)

    # -- one call -----------------------------------------------------------------------------------
    def call_findings(self, module: Module, call: Call, path: str) -> list[Finding]:
        if call.other_overload:
            return []  # e.g. torch.std(x, 0, False): the legacy overload, whose parameters the row does not list
        cv = module.values(call, self.rules.targets)
        if not cv.exists:
            return []
        api, table, enabled = call.api, self.table, self.rules.enabled
        start, end = module.lines.span(call.node)
        out: list[Finding] = []
        for v in cv.values:
            if not v.hyper or not v.source.implicit:
                continue
            code = "DL902" if v.source is Source.VERSIONED else table.code_for(api, v.name)
            if code not in enabled:
                continue
            if code in self.rules.differences_only and self._no_difference(api, v):
                continue  # a comparison preset's code: the other framework means the same
            message, fix = self.describe(cv, v)
            if v.fact and v.source is Source.DEFAULT and not call.partial and self._is_fixable(code):
                imp = api.implicit_fact(v.name)
                fix = initfix.fix(module, call, imp.explicit if imp else None) or fix  # the statement, inserted
            if call.partial and fix.applicability is SAFE and api.param(v.name) is not None \
                    and api.param(v.name).kind == POS_OR_KW:  # type: ignore[union-attr]
                fix = Fix(UNSAFE, f"Write `{v.name}={v.value}` explicitly (unsafe: the functools.partial may "
                                  f"later be called with `{v.name}` as a positional argument)")
            params = [] if v.fact else [(v.name, v.value or "")]
            out.append(self._finding(code, message, path, start, end, module.lines, api, params, fix))
        out.extend(self.identifier_findings(module, call, path))
        return out

    def identifier_findings(self, module: Module, call: Call, path: str) -> list[Finding]:
        """A string that stands for a framework object (`optimizer="adam"`) hides that object's defaults:
        each is reported at the string, as the object's own call would be."""
        out: list[Finding] = []
        table, enabled = self.table, self.rules.enabled
        for param, node in call.explicit.items():
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            target = table.identifier(call.api.framework, param, node.value, call.api.name)
            if target is None:
                continue
            cv = values_of(table, target, None, self.rules.targets)
            if not cv.exists:
                continue
            start, end = module.lines.span(node)
            implicit = [v for v in cv.values if v.hyper and v.source.implicit]
            spelled = ", ".join(f"{v.name}={v.value}" for v in implicit if not v.fact and v.value is not None)
            grade = table.identifier_replacement(call.api.framework, param, node.value, call.api.name)
            verified_major = (table.frameworks[target.framework].verified[0],)
            if grade == "safe" and any(i.below(verified_major) for i in cv.target.intervals):
                grade = "unsafe"  # an older major release may not take every keyword written
            spelling = self._spelling_in(module, target) if grade else None
            literal = all(_is_literal(v.value) for v in implicit if not v.fact and v.value is not None)
            for v in implicit:
                code = "DL902" if v.source is Source.VERSIONED else table.code_for(target, v.name)
                if code not in enabled:
                    continue
                if code in self.rules.differences_only and self._no_difference(target, v):
                    continue
                message, _ = self.describe(cv, v)
                message = f"{param}={node.value!r} stands for {message}"  # "... stands for keras.optimizers.Adam: ..."
                if target.kind is ApiKind.CLASS and spelling and literal and self._is_fixable(code):
                    replacement = f"{spelling}({spelled})"
                    fix = Fix(SAFE if grade == "safe" else UNSAFE,
                              f"Write {param}={replacement} to make its values explicit"
                              + ("" if grade == "safe" else " (unsafe: the string may give an object of another "
                                                             "type that computes the same, or the targeted releases "
                                                             "may not take every keyword)"),
                              [Edit(start, end, replacement)])
                elif target.kind is ApiKind.CLASS:
                    fix = Fix(DISPLAY, f"Write {param}={target.name}({spelled}) to make its values explicit.")
                else:  # a function is passed, not called: bind its values
                    first = target.params[0].name if target.params else "x"
                    fix = Fix(DISPLAY, f"Write {param}=lambda {first}: {target.name}({first}"
                                       f"{', ' + spelled if spelled else ''}) to make its values explicit.")
                f = Finding(code, message, path, start, end, module.lines.position(start),
                            module.lines.position(end), target.name, [], fix)
                out.append(f)
        return out

    def _spelling_in(self, module: Module, target: Api) -> str | None:
        """How this module can name `target` through a module-level import it already has (`keras.optimizers.Adam`
        after `import keras`, `tf.keras.optimizers.Adam` after `import tensorflow as tf`), or None."""
        resolver, table = module.resolver, self.table
        best = None
        for name, bindings in resolver.module.bindings.items():
            try:
                ref = resolver.ref(ast.Name(id=name, ctx=ast.Load()), resolver.module)
            except BudgetExceeded:
                return None
            if type(ref) is not Path or len(bindings) != 1:
                continue
            for prefix in {ref.name, table.canonical(ref.name)}:
                if target.name == prefix or target.name.startswith(prefix + "."):
                    spelled = name + target.name[len(prefix):]
                    if best is None or len(spelled) < len(best):
                        best = spelled
            for alias, canonical in table.prefixes.items():  # tf (tensorflow) reaches keras as tf.keras
                if alias.startswith(ref.name + ".") and target.name.startswith(canonical + "."):
                    spelled = name + alias[len(ref.name):] + target.name[len(canonical):]
                    if best is None or len(spelled) < len(best):
                        best = spelled
        return best

    def describe(self, cv: CallValues, v: Value) -> tuple[str, Fix]:
        """The message of an implicit value and the fix that writes it."""
        api = cv.api
        fw = f"{self.table.display(api.framework)} {shown_release(cv.release, cv.target)}"
        cp = self.counterpart_text(api, v.name, v.value)
        if v.fact:
            message = f"{api.name}: {fact_label(v.name)} is implicit ({v.value} in {fw}"
            message += f", in some cases); in force only when {v.condition}" if v.source is Source.CONDITIONAL \
                else ")"
            imp = api.implicit_fact(v.name)
            written = (imp.explicit if imp else None) or ""
            explicit = written.replace("{obj}", "layer")
            if written and "{obj}" not in written:  # a keyword the signature collects in **kwargs
                return message + cp + ".", Fix(DISPLAY, f"Write `{explicit}` explicitly (a keyword the "
                                                        f"signature passes on through **kwargs).")
            return message + cp + ".", Fix(DISPLAY, f"No argument expresses this default; write it out as: {explicit}"
                                           if explicit else "No argument expresses this default.")
        name, value = v.name, v.value or ""
        reason = ""
        applicability = SAFE
        if v.source is Source.VERSIONED:
            spread = ", ".join(f"{x} ({span})" for x, span in v.variants)
            display = self.table.display(api.framework)
            message = (f"{api.name}: `{name}` is implicit and its default changes within the targeted "
                       f"{display} {cv.target}; "
                       f"{spread}")
            reason = f"the default differs across the targeted {display} releases ({spread})"
            applicability = UNSAFE
        elif v.source is Source.CONDITIONAL and v.sentinel is not None:
            message = (f"{api.name}: `{name}` is implicit ({v.sentinel} → {value} in some cases, {fw}); it "
                       f"becomes {value} at run time only when {v.condition}")
            return message + cp + ".", Fix(DISPLAY, f"Which value holds depends on whether {v.condition}, which this "
                                                    f"call does not fix: no argument is written.")
        elif v.source is Source.CONDITIONAL:
            message = f"{api.name}: `{name}` is implicit ({value} in {fw}, in some cases); in force only when " \
                      f"{v.condition}"
            return message + cp + ".", Fix(DISPLAY, f"Whether it is in force depends on whether {v.condition}, which "
                                                    f"this call does not fix: no argument is written.")
        elif v.source is Source.RUNTIME:
            by = api.fact(name).resolved_by or "the framework"
            message = f"{api.name}: `{name}` is implicit ({v.sentinel} → {value} at run time, {fw}); set by {by}"
            reason = f"the default {v.sentinel} is resolved at run time by {by}"
            applicability = UNSAFE
        else:
            message = f"{api.name}: `{name}` is implicit ({value} in {fw})"
        message += cp + "."
        if not v.keyword:
            return message, Fix(DISPLAY, f"`{name}` is positional-only; pass {value} positionally.")
        if not _is_literal(value):
            return message, Fix(DISPLAY, f"The default {value} is not a literal; no argument is written.")
        if v.since is not None:  # the targets include releases that reject the keyword
            reason = (reason + "; " if reason else "") + \
                f"releases before {self.table.display(api.framework)} {format_version(v.since)} reject `{name}`"
            applicability = UNSAFE
        title = f"Write `{name}={value}` explicitly" + (f" (unsafe: {reason})" if reason else "")
        return message, Fix(applicability, title)

    def _no_difference(self, api: Api, v: Value) -> bool:
        """The other framework's value means the same as `v` (equal, or spelled differently for the same
        setting) and no note on the row says the two are read differently."""
        if v.fact or api.param(v.name) is None or api.fact(v.name).note:
            return False
        return self.table.counterpart_agrees(api, v.name, v.value)

    def counterpart_text(self, api: Api, name: str, value: str | None = None) -> str:
        """The other framework's value (converted where conventions differ) and the row's note, if any."""
        text = ""
        for i, (other, oname, ovalue) in enumerate(self.table.counterpart_values(api, name)):
            fw = self.table.display(other.framework)
            if i == 0 and other.implicit_fact(oname) is None and self.table.counterpart_agrees(api, name, value):
                part = f"; {fw} {other.short_name} also uses {oname}={ovalue}"  # a value, not a difference
            elif other.implicit_fact(oname) is not None:
                part = f"; {fw} {other.short_name}: {fact_label(oname)} {ovalue}"
            else:
                part = f"; {fw} {other.short_name} uses {oname}={ovalue}"
            converted = convert(api, name, ovalue) if i == 0 else None
            if converted is not None and " also uses " not in part:
                part += f" (≙ {name}={converted} in this convention)"
            text += part
        imp = api.implicit_fact(name)
        note = api.fact(name).note if api.param(name) else (imp.note if imp else None)
        if note:
            text += f". {note.rstrip('.')}"
        return text

    def _finding(self, code, message, path, start, end, lines: Lines, api: Api, params, fix: Fix) -> Finding:
        f = Finding(code, message, path, start, end, lines.position(start), lines.position(end), api.name,
                    list(params), fix)
        if fix.applicability is not DISPLAY and params and self._is_fixable(code):
            fix.edits, fix.error = fixer.lazy_edits(lines.text, start, end, params)
        elif fix.applicability is not DISPLAY and not fix.edits:
            fix.applicability = DISPLAY
        return f

    def _is_fixable(self, code: str) -> bool:
        return self.rules.fixable is None or code in self.rules.fixable

    # -- classes passed as values -------------------------------------------------------------------
    def reference_findings(self, module: Module, path: str) -> list[Finding]:
        out: list[Finding] = []
        table, resolver, lines = self.table, module.resolver, module.lines
        not_constructing = table.python.get("not_constructing", frozenset())
        partials = table.python.get("partial", frozenset())
        for expr, scope, call in resolver.refs:
            if call is not None:
                callee = resolver.ref(call.func, scope)
                name = callee.name if type(callee) is Path else None
                if name in partials and call.args and call.args[0] is expr:
                    continue
                if name in not_constructing:
                    continue
            api = table.lookup(resolver.ref(expr, scope))
            if api is None or api.kind is not ApiKind.CLASS:
                continue
            assigned, default_of = resolver.assigned_to.get(id(expr)), resolver.default_of.get(id(expr))
            if assigned is not None and table.lookup(resolver.lookup(assigned, scope)) is api:
                continue  # the name's only binding: calls through it are reported as calls, passing it as a value
            cv = values_of(table, api, None, self.rules.targets)
            if not cv.exists:
                continue
            # An assigned class called through its name in the same scope: what those calls leave implicit.
            through = [bind(api, node, False, lambda e, s=scope: resolver.keywords_of(e, s))
                       for node, s in resolver.calls if s is scope and assigned is not None
                       and isinstance(node.func, ast.Name) and node.func.id == assigned]
            implicit = [(v.name, v.value) for v in cv.values
                        if not v.fact and v.hyper and v.source.implicit and v.value is not None
                        and (not through or any(v.name not in c.provided for c in through))]
            facts = [v for v in cv.values if v.fact]
            if not implicit and not facts:
                continue
            start, end = lines.span(expr)
            fw = f"{table.display(api.framework)} {shown_release(cv.release, cv.target)}"
            shown = ", ".join(f"{n}={v}" for n, v in implicit)
            extra = ", ".join(f"{v.name} {v.value}" for v in facts)
            if assigned is not None:
                how = (f"is assigned to `{assigned}`, which other bindings may replace, and constructed later "
                       f"with implicit defaults where this one is in force")
            elif default_of is not None:
                how = (f"is the default of `{default_of}` (callers may pass another class) and constructed later "
                       f"with implicit defaults")
            else:
                how = "is passed as a value and constructed later with implicit defaults"
            message = f"{api.name} {how} ({fw}); " + "; ".join(x for x in (shown, extra) if x) + "."
            spelled = lines.text[start:end] or api.name
            fix = Fix(DISPLAY, f"Pass functools.partial({spelled}, {shown}) to write them down.")
            out.append(Finding("DL901", message, path, start, end, lines.position(start), lines.position(end),
                               api.name, implicit, fix))  # type: ignore[arg-type]
        return out


@functools.lru_cache(maxsize=64)
def _words_pattern(words: frozenset[str]):
    import re

    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, words))) + r")\b")


def _mentions(words: frozenset[str], text: str) -> bool:
    return bool(words) and _words_pattern(words).search(text) is not None


@functools.lru_cache(maxsize=4096)
def _is_literal(value: str) -> bool:
    """True for a value the fixer can write as source that means the same anywhere (repr of a literal)."""
    try:
        ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def fact_label(name: str) -> str:
    """An implicit fact's name for people: weight_init -> weight initialisation; other facts stay code."""
    if name.endswith("_init"):
        return name[: -len("_init")].replace("_", " ") + " initialisation"
    return f"`{name}`"
