"""The default table: the typed, checked form of the data under rules/, and the questions it answers.

`Table.from_documents` takes the parsed TOML of every rules file (reading them is `project.tables`' job),
checks each against `schema`, checks the rows against each other (histories consistent with signatures,
counterparts that exist, codes for every hyperparameter, frameworks that are declared), and builds the
rows. It then answers: which API does a reference name, what does calling it return, which rule code
reports a parameter, what does the counterpart use. What value a parameter of a call has is `semantics`'
question, not this module's.
"""

from __future__ import annotations

import ast
import enum
import functools
from dataclasses import dataclass, field
from typing import Any

from defaultlint.core import conditions, schema
from defaultlint.core.refs import Instance, Member, Path, Ref, Subclass
from defaultlint.core.schema import TableError
from defaultlint.core.versions import Version, parse_range, parse_version

__all__ = ["TableError", "Table", "Api", "Flag", "FlagSet", "Program", "Param", "ParamKind", "ParamFacts", "Implicit", "Change", "Code",
           "Framework", "REQUIRED", "POS_ONLY", "POS_OR_KW", "VAR_POS", "KW_ONLY", "VAR_KW", "parse_signature"]

REQUIRED = "<required>"


class ParamKind(str, enum.Enum):
    POS_ONLY = "positional-only"
    POS_OR_KW = "positional-or-keyword"
    VAR_POS = "*args"
    KW_ONLY = "keyword-only"
    VAR_KW = "**kwargs"


POS_ONLY, POS_OR_KW, VAR_POS, KW_ONLY, VAR_KW = (ParamKind.POS_ONLY, ParamKind.POS_OR_KW, ParamKind.VAR_POS,
                                                 ParamKind.KW_ONLY, ParamKind.VAR_KW)


class ApiKind(str, enum.Enum):
    CLASS = "class"
    FUNCTION = "function"
    METHOD = "method"


@dataclass(frozen=True)
class Param:
    name: str
    kind: ParamKind
    default: str | None  # Python source of the default, None when the parameter is required


@dataclass(frozen=True)
class Alias:
    """Another parameter (often a deprecated spelling) that sets the same thing."""

    param: str
    values: dict[str, str] | None = None  # its value's source -> this parameter's; None: the same value

    def value_for(self, source: str) -> str | None:
        if self.values is None:
            return source
        try:
            key = ast.literal_eval(source)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return None
        for k, v in self.values.items():
            if ast.literal_eval(k) == key and type(ast.literal_eval(k)) is type(key):
                return v
        return None


@dataclass(frozen=True)
class ParamFacts:
    counterparts: tuple[str, ...] = ()  # the parameter's name(s) in the counterpart API
    convert: str | None = None  # how the counterpart's value maps to this convention
    note: str | None = None
    code: str | None = None
    hyper: bool = True
    resolves: str | None = None  # what a sentinel default resolves to at run time
    resolved_by: str | None = None
    applies_when: str | None = None  # the condition under which the parameter has any effect
    aliases: tuple[Alias, ...] = ()


_NO_FACTS = ParamFacts()


@dataclass(frozen=True)
class Implicit:
    """A default that no signature shows (weight initialisation and the like)."""

    name: str
    value: str
    counterpart: str | None
    explicit: str | None
    note: str | None
    code: str | None
    verified: str
    applies_when: str | None = None


@dataclass(frozen=True)
class Change:
    """A default that changed at a release: `before` holds below `version`, `after` from it on."""

    param: str
    version: Version
    before: str
    after: str
    source: str
    note: str | None = None


@dataclass(frozen=True)
class History:
    param: str
    version: Version
    event: str
    source: str


@dataclass(frozen=True)
class Example:
    code: str
    expect: tuple[str, ...]
    fixed: str | None = None
    unsafe_fixed: str | None = None
    select: tuple[str, ...] = ("ALL",)
    target: tuple[tuple[str, str], ...] = ()
    where: str = ""  # the row or code it belongs to, for test names


@dataclass
class Api:
    name: str
    framework: str
    kind: ApiKind
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
    receivers: tuple[str, ...] = ()
    verified: str | None = None  # "behaviour": a function written in C, its defaults checked by running it
    history: tuple[History, ...] = ()
    examples: tuple[Example, ...] = ()
    added: dict[str, Version] = field(default_factory=dict)  # parameter -> the release that added it
    _by_name: dict[str, Param] = field(default_factory=dict, repr=False)
    memo: dict = field(default_factory=dict, repr=False, compare=False)  # semantics' call-independent values

    def __post_init__(self) -> None:
        self._by_name = {p.name: p for p in self.params}

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def param(self, name: str) -> Param | None:
        return self._by_name.get(name)

    def fact(self, name: str) -> ParamFacts:
        return self.facts.get(name) or _NO_FACTS

    def implicit_fact(self, name: str) -> Implicit | None:
        return next((i for i in self.implicit if i.name == name), None)

    def current(self, name: str) -> str | None:
        """The value in force in the verified release: a resolved sentinel, the default, or the implicit fact."""
        p = self.param(name)
        if p is not None:
            return self.fact(name).resolves or p.default
        imp = self.implicit_fact(name)
        return imp.value if imp else None

    def changes_of(self, name: str) -> tuple[Change, ...]:
        return tuple(sorted((c for c in self.changes if c.param == name), key=lambda c: c.version))


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    summary: str
    default: bool
    params: tuple[str, ...]
    categories: tuple[str, ...]
    why: str
    examples: tuple[Example, ...] = ()
    what: str = ""
    fix_safety: str = ""


def call_with_first(callee: str, first: str) -> str:
    """How a call whose first argument is the string `first` is recorded among a program's settings."""
    return f"{callee}({first!r})"


@dataclass(frozen=True)
class Preset:
    """A named set of codes for an intent (rules/presets.toml)."""

    name: str
    summary: str
    description: str
    codes: tuple[str, ...]
    auto: str | None = None  # "both-families": on by itself when the project uses two families
    differences_only: bool = False  # its codes report only values the other framework does not share


@dataclass(frozen=True)
class FlagSet:
    """One statement that sets a program flag: an attribute assignment, a call, or an environment variable."""

    kind: str  # assign | call | env
    target: str  # the attribute or callee (canonical dotted name; `callee('first')` when its first argument
    #              must be that string), or the variable's name
    note: str | None = None


@dataclass(frozen=True)
class Flag:
    """A default of the whole program (rules/program.toml): no call's argument, set by a statement."""

    name: str
    code: str
    framework: str | None
    imports: tuple[str, ...]
    label: str
    sets: tuple[FlagSet, ...]
    value: str | None = None  # the value in force in the verified release (None: a seed, unset)
    changes: tuple[Change, ...] = ()
    shown: dict[str, str] = field(default_factory=dict)
    shown_unset: str | None = None
    read: str | None = None
    draw: str | None = None
    since: Version | None = None
    fix: str | None = None
    unsafe: str | None = None
    display: str | None = None
    counterpart: str | None = None
    other: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Program:
    """What makes a module a program, how it sets environment variables, and its flags."""

    entries: tuple[tuple[str, str], ...] = ()  # (method, receiver namespace or "*")
    env_mappings: frozenset[str] = frozenset()
    env_setters: frozenset[str] = frozenset()
    flags: tuple[Flag, ...] = ()

    def flag(self, name: str) -> Flag | None:
        return next((f for f in self.flags if f.name == name), None)

    @functools.cached_property
    def set_keys(self) -> frozenset[tuple[str, str]]:
        """Every (kind, target) a flag's setting statement has: the only statements a program's walk keeps."""
        return frozenset((s.kind, s.target) for f in self.flags for s in f.sets)


@dataclass(frozen=True)
class Framework:
    name: str
    display: str
    family: str
    roots: tuple[str, ...]
    distributions: tuple[str, ...]
    classes_are_capitalized: bool
    initializers: tuple[str, ...]
    tensor_facts: dict[str, tuple[str, ...]]
    tensor_methods: frozenset[str]
    init_methods: frozenset[str]
    in_place_suffix: str
    implies: tuple[dict, ...]
    verified: Version = (0,)

    def facts_of_tensor(self, attribute: str) -> tuple[str, ...]:
        """The implicit facts that initialising `layer.<attribute>` sets (longest matching prefix)."""
        best = ""
        for prefix in self.tensor_facts:
            if attribute.startswith(prefix) and len(prefix) > len(best):
                best = prefix
        return self.tensor_facts.get(best, ()) if best else ()


def parse_signature(text: str, where: str) -> tuple[Param, ...]:
    """'(a, b=1, *args, c=2, **kw)' -> Params, keeping each default's source text as written."""
    src = f"def _{text}: pass"
    try:
        fn = ast.parse(src).body[0]
    except SyntaxError as e:
        raise TableError(f"{where}: bad signature {text!r}: {e.msg}") from None
    assert isinstance(fn, ast.FunctionDef)
    a = fn.args

    def seg(node: ast.expr) -> str:  # one line: the columns are offsets into `src`
        return src[node.col_offset:node.end_col_offset]

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


def _example(e: dict, where: str, select: tuple[str, ...] = ("ALL",)) -> Example:
    """An example; `select` is its selection when it names none (a code's examples: that code alone)."""
    return Example(e["code"], tuple(e["expect"]), e.get("fixed"), e.get("unsafe_fixed"),
                   tuple(e.get("select", select)), tuple(sorted(e.get("target", {}).items())), where)


def _literal(text: str) -> Any:
    return ast.literal_eval(text)


class Table:
    """The rows, codes, frameworks and equivalences, checked and cross-checked at construction."""

    def __init__(self) -> None:
        self.apis: dict[str, Api] = {}
        self.codes: dict[str, Code] = {}
        self.frameworks: dict[str, Framework] = {}
        self.not_hyper: frozenset[str] = frozenset()
        self.prefixes: dict[str, str] = {}
        self.namespace_targets: dict[str, dict[str, VersionRange]] = {}
        self.python: dict[str, frozenset[str]] = {}
        self.equivalences: dict[str, Any] = {}
        self.words: frozenset[str] = frozenset()  # top-level names a file must mention to reach any row
        self.star_roots: frozenset[str] = frozenset()  # packages whose star imports are understood
        self.root: str = ""
        self._spelling: dict[str, str] = {}
        self._canonical_memo: dict[str, str] = {}
        self._lookup_memo: dict[Ref, Api | None] = {}
        self._code_memo: dict[tuple[str, str], str] = {}
        self._initializers: dict[str, str] = {}
        self.identifier_params: dict[str, dict[str, str]] = {}  # framework -> parameter -> kind
        self._identifiers: dict[tuple[str, str, str], str] = {}  # (framework, kind, string) -> api name
        self._replacement: dict[tuple[str, str, str], str] = {}  # ... -> how replacing the string is graded
        self._extracted: list[tuple[str, dict]] = []  # (file, entry) of changes read from wheels
        self._added: list[tuple[str, dict]] = []  # (file, entry) of parameters added, read from wheels
        self.program = Program()
        self.presets: dict[str, Preset] = {}

    # -- building -----------------------------------------------------------------------------------
    @classmethod
    def from_documents(cls, documents: dict[str, dict], root: str = "") -> "Table":
        """Build the table from parsed rules files: relative path (codes.toml, torch/nn.toml, ...) -> data."""
        t = cls()
        t.root = root
        for name in ("codes.toml", "frameworks.toml", "equivalences.toml"):
            if name not in documents:
                raise TableError(f"rules/{name} is missing")
            schema.validate(documents[name], schema.FILES[name], name)
        t._load_frameworks(documents["frameworks.toml"])
        t._load_codes(documents["codes.toml"])
        t.equivalences = documents["equivalences.toml"]
        if "presets.toml" in documents:  # optional: a table without presets has the default selection only
            schema.validate(documents["presets.toml"], schema.FILES["presets.toml"], "presets.toml")
            t._load_presets(documents["presets.toml"])
        if "program.toml" in documents:  # optional: a table for one framework may have no program flags
            schema.validate(documents["program.toml"], schema.FILES["program.toml"], "program.toml")
            t._load_program(documents["program.toml"])
        for rel in sorted(documents):
            if "/" in rel:
                schema.validate(documents[rel], schema.ROWS_FILE, rel)
                t._load_rows(rel, documents[rel])
        t._cross_check()
        return t

    def _load_frameworks(self, data: dict) -> None:
        for f in data["framework"]:
            if f["name"] in self.frameworks:
                raise TableError(f"frameworks.toml: {f['name']} is declared twice")
            self.frameworks[f["name"]] = Framework(
                f["name"], f["display"], f["family"], tuple(f["roots"]), tuple(f["distributions"]),
                f.get("classes_are_capitalized", False), tuple(f.get("initializers", ())),
                {k: tuple(v) for k, v in f.get("tensor_facts", {}).items()}, frozenset(f.get("tensor_methods", ())),
                frozenset(f.get("init_methods", ())), f.get("in_place_suffix", ""), tuple(f.get("implies", ())))
        self.prefixes = dict(data["namespaces"])
        self.namespace_targets = {ns: {fw: parse_range(spec) for fw, spec in targets.items()}
                                  for ns, targets in data.get("namespace_targets", {}).items()}
        self.python = {k: frozenset(v) for k, v in data["python"].items()}
        roots = {r for fw in self.frameworks.values() for r in fw.roots}
        self.star_roots = frozenset(roots)
        self._initializers = {ns: fw.name for fw in self.frameworks.values() for ns in fw.initializers}
        self.words = frozenset(roots | {p.split(".", 1)[0] for p in self.prefixes})
        for f in data["framework"]:
            for imp in f.get("implies", ()):
                if imp["framework"] not in self.frameworks:
                    raise TableError(f"frameworks.toml: {f['name']} implies unknown framework {imp['framework']!r}")

    def _load_codes(self, data: dict) -> None:
        self.not_hyper = frozenset(data["not_hyperparameters"])
        for c in data["code"]:
            if c["code"] in self.codes:
                raise TableError(f"codes.toml: {c['code']} is defined twice")
            where = f"codes.toml: {c['code']}"
            self.codes[c["code"]] = Code(c["code"], c["name"], c["summary"], c["default"], tuple(c["params"]),
                                         tuple(c.get("categories", ())), c["why"].strip(),
                                         tuple(_example(e, where, (c["code"],)) for e in c.get("example", ())),
                                         c.get("what", data["defaults"]["what"]),
                                         c.get("fix_safety", data["defaults"]["fix_safety"]))

    def _load_presets(self, data: dict) -> None:
        for p in data["preset"]:
            where = f"presets.toml: {p['name']}"
            if p["name"] in self.presets:
                raise TableError(f"{where}: declared twice")
            unknown = [c for c in p["codes"] if c not in self.codes]
            if unknown:
                raise TableError(f"{where}: unknown code(s) {', '.join(unknown)}")
            self.presets[p["name"]] = Preset(p["name"], p["summary"], " ".join(p["description"].split()),
                                             tuple(p["codes"]), p.get("auto"), p.get("differences_only", False))

    def families(self) -> dict[str, str]:
        """Top-level import name (roots and namespaces) -> the family of the framework it reaches."""
        out = {r: fw.family for fw in self.frameworks.values() for r in fw.roots}
        for alias, canonical in self.prefixes.items():
            root = canonical.split(".", 1)[0]
            fam = out.get(root)
            if fam is not None:
                out.setdefault(alias.split(".", 1)[0], fam)
        return out

    def _load_program(self, data: dict) -> None:
        flags = []
        for f in data["flag"]:
            where = f"program.toml: {f['name']}"
            if f["code"] not in self.codes:
                raise TableError(f"{where}: unknown code {f['code']}")
            fw = f.get("framework")
            if fw is not None and fw not in self.frameworks:
                raise TableError(f"{where}: unknown framework {fw!r}")
            sets = []
            for s in f["set"]:
                kinds = [k for k in ("assign", "call", "env") if k in s]
                if len(kinds) != 1:
                    raise TableError(f"{where}: a [[flag.set]] needs exactly one of assign, call, env")
                target = s[kinds[0]] if kinds[0] == "env" else self.canonical(s[kinds[0]])
                if "first" in s:
                    if kinds[0] != "call":
                        raise TableError(f"{where}: `first` qualifies a call, not {kinds[0]}")
                    target = call_with_first(target, s["first"])
                sets.append(FlagSet(kinds[0], target, s.get("note")))
            if ("value" in f) == ("shown_unset" in f):
                raise TableError(f"{where}: a flag has either a value or shown_unset (a seed), not both or neither")
            if "fix" in f and "display" in f:
                raise TableError(f"{where}: a flag has a fix or a display text, not both")
            if "fix" in f:
                statement = f["fix"].replace("{value}", f.get("value", "None"))
                if _statement_target(statement) is None:
                    raise TableError(f"{where}: the fix {f['fix']!r} is not one assignment to a dotted name or one "
                                     f"call of a dotted name")
            changes = tuple(Change(f["name"], parse_version(c["version"]), c["before"], c["after"], c["source"])
                            for c in sorted(f.get("change", ()), key=lambda c: parse_version(c["version"])))
            if changes and fw is None:
                raise TableError(f"{where}: changes need the framework whose releases they name")
            for prev, nxt in zip(changes, changes[1:]):
                if _same(prev.after, nxt.before) is False:
                    raise TableError(f"{where}: the change at {nxt.version} starts from {nxt.before}, not {prev.after}")
            if changes and _same(changes[-1].after, f.get("value", "None")) is False:
                raise TableError(f"{where}: the last change says {changes[-1].after}, the value in force is "
                                 f"{f.get('value')}")
            flags.append(Flag(
                f["name"], f["code"], fw, tuple(f["imports"]), f["label"], tuple(sets), f.get("value"), changes,
                dict(f.get("shown", {})), f.get("shown_unset"), f.get("read"), f.get("draw"),
                parse_version(f["since"]) if "since" in f else None, f.get("fix"), f.get("unsafe"), f.get("display"),
                f.get("counterpart"), f.get("other"), f.get("note")))
        names = [f.name for f in flags]
        for f in flags:
            if names.count(f.name) > 1:
                raise TableError(f"program.toml: {f.name} is defined twice")
            if f.counterpart and f.counterpart not in names:
                raise TableError(f"program.toml: {f.name}: counterpart {f.counterpart} is no flag")
        env = data["environment"]
        self.program = Program(tuple((e["method"], e["receiver"]) for e in data["entry"]),
                               frozenset(map(self.canonical, env["mappings"])),
                               frozenset(map(self.canonical, env["setters"])), tuple(flags))

    def _load_rows(self, rel: str, data: dict) -> None:
        meta = data["meta"]
        name = meta["framework"]
        fw = self.frameworks.get(name)
        if fw is None:
            raise TableError(f"{rel}: [meta] framework {name!r} is not declared in frameworks.toml")
        verified = parse_version(meta["verified_version"])
        if fw.verified == (0,):
            self.frameworks[name] = fw = Framework(**{**fw.__dict__, "verified": verified})
        elif fw.verified != verified:
            raise TableError(f"{rel}: verified_version {meta['verified_version']} differs from the other {name} files")
        self.identifier_params.setdefault(name, {}).update(data.get("identifier_params", {}))
        self._extracted.extend((rel, e) for e in data.get("extracted", ()))
        self._added.extend((rel, e) for e in data.get("added", ()))
        for ident in data.get("identifier", ()):
            for text in ident["names"]:
                key = (name, ident["kind"], text)
                if key in self._identifiers:
                    raise TableError(f"{rel}: identifier {text!r} ({ident['kind']}) is defined twice")
                self._identifiers[key] = ident["api"]
                if "replacement" in ident:
                    self._replacement[key] = ident["replacement"]
        for row in data.get("api", ()):
            api = self._api(row, name, verified, rel)
            if api.name in self.apis:
                raise TableError(f"{rel}: {api.name} is defined twice")
            self.apis[api.name] = api
            for s in (api.name, *api.spellings):
                if s in self._spelling and self._spelling[s] != api.name:
                    raise TableError(f"{rel}: {s} spells both {self._spelling[s]} and {api.name}")
                self._spelling[s] = api.name

    def _api(self, row: dict, framework: str, verified: Version, rel: str) -> Api:
        where = f"{rel}: {row['name']}"
        params = parse_signature(row["signature"], where)
        names = {p.name for p in params}
        facts = {}

        def unknown_in(condition: str) -> set[str]:
            # a keyword the signature collects in **kwargs can be asked about with given('p'), never read
            unknown = conditions.names(condition) - names
            return unknown - conditions.given_only(condition) if any(p.kind is VAR_KW for p in params) else unknown

        for pname, f in row.get("params", {}).items():
            if pname not in names:
                raise TableError(f"{where}: facts for unknown parameter {pname!r}")
            cps = f.get("counterpart")
            aliases = tuple(Alias(a["param"], dict(a["values"]) if "values" in a else None) for a in f.get("alias", ()))
            if any(a.param == pname for a in aliases):
                raise TableError(f"{where}: {pname} cannot be its own alias")
            facts[pname] = ParamFacts(
                tuple([cps] if isinstance(cps, str) else cps or ()), f.get("convert"), f.get("note"), f.get("code"),
                f.get("hyper", True), f.get("resolves"), f.get("resolved_by"), f.get("applies_when"), aliases)
            unknown = unknown_in(f["applies_when"]) if "applies_when" in f else set()
            if unknown:
                raise TableError(f"{where}: the condition of {pname} reads unknown parameters {sorted(unknown)}")
        implicit = []
        for i in row.get("implicit", ()):
            implicit.append(Implicit(i["name"], i["value"], i.get("counterpart"), i.get("explicit"), i.get("note"),
                                     i.get("code"), i["verified"], i.get("applies_when")))
            if i.get("applies_when") and unknown_in(i["applies_when"]):
                raise TableError(f"{where}: the condition of {i['name']} reads unknown parameters")
        changes = tuple(Change(c["param"], parse_version(c["version"]), c["before"], c["after"], c["source"],
                               c.get("note")) for c in row.get("change", ()))
        history = tuple(History(h["param"], parse_version(h["version"]), h["event"], h["source"])
                        for h in row.get("history", ()))
        kind = ApiKind(row["kind"])
        receivers = tuple(row.get("receivers", ()))
        if receivers and kind is not ApiKind.METHOD:
            raise TableError(f"{where}: only methods have receivers")
        method = row["name"].rsplit(".", 1)[-1]
        spellings = tuple(dict.fromkeys([*row.get("spellings", ()), *(f"{r}.{method}" for r in receivers)]))
        api = Api(
            name=row["name"], framework=framework, kind=kind, category=row["category"], params=params, facts=facts,
            implicit=tuple(implicit), changes=changes, counterpart=row.get("counterpart"), spellings=spellings,
            verified_version=verified, file=rel, since=parse_version(row["since"]) if row.get("since") else None,
            returns=row.get("returns"), note=row.get("note"), receivers=receivers, verified=row.get("verified"),
            history=history,
            examples=tuple(_example(e, row["name"]) for e in row.get("example", ())),
        )
        self._check_history(api, where)
        return api

    def _check_history(self, api: Api, where: str) -> None:
        """Each parameter's changes chain: before of one is after of the previous, the last is in force now."""
        implicit = {i.name for i in api.implicit}
        for h in api.history:
            if api.param(h.param) is None:
                raise TableError(f"{where}: history of unknown parameter {h.param!r}")
        for name in {c.param for c in api.changes}:
            if api.param(name) is None and name not in implicit:
                raise TableError(f"{where}: a change of unknown parameter {name!r}")
            chain = api.changes_of(name)
            for prev, nxt in zip(chain, chain[1:]):
                if prev.version == nxt.version:
                    raise TableError(f"{where}: two changes of {name} at {nxt.version}")
                if _same(prev.after, nxt.before) is False:
                    raise TableError(f"{where}: {name} is {prev.after} from {prev.version} on, but the change at "
                                     f"{nxt.version} says it was {nxt.before}")
            for c in chain:
                if _same(c.before, c.after):
                    raise TableError(f"{where}: the change of {name} at {c.version} changes nothing ({c.before})")
            now = api.current(name)
            if now is not None and _same(chain[-1].after, now) is False:
                raise TableError(f"{where}: the last change of {name} says {chain[-1].after}, the row's value in force "
                                 f"is {now}")
            if any(c.version > api.verified_version for c in chain):
                raise TableError(f"{where}: a change of {name} after the verified release")

    def _apply_extracted(self) -> None:
        """Changes read from wheels join their rows, except for parameters whose row records its own changes
        (hand-verified ones, with sources, win)."""
        touched: dict[str, str] = {}
        own = {(a.name, c.param) for a in self.apis.values() for c in a.changes}
        explained = {(a.name, h.param, h.version) for a in self.apis.values() for h in a.history}
        for rel, e in self._extracted:
            api = self.apis.get(e["api"])
            if api is None:
                raise TableError(f"{rel}: an extracted change of {e['api']}, which has no row")
            if (api.name, e["param"]) in own or (api.name, e["param"], parse_version(e["version"])) in explained:
                continue  # the row's own change, or a history entry saying the value in force stayed
            api.changes = (*api.changes, Change(e["param"], parse_version(e["version"]), e["before"], e["after"],
                                                f"{e['wheel']} (sha256 {e['sha256']})", None))
            touched[api.name] = rel
        for name, rel in touched.items():
            self._check_history(self.apis[name], f"{rel}: {name}")
        for api in self.apis.values():  # a row's own history saying a parameter was added
            for h in api.history:
                if h.event.startswith("added"):
                    api.added.setdefault(h.param, h.version)
        for rel, e in self._added:
            api = self.apis.get(e["api"])
            if api is None or api.param(e["param"]) is None:
                raise TableError(f"{rel}: {e['api']}.{e['param']} was added at {e['version']}, but has no row")
            api.added.setdefault(e["param"], parse_version(e["version"]))

    def _cross_check(self) -> None:
        self._apply_extracted()
        kinds = {(fw, k) for fw, params in self.identifier_params.items() for k in params.values()}
        for (fw, kind, text), api_name in self._identifiers.items():
            if api_name not in self.apis:
                raise TableError(f"{fw}: identifier {text!r} stands for {api_name}, which has no row")
            if (fw, kind) not in kinds:
                raise TableError(f"{fw}: identifier {text!r} has kind {kind!r}, which no identifier_params takes")
        for api in self.apis.values():
            where = f"{api.file}: {api.name}"
            for s in (api.name, *api.spellings):
                if s.split(".", 1)[0] not in self.words:
                    raise TableError(f"{where}: {s} is under no framework root or namespace in frameworks.toml "
                                     f"(files importing it would be skipped)")
            if api.counterpart and api.counterpart not in self.apis:
                raise TableError(f"{where}: counterpart {api.counterpart} has no row")
            for p in api.params:
                if self.is_hyper(api, p):
                    self.code_for(api, p.name)  # raises when no code covers it
                code = api.fact(p.name).code
                if code and code not in self.codes:
                    raise TableError(f"{where}: unknown code {code} for {p.name}")
            for i in api.implicit:
                self.code_for(api, i.name)
                if i.code and i.code not in self.codes:
                    raise TableError(f"{where}: unknown code {i.code} for {i.name}")
            for e in api.examples:
                self._check_example(e, where)
        for c in self.codes.values():
            for e in c.examples:
                self._check_example(e, f"codes.toml: {c.code}")

    def _check_example(self, e: Example, where: str) -> None:
        for code in e.expect:
            if code not in self.codes:
                raise TableError(f"{where}: an example expects unknown code {code}")
        for fw, _ in e.target:
            if fw not in self.frameworks:
                raise TableError(f"{where}: an example targets unknown framework {fw!r}")
        try:
            ast.parse(e.code)
        except SyntaxError as err:
            raise TableError(f"{where}: an example does not parse: {err.msg}") from None

    # -- questions ----------------------------------------------------------------------------------
    def identifier(self, framework: str, param: str, text: str, api: str = "") -> Api | None:
        """The row of the object a string argument stands for (`optimizer='adam'` -> keras.optimizers.Adam);
        `api` is the called API, for parameters named for one API only (`keras.optimizers.get.identifier`)."""
        kind = self._identifier_kind(framework, param, api)
        if kind is None:
            return None
        name = self._identifiers.get((framework, kind, text))
        return self.apis[name] if name is not None else None

    def identifier_replacement(self, framework: str, param: str, text: str, api: str = "") -> str | None:
        """'safe' / 'unsafe' when a fix may write the constructor in place of the string, else None."""
        kind = self._identifier_kind(framework, param, api)
        return self._replacement.get((framework, kind or "", text))

    def _identifier_kind(self, framework: str, param: str, api: str) -> str | None:
        params = self.identifier_params.get(framework, {})
        return params.get(f"{api}.{param}") or params.get(param)

    def framework_of(self, api: Api) -> Framework:
        return self.frameworks[api.framework]

    def display(self, framework: str) -> str:
        fw = self.frameworks.get(framework)
        return fw.display if fw else framework

    def canonical(self, qualname: str) -> str:
        """Map alternative namespaces onto the one the table uses (tensorflow.keras.X -> keras.X)."""
        memo = self._canonical_memo
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

    def by_name(self, qualname: str) -> Api | None:
        name = self._spelling.get(qualname)
        if name is None:
            name = self._spelling.get(self.canonical(qualname))
        return self.apis.get(name) if name is not None else None

    def lookup(self, ref: Ref | None) -> Api | None:
        """The API a reference names: a path, or a method of an instance found through its receiver's type."""
        if ref is None:
            return None
        memo = self._lookup_memo
        if ref in memo:
            return memo[ref]
        api = None
        if type(ref) is Path:
            api = self.by_name(ref.name)
        elif type(ref) is Member and type(ref.base) is Instance:
            of = ref.base.of
            if type(of) is Subclass and ref.name in of.own:
                api = None  # the user's class overrides the method: calling it is not the framework's call
            else:
                receiver = self.type_of(of)
                if receiver is not None:
                    api = self.by_name(f"{receiver}.{ref.name}")
                    if api is None and ref.name == "__init__" and type(of) is Path:
                        api = self.by_name(receiver)  # super().__init__(...): the base class's constructor
                        api = api if api is not None and api.kind is ApiKind.CLASS else None
        if len(memo) > 65536:
            memo.clear()
        memo[ref] = api
        return api

    def type_of(self, callee: Ref) -> str | None:
        """The class of what calling `callee` returns, when the table or the name tells it."""
        if type(callee) is Subclass:
            return self.canonical(callee.base)
        api = self.lookup(callee)
        if api is not None:
            return api.returns or (api.name if api.kind is ApiKind.CLASS else None)
        if type(callee) is Path:
            root, _, rest = callee.name.partition(".")
            last = callee.name.rsplit(".", 1)[-1]
            if rest and last[:1].isupper() and any(root in fw.roots and fw.classes_are_capitalized
                                                   for fw in self.frameworks.values()):
                return self.canonical(callee.name)  # a framework class the table has no row for (keras.Sequential)
            canon = self.canonical(callee.name)
            if canon != callee.name:
                return self.type_of(Path(canon))
        return None

    def code_for(self, api: Api, param: str) -> str:
        """The rule code of a finding about `api.param` (remembered: asked once per finding)."""
        key = (api.name, param)
        code = self._code_memo.get(key)
        if code is None:
            code = self._code_memo[key] = self._code_for(api, param)
        return code

    def _code_for(self, api: Api, param: str) -> str:
        override = api.fact(param).code
        if override:
            return override
        imp = api.implicit_fact(param)
        if imp and imp.code:
            return imp.code
        for c in self.codes.values():
            if c.categories and api.category not in c.categories:
                continue
            if param in c.params:
                return c.code
        for c in self.codes.values():  # a catch-all for the API's category before one for any category
            if "*" in c.params and c.categories and api.category in c.categories:
                return c.code
        for c in self.codes.values():
            if "*" in c.params and not c.categories:
                return c.code
        raise TableError(f"{api.file}: no rule code matches {api.name}.{param}")

    def is_hyper(self, api: Api, param: Param) -> bool:
        if param.kind in (VAR_POS, VAR_KW) or param.default is None:
            return False
        if param.name in api.facts:
            return api.facts[param.name].hyper
        return param.name not in self.not_hyper

    def initializer_framework(self, qualname: str) -> str | None:
        """The framework whose weights a call in an initialising namespace (torch.nn.init.*) sets, or None."""
        head = qualname.rsplit(".", 1)[0]
        if head not in self._initializers:
            return None
        return self._initializers[head]

    def counterpart_names(self, api: Api, param: str) -> tuple[str, ...]:
        """The names `api.param` goes by in the counterpart API (the same name unless the row says otherwise)."""
        fact = api.fact(param) if api.param(param) else None
        if fact and fact.counterparts:
            return fact.counterparts
        imp = api.implicit_fact(param)
        if imp and imp.counterpart:
            return (imp.counterpart,)
        return (param,)

    def counterpart_value(self, api: Api, param: str) -> tuple[Api, str, str] | None:
        """(other API, its parameter name(s), its value in force) for `api.param`, when the table knows both."""
        other = self.apis.get(api.counterpart or "")
        if other is None:
            return None
        names = self.counterpart_names(api, param)
        values = [other.current(n) for n in names]
        if any(v is None for v in values):
            return None
        if len(names) > 1:  # torch betas <-> keras beta_1, beta_2
            return other, ", ".join(names), "(" + ", ".join(values) + ")"  # type: ignore[arg-type]
        return other, names[0], values[0]  # type: ignore[return-value]

    def counterpart_values(self, api: Api, param: str) -> list[tuple[Api, str, str]]:
        """`counterpart_value`, then the counterpart's own counterpart when it is in a third family (a Flax row
        links to PyTorch, PyTorch's row to Keras): the value each other family uses."""
        first = self.counterpart_value(api, param)
        if first is None:
            return []
        out = [first]
        other, oname, _ = first
        third = self.apis.get(other.counterpart or "")
        if third is not None and ", " not in oname and \
                self._family(third.framework) not in (self._family(api.framework), self._family(other.framework)):
            second = self.counterpart_value(other, oname)
            if second is not None:
                out.append(second)
        return out

    def _family(self, framework: str) -> str:
        return self.frameworks[framework].family if framework in self.frameworks else framework

    def counterpart_agrees(self, api: Api, param: str, value: str | None) -> bool:
        """Whether the other framework's value for `api.param` means the same as `value` once conventions
        are converted: equal literals (0.001 and 1e-3), or two spellings equivalences.toml declares the same
        setting (weight_decay None in Keras, 0 in torch). An unknown counterpart never agrees."""
        cp = self.counterpart_value(api, param)
        if cp is None or value is None:
            return False
        other, _, ovalue = cp
        converted = convert(api, param, ovalue)
        if _same_literal(value, converted if converted is not None else ovalue):
            return True
        mine, theirs = self._family(api.framework), self._family(other.framework)
        for group in self.equivalences.get("spelling", ()):
            if group["param"] != param:
                continue
            spelled = group["spelled"]
            if _same_literal(spelled.get(mine), value) and _same_literal(spelled.get(theirs), ovalue):
                return True
        return False

    def targets_from(self, declared: dict[str, str]) -> dict[str, str]:
        """Framework -> version range, from distribution -> range as a project declares them (the first
        distribution of a framework wins), plus the ranges those imply (tf.keras's Keras from TensorFlow)."""
        by_dist = {d.lower(): fw.name for fw in self.frameworks.values() for d in fw.distributions}
        out: dict[str, str] = {}
        for dist, spec in declared.items():
            fw = by_dist.get(dist.lower().replace("_", "-").replace(".", "-"))
            if fw and fw not in out:
                out[fw] = spec
        for fw, spec in list(out.items()):
            for other, implied in self.implied_targets(fw, spec).items():
                out.setdefault(other, implied)
        return out

    def implied_targets(self, framework: str, spec: str) -> dict[str, str]:
        """Ranges of other frameworks that a range of `framework` implies (tf.keras's Keras from TensorFlow)."""
        fw = self.frameworks.get(framework)
        if fw is None:
            return {}
        rng = parse_range(spec)
        out = {}
        for imp in fw.implies:
            at, before, after = (parse_version(imp[k]) for k in ("at", "before", "after"))
            below = any(i.below(at) for i in rng.intervals)
            above = any(i.from_(at) for i in rng.intervals)
            low = before if below else after
            high = after if above else before
            out[imp["framework"]] = f">={_fmt(low)},<{_fmt(_next(high))}"
        return out


def _statement_target(statement: str) -> str | None:
    """The dotted name a one-statement fix assigns or calls (`a.b.c = x`, `a.b(x)`), or None."""
    try:
        body = ast.parse(statement).body
    except SyntaxError:
        return None
    if len(body) != 1:
        return None
    st = body[0]
    if isinstance(st, ast.Assign) and len(st.targets) == 1:
        node = st.targets[0]
    elif isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
        node = st.value.func
    else:
        return None
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or not parts and isinstance(st, ast.Assign):
        return None
    return ".".join([node.id, *reversed(parts)])


def _fmt(v: Version) -> str:
    return ".".join(map(str, v))


def _next(v: Version) -> Version:
    return (*v[:-1], v[-1] + 1)


def _same(a: str, b: str) -> bool | None:
    """Whether two value sources mean the same literal; None when either is not a literal."""
    if a == b:
        return True
    try:
        x, y = _literal(a), _literal(b)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return x == y and type(x) is type(y)


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
    """The counterpart's `value` in this API's convention for `param`, when the row names a conversion."""
    from decimal import InvalidOperation

    fn = CONVERSIONS.get(api.fact(param).convert or "")
    if fn is None:
        return None
    try:
        return fn(value)
    except (InvalidOperation, ValueError, TypeError):  # a non-numeric value has no converted form
        return None


def _same_literal(a: str | None, b: str | None) -> bool:
    """Two Python literals (as source) with the same value: 0.001 and 1e-3, (0.9, 0.999) and [0.9, 0.999]."""
    if a is None or b is None:
        return False
    if a == b:
        return True
    try:
        x, y = ast.literal_eval(a), ast.literal_eval(b)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    if isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)):
        return len(x) == len(y) and all(_same_literal(repr(p), repr(q)) for p, q in zip(x, y))
    if isinstance(x, bool) or isinstance(y, bool) or x is None or y is None:
        return x is y
    return type(x) in (int, float) and type(y) in (int, float) and x == y or (type(x) is type(y) and x == y)
