"""What value each parameter of a call has: the one place that answers it.

Given a bound call (or no call: the API's own defaults) and the targeted releases, `values_of` gives every
parameter and implicit fact of the API its effective value and why: written in the call, set through
another spelling, the default of the targeted release, a sentinel the framework resolves at run time, a
default that changes within the targeted releases, one that depends on a condition the call does not fix,
one not in force for this call, or unknown (hidden by `*args`/`**kwargs`, or set by other code). The
checker, the editor's hover, `manifest`, `rule` and `compare` all ask this module; none decides a value
itself.
"""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass
from typing import Callable

from defaultlint.core import conditions
from defaultlint.core.binding import Call
from defaultlint.core.table import POS_ONLY, REQUIRED, Api, Table
from defaultlint.core.versions import Release, Version, VersionRange, format_version, point, release_in


class Source(str, enum.Enum):
    EXPLICIT = "explicit"  # the call passes it
    ALIAS = "alias"  # the call sets it through another spelling (alpha for negative_slope)
    DEFAULT = "default"  # the framework's default for the targeted release
    RUNTIME = "runtime"  # a sentinel default the framework resolves at run time
    VERSIONED = "versioned"  # the default changes within the targeted releases
    CONDITIONAL = "conditional"  # whether it is in force depends on something the call does not fix
    NOT_IN_FORCE = "not-in-force"  # it has no effect for this call (bias_init with bias=False)
    UNKNOWN = "unknown"  # *args/**kwargs may set it, or other code sets it

    @property
    def implicit(self) -> bool:
        return self in (Source.DEFAULT, Source.RUNTIME, Source.VERSIONED, Source.CONDITIONAL)


@dataclass(frozen=True)
class Value:
    name: str
    source: Source
    value: str | None  # Python source of the value in force (None when it cannot be told)
    why: str = ""  # what decides it, for people
    written: str | None = None  # the argument as written (explicit, alias)
    via: str | None = None  # the other spelling that sets it (alias)
    variants: tuple[tuple[str, str], ...] = ()  # (value, releases) when it changes within the targets
    sentinel: str | None = None  # the signature's default when the framework resolves it at run time
    condition: str | None = None  # the table condition that decides it (conditional, not in force)
    fact: bool = False  # an implicit fact (weight initialisation) rather than a signature parameter
    hyper: bool = True
    keyword: bool = True  # the parameter can be passed by keyword
    since: Version | None = None  # the release that added the parameter, when the targets reach below it


@dataclass(frozen=True)
class CallValues:
    api: Api
    release: Release
    target: VersionRange
    values: tuple[Value, ...]
    call: Call | None = None

    def get(self, name: str) -> Value | None:
        return next((v for v in self.values if v.name == name), None)

    @property
    def exists(self) -> bool:
        """False when the targeted releases all predate the API."""
        return self.api.since is None or not self.release.before(self.api.since)


class Context:
    """What the rest of the module tells about a call: the type of an argument, who re-initialises weights."""

    def instance_of(self, call: Call, param: str, classes: tuple[str, ...]) -> bool | None:
        return None

    def set_elsewhere(self, call: Call, fact: str) -> str | None:
        """Why other code sets implicit fact `fact` of this call's object (None: nothing does)."""
        return None

    def never_none(self, call: Call, param: str) -> bool:
        """Whether the argument passed for `param` is an object that cannot be None (False: not known)."""
        return False


_NO_CONTEXT = Context()


def target_of(table: Table, targets: dict[str, VersionRange], framework: str) -> VersionRange:
    fw = table.frameworks.get(framework)
    return targets.get(framework) or point(fw.verified if fw else (0,))


def shown_release(release: Release, target: VersionRange) -> str:
    """The targeted release as the user knows it: the release itself, or the range as written."""
    if release.just_below or not target.contains(release.version):
        return str(target)
    return format_version(release.version)


def value_at(api: Api, name: str, release: Release) -> str | None:
    """The value in force for `name` in `release` (a resolved sentinel or implicit fact included)."""
    value = api.current(name)
    for ch in reversed(api.changes_of(name)):
        if release.before(ch.version):
            value = ch.before
    return value


def variants_in(api: Api, name: str, target: VersionRange) -> tuple[tuple[str, str], ...]:
    """(value, releases) pairs when `name`'s value in force differs within `target`; () when it does not."""
    changes = [c for c in api.changes_of(name) if target.spans(c.version)]
    if not changes:
        return ()
    out = [(changes[0].before, f"<{format_version(changes[0].version)}")]
    for i, ch in enumerate(changes):
        nxt = changes[i + 1].version if i + 1 < len(changes) else None
        out.append((ch.after, f">={format_version(ch.version)}" + (f",<{format_version(nxt)}" if nxt else "")))
    return tuple(out)


def values_of(table: Table, api: Api, call: Call | None, targets: dict[str, VersionRange],
              source_of: Callable[[ast.expr], str] = ast.unparse, context: Context = _NO_CONTEXT) -> CallValues:
    """Every parameter and implicit fact of `api` with its value for `call` (None: a call passing nothing)."""
    target = target_of(table, targets, api.framework)
    release = release_in(target, api.verified_version)
    env = _Env(api, call, source_of, context)
    out: list[Value] = []
    memo = api.memo.setdefault((release, target), {})  # values that do not depend on the call
    for p in api.params:
        if p.default is None and (call is None or p.name not in call.explicit):
            continue  # required, *args, **kwargs
        fact = api.fact(p.name)
        plain = fact.applies_when is None and (call is None or (
            p.name not in call.provided and not any(a.param in call.keywords for a in fact.aliases)))
        v = memo.get(p.name) if plain else None
        if v is None:
            hyper = table.is_hyper(api, p) if p.default is not None else p.name not in table.not_hyper and \
                fact.hyper
            v = _param_value(api, p.name, p.default, p.kind != POS_ONLY, hyper, call, env, release, target,
                             source_of)
            if plain:
                memo[p.name] = v
        out.append(v)
    for imp in api.implicit:
        out.append(_fact_value(api, imp.name, imp.applies_when, call, env, release, target, context))
    return CallValues(api, release, target, tuple(out), call)


def _param_value(api: Api, name: str, default: str | None, keyword: bool, hyper: bool, call: Call | None,
                 env: "_Env", release: Release, target: VersionRange, source_of) -> Value:
    fact = api.fact(name)
    if call is not None and name in call.explicit:
        written = source_of(call.explicit[name])
        return Value(name, Source.EXPLICIT, written, written=written, hyper=hyper, keyword=keyword)
    if call is not None:
        for alias in fact.aliases:
            if alias.param in call.keywords:
                written = source_of(call.keywords[alias.param])
                mapped = alias.value_for(written)
                return Value(name, Source.ALIAS, mapped, f"set through `{alias.param}`", written=written,
                             via=alias.param, hyper=hyper, keyword=keyword)
        if name in call.provided:
            return Value(name, Source.UNKNOWN, None, "may come from *args/**kwargs", hyper=hyper, keyword=keyword)
    value = value_at(api, name, release)
    if value == REQUIRED:
        return Value(name, Source.UNKNOWN, None, "required in the targeted release", hyper=False, keyword=keyword)
    added = api.added.get(name)
    if added is not None and release.before(added):
        return Value(name, Source.NOT_IN_FORCE, None, f"`{name}` does not exist before {format_version(added)}",
                     hyper=hyper, keyword=keyword)
    since = added if added is not None and any(i.below(added) for i in target.intervals) else None
    if fact.applies_when:
        holds = conditions.evaluate(fact.applies_when, env)
        if holds is False:
            return Value(name, Source.NOT_IN_FORCE, default, f"no effect unless {conditions.describe(fact.applies_when)}",
                         condition=conditions.describe(fact.applies_when), hyper=hyper, keyword=keyword)
        if holds is None:
            return Value(name, Source.CONDITIONAL, value, f"in force only when {conditions.describe(fact.applies_when)}",
                         sentinel=default if fact.resolves and fact.resolves != default else None,
                         condition=conditions.describe(fact.applies_when), hyper=hyper, keyword=keyword)
    variants = variants_in(api, name, target)
    if variants:
        return Value(name, Source.VERSIONED, value, "changes within the targeted releases", variants=variants,
                     hyper=hyper, keyword=keyword, since=since)
    if fact.resolves and fact.resolves != default:
        return Value(name, Source.RUNTIME, value, f"resolved at run time by {fact.resolved_by or 'the framework'}",
                     sentinel=default, hyper=hyper, keyword=keyword, since=since)
    return Value(name, Source.DEFAULT, value, hyper=hyper, keyword=keyword, since=since)


def _fact_value(api: Api, name: str, applies_when: str | None, call: Call | None, env: "_Env", release: Release,
                target: VersionRange, context: Context) -> Value:
    value = value_at(api, name, release)
    if call is not None:
        elsewhere = context.set_elsewhere(call, name)
        if elsewhere:
            return Value(name, Source.UNKNOWN, None, elsewhere, fact=True, keyword=False)
    if call is not None and call.open_params:
        return Value(name, Source.UNKNOWN, value, "may come from *args/**kwargs", fact=True, keyword=False)
    if applies_when:
        holds = conditions.evaluate(applies_when, env)
        if holds is False:
            return Value(name, Source.NOT_IN_FORCE, value, f"no effect unless {conditions.describe(applies_when)}",
                         condition=conditions.describe(applies_when), fact=True, keyword=False)
        if holds is None:
            return Value(name, Source.CONDITIONAL, value, f"in force only when {conditions.describe(applies_when)}",
                         condition=conditions.describe(applies_when), fact=True, keyword=False)
    variants = variants_in(api, name, target)
    if variants:
        return Value(name, Source.VERSIONED, value, "changes within the targeted releases", variants=variants,
                     fact=True, keyword=False)
    return Value(name, Source.DEFAULT, value, fact=True, keyword=False)


class _Env(conditions.Env):
    """A call's parameters as table conditions see them."""

    def __init__(self, api: Api, call: Call | None, source_of, context: Context):
        self.api, self.call, self.source_of, self.context = api, call, source_of, context

    def value(self, name: str) -> tuple[bool, object]:
        call, api = self.call, self.api
        source: str | None = None
        if call is not None and name in call.explicit:
            source = self.source_of(call.explicit[name])
        elif call is not None and any(a.param in call.keywords for a in api.fact(name).aliases):
            alias = next(a for a in api.fact(name).aliases if a.param in call.keywords)
            source = alias.value_for(self.source_of(call.keywords[alias.param]))
        elif call is not None and (call.partial or name in call.provided):
            return False, None  # the later call, or the unpacked arguments, may pass it
        else:
            p = api.param(name)
            source = p.default if p is not None else None
        if source is None:
            return False, None
        try:
            return True, ast.literal_eval(source)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            pass
        if call is not None and name in call.explicit and self.context.never_none(call, name):
            return True, conditions.NOT_NONE
        return False, None

    def given(self, name: str) -> bool | None:
        call = self.call
        if call is None:
            return False
        if name in call.explicit or name in call.keywords:
            return True
        return None if (call.partial or name in call.provided) else False

    def instance_of(self, name: str, classes: tuple[str, ...]) -> bool | None:
        if self.call is None:
            return None
        return self.context.instance_of(self.call, name, classes)
