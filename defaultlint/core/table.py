"""The default table: loads the TOML data under `rules/` and answers questions about APIs and codes.

The data is the product's knowledge; this module only reads it. See docs/table-format.md for the shape.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from defaultlint.core.versions import Version, VersionRange, format_version, parse_version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

POS_ONLY, POS_OR_KW, VAR_POS, KW_ONLY, VAR_KW = "positional-only", "positional-or-keyword", "*args", "keyword-only", "**kwargs"

REQUIRED = "<required>"

FRAMEWORK_NAMES = {"torch": "PyTorch", "keras": "Keras", "tensorflow": "TensorFlow"}


class TableError(Exception):
    """The table data is malformed (a bug in rules/, never in user code)."""


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    default: str | None  # Python source of the default, None when the parameter is required


@dataclass(frozen=True)
class ParamFacts:
    counterpart: str | None = None  # the parameter's name in the counterpart API
    convert: str | None = None  # how the counterpart's value maps to this convention (see CONVERSIONS)
    note: str | None = None
    code: str | None = None
    hyper: bool = True
    resolves: str | None = None  # what a sentinel default resolves to at run time
    resolved_by: str | None = None
    resolves_when: str | None = None  # the condition (on other parameters) under which `resolves` applies
    excludes: tuple[str, ...] = ()  # arguments (e.g. a legacy spelling) that set the same thing: never both


@dataclass(frozen=True)
class Implicit:
    """A default that no signature shows (weight initialisation and the like)."""

    name: str
    value: str
    counterpart: str | None
    explicit: str | None
    note: str | None
    code: str | None
    verified: str | None


@dataclass(frozen=True)
class Change:
    """A default that changed at a release: `before` holds below `version`, `after` from it on."""

    param: str
    version: Version
    before: str
    after: str
    source: str


@dataclass
class Api:
    name: str
    framework: str
    kind: str  # "class" | "function" | "method"
    category: str
    params: tuple[Param, ...]
    facts: dict[str, ParamFacts]
    implicit: tuple[Implicit, ...]
    changes: tuple[Change, ...]
    counterpart: str | None
    spellings: tuple[str, ...]
    verified_version: Version
    file: str
    since: Version | None = None
    returns: str | None = None
    note: str | None = None
    receivers: tuple[str, ...] = ()  # for methods: the classes whose instances have this method
    extra: dict = field(default_factory=dict)

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def param(self, name: str) -> Param | None:
        for p in self.params:
            if p.name == name:
                return p
        return None

    def fact(self, name: str) -> ParamFacts:
        return self.facts.get(name) or _NO_FACTS

    def default_at(self, name: str, version: Version) -> str | None:
        """The effective default of `name` in release `version` (resolved sentinels included)."""
        memo = self.__dict__.setdefault("_default_memo", {})
        key = (name, version)
        if key not in memo:
            memo[key] = self._default_at(name, version)
        return memo[key]

    def _default_at(self, name: str, version: Version) -> str | None:
        value = None
        p = self.param(name)
        if p is not None:
            value = self.fact(name).resolves or p.default
        else:
            for imp in self.implicit:
                if imp.name == name:
                    value = imp.value
        for ch in sorted((c for c in self.changes if c.param == name), key=lambda c: c.version, reverse=True):
            if version < ch.version:
                value = ch.before
        return value

    def values_in(self, name: str, rng: VersionRange) -> list[tuple[str, str]]:
        """(value, releases) pairs when `name`'s default differs within `rng`; [] when it does not."""
        changes = sorted((c for c in self.changes if c.param == name and rng.spans(c.version)), key=lambda c: c.version)
        if not changes:
            return []
        out = [(changes[0].before, f"<{format_version(changes[0].version)}")]
        for i, ch in enumerate(changes):
            nxt = changes[i + 1].version if i + 1 < len(changes) else None
            span = f">={format_version(ch.version)}" + (f",<{format_version(nxt)}" if nxt else "")
            out.append((ch.after, span))
        return out


_NO_FACTS = ParamFacts()


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    summary: str
    default: bool
    params: tuple[str, ...]
    categories: tuple[str, ...]
    why: str


def parse_signature(text: str, where: str) -> tuple[Param, ...]:
    """'(a, b=1, *args, c=2, **kw)' -> Params, keeping each default's source text as written."""
    src = f"def _{text}: pass"
    try:
        fn = ast.parse(src).body[0]
    except SyntaxError as e:
        raise TableError(f"{where}: bad signature {text!r}: {e.msg}") from None
    assert isinstance(fn, ast.FunctionDef)
    a = fn.args
    seg = functools.partial(ast.get_source_segment, src)
    out: list[Param] = []
    positional = [(x, POS_ONLY) for x in a.posonlyargs] + [(x, POS_OR_KW) for x in a.args]
    first_default = len(positional) - len(a.defaults)
    for i, (arg, kind) in enumerate(positional):
        d = seg(a.defaults[i - first_default]) if i >= first_default else None
        out.append(Param(arg.arg, kind, d))
    if a.vararg:
        out.append(Param(a.vararg.arg, VAR_POS, None))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        out.append(Param(arg.arg, KW_ONLY, seg(d) if d is not None else None))
    if a.kwarg:
        out.append(Param(a.kwarg.arg, VAR_KW, None))
    return tuple(out)


def rules_dir() -> Path:
    """The table's folder: inside the installed package, or beside it in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "rules", package.parent / "rules"):
        if (candidate / "codes.toml").is_file():
            return candidate
    raise TableError(f"the default table (rules/) was not found next to {package}")


class Table:
    def __init__(self, root: Path | None = None):
        self.root = root or rules_dir()
        self.apis: dict[str, Api] = {}
        self._spelling: dict[str, str] = {}
        self.codes: dict[str, Code] = {}
        self.not_hyper: frozenset[str] = frozenset()
        self.prefixes: dict[str, str] = {}
        self.frameworks: dict[str, Version] = {}
        self.modules: set[str] = set()
        self._load()

    # -- loading ------------------------------------------------------------------------------------
    def _read(self, path: Path) -> dict:
        try:
            with path.open("rb") as f:
                return tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise TableError(f"{path}: {e}") from None

    def _load(self) -> None:
        codes = self._read(self.root / "codes.toml")
        self.not_hyper = frozenset(codes.get("not_hyperparameters", ()))
        for c in codes.get("code", ()):
            self.codes[c["code"]] = Code(
                c["code"], c["name"], c["summary"], bool(c.get("default", False)), tuple(c.get("params", ())),
                tuple(c.get("categories", ())), c.get("why", "").strip(),
            )
        ns = self.root / "namespaces.toml"
        if ns.is_file():
            self.prefixes = dict(self._read(ns).get("prefixes", {}))
        for path in sorted(self.root.glob("*/*.toml")):
            data = self._read(path)
            meta = data.get("meta", {})
            framework = meta.get("framework") or path.parent.name
            verified = parse_version(str(meta.get("verified_version", "0")))
            self.frameworks.setdefault(framework, verified)
            rel = path.relative_to(self.root).as_posix()
            for row in data.get("api", ()):
                api = self._api(row, framework, verified, rel)
                if api.name in self.apis:
                    raise TableError(f"{rel}: {api.name} is defined twice")
                self.apis[api.name] = api
                for s in (api.name, *api.spellings):
                    self._spelling[s] = api.name
                    self.modules.add(s.rsplit(".", 1)[0])

    def _api(self, row: dict, framework: str, verified: Version, rel: str) -> Api:
        name = row.get("name")
        if not name or "signature" not in row:
            raise TableError(f"{rel}: a row needs `name` and `signature`: {row!r:.80}")
        where = f"{rel}: {name}"
        params = parse_signature(row["signature"], where)
        facts = {}
        for pname, f in row.get("params", {}).items():
            if not any(p.name == pname for p in params):
                raise TableError(f"{where}: facts for unknown parameter {pname!r}")
            facts[pname] = ParamFacts(
                f.get("counterpart"), f.get("convert"), f.get("note"), f.get("code"), f.get("hyper", True),
                f.get("resolves"), f.get("resolved_by"), f.get("resolves_when"), tuple(f.get("excludes", ())),
            )
        implicit = tuple(
            Implicit(i["name"], i["value"], i.get("counterpart"), i.get("explicit"), i.get("note"), i.get("code"),
                     i.get("verified"))
            for i in row.get("implicit", ())
        )
        changes = []
        for c in row.get("change", ()):
            if not c.get("source"):
                raise TableError(f"{where}: a change of {c.get('param')} needs a `source`")
            changes.append(Change(c["param"], parse_version(str(c["version"])), str(c["before"]), str(c["after"]),
                                  c["source"]))
        known = {"name", "signature", "spellings", "kind", "category", "counterpart", "params", "implicit",
                 "change", "since", "returns", "note", "receivers"}
        return Api(
            name=name, framework=row.get("framework", framework), kind=row.get("kind", "class"),
            category=row.get("category", "layer"), params=params, facts=facts, implicit=implicit,
            changes=tuple(changes), counterpart=row.get("counterpart"), spellings=tuple(row.get("spellings", ())),
            verified_version=verified, file=rel,
            since=parse_version(str(row["since"])) if row.get("since") else None, returns=row.get("returns"),
            note=row.get("note"), receivers=tuple(row.get("receivers", ())),
            extra={k: v for k, v in row.items() if k not in known},
        )

    # -- questions ----------------------------------------------------------------------------------
    def canonical(self, qualname: str) -> str:
        """Map alternative namespaces onto the one the table uses (tensorflow.keras.X -> keras.X)."""
        memo = self.__dict__.setdefault("_canonical_memo", {})
        found = memo.get(qualname)
        if found is None:
            found = qualname
            for prefix, target in self.prefixes.items():
                if qualname == prefix or qualname.startswith(prefix + "."):
                    found = target + qualname[len(prefix):]
                    break
            if len(memo) > 65536:
                memo.clear()
            memo[qualname] = found
        return found

    def lookup(self, qualname: str) -> Api | None:
        """The API a resolved name refers to; methods are found through their receiver's type."""
        name = self._spelling.get(qualname)
        if name is None:
            name = self._spelling.get(self.canonical(qualname))
        if name is not None:
            return self.apis.get(name)
        i = qualname.rfind("().")
        if i < 0 or qualname.endswith("~"):
            return None
        method = qualname[i + 3:]
        if "." in method or "(" in method:
            return None  # an attribute of an attribute of an instance: model.layers.Dense
        receiver = self.type_of(qualname[:i])
        if receiver is None:
            return None
        name = self._spelling.get(f"{receiver}.{method}")
        return self.apis.get(name) if name else None

    def type_of(self, callee: str) -> str | None:
        """The class of what calling `callee` returns, when the table or the name tells it."""
        if callee.endswith("~"):  # a user class derived from a framework class
            return self.canonical(callee[:-1])
        api = self.lookup(callee)
        if api is not None:
            return api.returns or (api.name if api.kind == "class" else None)
        last = callee.rsplit(".", 1)[-1]
        if "(" not in callee and last[:1].isupper() and callee.split(".", 1)[0] in ("keras", "torch", "tensorflow"):
            return self.canonical(callee)  # a framework class the table has no row for (keras.Sequential)
        return None

    def code_for(self, api: Api, param: str) -> str:
        """The rule code of a finding about `api.param` (remembered: asked once per finding)."""
        memo = self.__dict__.setdefault("_code_memo", {})
        key = (api.name, param)
        if key not in memo:
            memo[key] = self._code_for(api, param)
        return memo[key]

    def _code_for(self, api: Api, param: str) -> str:
        override = api.fact(param).code
        if override:
            return override
        for imp in api.implicit:
            if imp.name == param and imp.code:
                return imp.code
        for c in self.codes.values():
            if c.categories and api.category not in c.categories:
                continue
            if param in c.params:
                return c.code
        for c in self.codes.values():
            if "*" in c.params and (not c.categories or api.category in c.categories):
                return c.code
        raise TableError(f"{api.file}: no rule code matches {api.name}.{param}")

    def is_hyper(self, api: Api, param: Param) -> bool:
        if param.kind in (VAR_POS, VAR_KW) or param.default is None:
            return False
        if param.name in api.facts:
            return api.facts[param.name].hyper
        return param.name not in self.not_hyper

    def counterpart_value(self, api: Api, param: str, version: Version | None = None) -> tuple[Api, str, str] | None:
        """(other API, its parameter name, its default) for `api.param`, when the table knows both sides."""
        if not api.counterpart:
            return None
        other = self.apis.get(api.counterpart)
        if other is None:
            return None
        fact = api.fact(param)
        implicit = next((i for i in api.implicit if i.name == param), None)
        name = fact.counterpart or (implicit.counterpart if implicit else None) or param
        if "," in name:  # e.g. torch betas <-> keras beta_1, beta_2
            parts = [n.strip() for n in name.split(",")]
            vals = [other.default_at(n, other.verified_version) for n in parts]
            if any(v is None for v in vals):
                return None
            return other, name, "(" + ", ".join(vals) + ")"  # type: ignore[arg-type]
        value = other.default_at(name, other.verified_version)
        if value is None:
            return None
        return other, name, value


CONVERSIONS = {
    # Keras momentum m <-> torch momentum 1 - m (both directions are the same map)
    "one_minus": lambda v: _fmt_decimal(1 - _decimal(v)),
}


def _decimal(text: str):
    from decimal import Decimal

    return Decimal(text)


def _fmt_decimal(d) -> str:
    s = format(d.normalize(), "f")
    return s if "." in s or "e" in s else s + ".0"


def convert(api: Api, param: str, value: str) -> str | None:
    fn = CONVERSIONS.get(api.fact(param).convert or "")
    if fn is None:
        return None
    try:
        return fn(value)
    except Exception:  # a non-numeric value has no converted form
        return None


def rules_digest(root: Path) -> str:
    """A hash of every rules file's path and content."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.toml")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=None)
def load_table(root: str | None = None) -> Table:
    """The table under `root` (default: the shipped rules/), parsed once per process."""
    return Table(Path(root) if root else rules_dir())
