"""The schema of the default table: every key of every file under rules/, its type, and what it means.

The loader checks each file against this before building anything: an unknown or misspelled key, a
value of the wrong type, a value that is not a Python literal where one is expected, or a condition the
condition language cannot read is a `TableError` naming the file, the row and the key. docs/table-format.md
documents the same keys; a test keeps the two in step.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field
from typing import Any, Callable


class TableError(Exception):
    """The table data is malformed (a bug in rules/, never in user code)."""


# -- value types ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Type:
    """A type of value: a name for messages and a check returning an error text or None."""

    name: str
    check: Callable[[Any], str | None]


def _is(py: type, name: str) -> Type:
    return Type(name, lambda v: None if isinstance(v, py) and not (py is int and isinstance(v, bool))
                else f"expected {name}, got {type(v).__name__} {v!r:.60}")


STR = _is(str, "a string")
BOOL = _is(bool, "true or false")
INT = _is(int, "an integer")


def _literal(v: Any) -> str | None:
    if not isinstance(v, str):
        return f"expected Python source of a literal (a string), got {type(v).__name__} {v!r:.60}"
    if v == "<required>":
        return None
    try:
        ast.literal_eval(v)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return f"{v!r:.60} is not a Python literal"
    return None


def _expression(v: Any) -> str | None:
    if v == "<required>":
        return None
    if not isinstance(v, str):
        return f"expected Python source (a string), got {type(v).__name__} {v!r:.60}"
    try:
        ast.parse(v, mode="eval")
    except SyntaxError:
        return f"{v!r:.60} is not a Python expression"
    return None


def _version(v: Any) -> str | None:
    from defaultlint.core.versions import parse_version

    if not isinstance(v, str):
        return f"expected a release as a string (\"2.6\"), got {type(v).__name__} {v!r:.60}"
    try:
        parse_version(v)
    except ValueError:
        return f"{v!r:.60} is not a release number"
    return None


def _range(v: Any) -> str | None:
    from defaultlint.core.versions import parse_range

    if not isinstance(v, str):
        return f"expected a version range as a string, got {type(v).__name__} {v!r:.60}"
    try:
        parse_range(v)
    except ValueError as e:
        return str(e)
    return None


def _signature(v: Any) -> str | None:
    if not isinstance(v, str) or not v.startswith("("):
        return f"expected a signature such as \"(a, b=1, *, c=2)\", got {v!r:.60}"
    try:
        ast.parse(f"def _{v}: pass")
    except SyntaxError as e:
        return f"bad signature {v!r:.60}: {e.msg}"
    return None


def _condition(v: Any) -> str | None:
    from defaultlint.core.conditions import ConditionError, compile_condition

    if not isinstance(v, str):
        return f"expected a condition (a string), got {type(v).__name__} {v!r:.60}"
    try:
        compile_condition(v)
    except ConditionError as e:
        return str(e)
    return None


def _dotted(v: Any) -> str | None:
    if not isinstance(v, str) or not all(p.isidentifier() for p in v.split(".")):
        return f"expected a dotted name such as \"torch.nn.Linear\", got {v!r:.60}"
    return None


def _code(v: Any) -> str | None:
    if not isinstance(v, str) or not (v[:2] == "DL" and v[2:].isdigit() and len(v) == 5):
        return f"expected a rule code such as \"DL201\", got {v!r:.60}"
    return None


def _names(v: Any) -> str | None:
    if isinstance(v, str) or (isinstance(v, list) and v and all(isinstance(x, str) for x in v)):
        return None
    return f"expected a name or a list of names, got {v!r:.60}"


NAMES = Type("a name or a list of names", _names)
LITERAL = Type("a Python literal", _literal)
EXPRESSION = Type("Python source of a value", _expression)
VERSION = Type("a release", _version)
RANGE = Type("a version range", _range)
SIGNATURE = Type("a signature", _signature)
CONDITION = Type("a condition", _condition)
DOTTED = Type("a dotted name", _dotted)
CODE = Type("a rule code", _code)


def one_of(*values: str) -> Type:
    return Type(" | ".join(repr(x) for x in values),
                lambda v: None if v in values else f"expected one of {', '.join(map(repr, values))}, got {v!r:.60}")


def list_of(item: Type) -> Type:
    def check(v: Any) -> str | None:
        if not isinstance(v, list):
            return f"expected a list of {item.name}, got {type(v).__name__} {v!r:.60}"
        for i, x in enumerate(v):
            err = item.check(x)
            if err:
                return f"item {i}: {err}"
        return None

    return Type(f"a list of {item.name}", check)


def map_of(key: Type, value: Type) -> Type:
    def check(v: Any) -> str | None:
        if not isinstance(v, dict):
            return f"expected a table, got {type(v).__name__} {v!r:.60}"
        for k, x in v.items():
            err = key.check(k) or value.check(x)
            if err:
                return f"{k!r}: {err}"
        return None

    return Type(f"a table of {key.name} = {value.name}", check)


# -- shapes of tables -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Key:
    type: "Type | Shape | Many"
    doc: str
    required: bool = False


@dataclass(frozen=True)
class Shape:
    """A TOML table with known keys; `each` types the values of a table whose keys are names (params)."""

    name: str
    keys: dict[str, Key] = field(default_factory=dict)
    each: "Shape | None" = None


@dataclass(frozen=True)
class Many:
    """An array of tables (`[[api]]`), each of the shape."""

    shape: Shape


def validate(data: Any, shape: Shape, where: str) -> None:
    """Raise TableError at the first key of `data` that `shape` does not allow."""
    errors = list(_errors(data, shape, where))
    if errors:
        raise TableError(errors[0] if len(errors) == 1 else errors[0] + f" (and {len(errors) - 1} more)")


def _errors(data: Any, shape: Shape, where: str):
    if not isinstance(data, dict):
        yield f"{where}: expected a table ({shape.name}), got {type(data).__name__}"
        return
    if shape.each is not None:
        for k, v in data.items():
            yield from _errors(v, shape.each, f"{where}.{k}")
        return
    for k, v in data.items():
        key = shape.keys.get(k)
        if key is None:
            close = difflib.get_close_matches(k, list(shape.keys), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(shape.keys)})"
            yield f"{where}: unknown key {k!r} in {shape.name}{hint}"
            continue
        yield from _value_errors(v, key.type, f"{where}.{k}")
    for k, key in shape.keys.items():
        if key.required and k not in data:
            yield f"{where}: {shape.name} needs `{k}`"


def _value_errors(v: Any, t: "Type | Shape | Many", where: str):
    if isinstance(t, Shape):
        yield from _errors(v, t, where)
    elif isinstance(t, Many):
        if not isinstance(v, list):
            yield f"{where}: expected an array of tables ([[...]]), got {type(v).__name__}"
            return
        for i, item in enumerate(v):
            label = item.get("name") if isinstance(item, dict) and isinstance(item.get("name"), str) else None
            yield from _errors(item, t.shape, f"{where}[{i}]" + (f" ({label})" if label else ""))
    else:
        err = t.check(v)
        if err:
            yield f"{where}: {err}"


# -- the rules files --------------------------------------------------------------------------------------
ALIAS = Shape("an alias", {
    "param": Key(STR, "another parameter (often a deprecated spelling) that sets the same thing", required=True),
    "values": Key(map_of(LITERAL, LITERAL), "how its values map onto this parameter's (omitted: the same value)"),
})

PARAM = Shape("parameter facts", {
    "counterpart": Key(NAMES, "its name in the counterpart API (default: the same name); a list when one "
                              "tuple parameter holds several (betas <-> beta_1, beta_2)"),
    "convert": Key(one_of("one_minus"), "how the counterpart's value maps to this convention"),
    "note": Key(STR, "where the same name means different things, or what the value implies"),
    "code": Key(CODE, "the rule code, overriding what codes.toml would pick"),
    "hyper": Key(BOOL, "false: not a hyperparameter, never reported"),
    "resolves": Key(EXPRESSION, "the value a sentinel default (None) takes at run time (source; not always a "
                                "literal)"),
    "resolved_by": Key(STR, "what resolves the sentinel (shown to the user)"),
    "applies_when": Key(CONDITION, "the condition under which the parameter has any effect (else not reported)"),
    "alias": Key(Many(ALIAS), "other spellings that set this parameter (`alpha` for `negative_slope`)"),
})

IMPLICIT = Shape("an implicit fact", {
    "name": Key(STR, "the fact's name (weight_init, bias_init, ...)", required=True),
    "value": Key(STR, "what the framework does, as code", required=True),
    "counterpart": Key(STR, "the counterpart API's parameter or fact for the same thing"),
    "explicit": Key(STR, "the code that writes it explicitly; {obj} stands for the layer"),
    "note": Key(STR, "an explanation"),
    "code": Key(CODE, "the rule code, overriding what codes.toml would pick"),
    "verified": Key(one_of("instantiation", "behaviour"), "how the verification tests check it", required=True),
    "applies_when": Key(CONDITION, "the condition under which the fact holds (bias_init only when bias)"),
})

CHANGE = Shape("a change", {
    "param": Key(STR, "the parameter or implicit fact whose value in force changed", required=True),
    "version": Key(VERSION, "the first release with `after`", required=True),
    "before": Key(EXPRESSION, "the value below `version` (<required> when the parameter had no default)",
                  required=True),
    "after": Key(EXPRESSION, "the value from `version` on", required=True),
    "source": Key(STR, "where the change is documented (release notes, pull request)", required=True),
    "note": Key(STR, "what the source says, where releases and sources disagree"),
})

HISTORY = Shape("a history entry", {
    "param": Key(STR, "the parameter", required=True),
    "version": Key(VERSION, "the release of the event", required=True),
    "event": Key(STR, "what changed in the signature while the value in force stayed", required=True),
    "source": Key(STR, "where it is documented", required=True),
})

EXAMPLE = Shape("an example", {
    "code": Key(STR, "a small program using the API", required=True),
    "expect": Key(list_of(CODE), "exactly the distinct codes it reports under its selection (empty: none)",
                  required=True),
    "fixed": Key(STR, "the exact text after `--fix` (safe fixes)"),
    "unsafe_fixed": Key(STR, "the exact text after `--fix --unsafe-fixes`"),
    "select": Key(list_of(STR), "the selection to check it with (default: ALL for a row's example, the code "
                                "for a code's example)"),
    "target": Key(map_of(STR, RANGE), "target versions to check it with"),
})

API = Shape("an API row", {
    "name": Key(DOTTED, "the canonical qualified name (methods: Class.method)", required=True),
    "spellings": Key(list_of(DOTTED), "other paths that reach the same object"),
    "kind": Key(one_of("class", "function", "method"), "what the name is", required=True),
    "category": Key(STR, "with the parameter name, picks the rule code from codes.toml", required=True),
    "signature": Key(SIGNATURE, "the signature of the verified release (methods without self)", required=True),
    "counterpart": Key(DOTTED, "the other framework's API for the same thing"),
    "returns": Key(DOTTED, "the class of what a call returns (for method chains)"),
    "receivers": Key(list_of(DOTTED), "methods: the classes whose instances have the method (each gives a spelling)"),
    "since": Key(VERSION, "the first release with this API"),
    "note": Key(STR, "an explanation shown with the row"),
    "verified": Key(one_of("behaviour"), "a function written in C: defaults checked by running it"),
    "params": Key(Shape("params", each=PARAM), "facts per parameter"),
    "implicit": Key(Many(IMPLICIT), "defaults no signature shows"),
    "change": Key(Many(CHANGE), "defaults that changed at a release"),
    "history": Key(Many(HISTORY), "signature events that left the value in force unchanged"),
    "example": Key(Many(EXAMPLE), "programs the tests check: findings expected, exact fixed text"),
})

META = Shape("[meta]", {
    "framework": Key(STR, "the framework the rows belong to (a name in frameworks.toml)", required=True),
    "verified_version": Key(VERSION, "the release the rows are dumped from and verified against", required=True),
})

IDENTIFIER = Shape("a string identifier", {
    "kind": Key(STR, "what it names (a kind in identifier_params)", required=True),
    "names": Key(list_of(STR), "the strings (`'adam'`, `'Adam'`)", required=True),
    "api": Key(DOTTED, "the row of the object it stands for", required=True),
    "note": Key(STR, "how the object the string gives relates to the row (the same class; the function a loss "
                     "class wraps)"),
    "replacement": Key(one_of("safe", "unsafe"), "how the fix that writes the row's constructor in place of the "
                                                 "string is graded (omitted: no fix, the message shows it)"),
})

EXTRACTED = Shape("an extracted change", {
    "api": Key(DOTTED, "the row", required=True),
    "param": Key(STR, "the parameter whose signature default changed", required=True),
    "version": Key(VERSION, "the first release read with `after`", required=True),
    "before": Key(EXPRESSION, "the default in the release read before it", required=True),
    "after": Key(EXPRESSION, "the default from `version` on", required=True),
    "wheel": Key(STR, "the wheel it was read from", required=True),
    "sha256": Key(STR, "that wheel's sha256", required=True),
})

ADDED = Shape("a parameter added", {
    "api": Key(DOTTED, "the row", required=True),
    "param": Key(STR, "the parameter the release added (older releases reject it)", required=True),
    "version": Key(VERSION, "the first release read that takes it", required=True),
    "wheel": Key(STR, "the wheel it was read from", required=True),
    "sha256": Key(STR, "that wheel's sha256", required=True),
})

ROWS_FILE = Shape("a rules file", {
    "meta": Key(META, "the framework and verified release", required=True),
    "api": Key(Many(API), "the rows"),
    "identifier_params": Key(map_of(STR, STR), "parameters of this framework's calls that accept a string "
                                               "identifier, and the kind of object it names (`API.parameter` "
                                               "for one API's parameter only)"),
    "identifier": Key(Many(IDENTIFIER), "string identifiers and the rows of the objects they stand for"),
    "extracted": Key(Many(EXTRACTED), "changes of signature defaults read from published wheels "
                                      "(generated by defaultlint.tools.history; a row's own changes win)"),
    "added": Key(Many(ADDED), "parameters added at a release, read from published wheels (generated)"),
})

CODE_ROW = Shape("a code", {
    "code": Key(CODE, "the rule code", required=True),
    "name": Key(STR, "its kebab-case name", required=True),
    "summary": Key(STR, "one line", required=True),
    "default": Key(BOOL, "in the default selection", required=True),
    "params": Key(list_of(STR), "parameter names it covers (\"*\": any)", required=True),
    "categories": Key(list_of(STR), "API categories it covers (omitted: any)"),
    "why": Key(STR, "why a hidden value matters", required=True),
    "what": Key(STR, "what it reports (default: [defaults] what)"),
    "fix_safety": Key(STR, "how safe its fix is (default: [defaults] fix_safety)"),
    "example": Key(Many(EXAMPLE), "programs the tests check"),
})

CODES_FILE = Shape("codes.toml", {
    "defaults": Key(Shape("[defaults]", {"what": Key(STR, "what a code reports", required=True),
                                         "fix_safety": Key(STR, "how safe its fix is", required=True)}),
                    "texts for codes that do not give their own", required=True),
    "not_hyperparameters": Key(list_of(STR), "parameter names that are never hyperparameters", required=True),
    "code": Key(Many(CODE_ROW), "the rule codes", required=True),
})

IMPLIES = Shape("an implied target", {
    "framework": Key(STR, "the framework whose release is implied", required=True),
    "at": Key(VERSION, "the release of this framework where the implied series changes", required=True),
    "before": Key(VERSION, "the implied release series below `at`", required=True),
    "after": Key(VERSION, "the implied release series from `at` on", required=True),
})

FRAMEWORK = Shape("a framework", {
    "name": Key(STR, "its key in rows ([meta] framework), targets and configuration", required=True),
    "display": Key(STR, "its name in messages", required=True),
    "family": Key(STR, "the side of a port it belongs to (torchvision is on torch's side)", required=True),
    "roots": Key(list_of(STR), "top-level import names of its APIs", required=True),
    "distributions": Key(list_of(STR), "PyPI distributions whose pinned release is its release", required=True),
    "classes_are_capitalized": Key(BOOL, "a capitalized name under a root is a class even without a row"),
    "initializers": Key(list_of(DOTTED), "namespaces whose calls initialise weights explicitly"),
    "tensor_facts": Key(map_of(STR, list_of(STR)), "a layer's tensor attribute (longest prefix) -> the implicit "
                                                   "facts initialising it sets (weight -> weight_init)"),
    "tensor_methods": Key(list_of(STR), "in-place initialisers of a tensor: methods (m.weight.data.normal_()) or "
                                        "functions of it from any module (trunc_normal_(m.weight))"),
    "in_place_suffix": Key(STR, "a function named with it and given a layer's tensor initialises it in place"),
    "init_methods": Key(list_of(STR), "methods the framework or its libraries run when a model is built "
                                      "(reset_parameters, _init_weights): initialisation there counts"),
    "implies": Key(Many(IMPLIES), "releases of another framework a range of this one implies"),
})

PYTHON = Shape("[python]", {
    "not_constructing": Key(list_of(DOTTED), "callables that take a class without constructing it", required=True),
    "partial": Key(list_of(DOTTED), "callables that bind arguments of the callable they are given", required=True),
})

FRAMEWORKS_FILE = Shape("frameworks.toml", {
    "framework": Key(Many(FRAMEWORK), "the frameworks", required=True),
    "namespaces": Key(map_of(DOTTED, DOTTED), "prefixes that reach the same APIs under another name", required=True),
    "namespace_targets": Key(map_of(DOTTED, map_of(STR, RANGE)), "the releases a module that imports this "
                                                                 "namespace runs (tf_keras: Keras 2)"),
    "python": Key(PYTHON, "what the standard library's callables do with the classes they are given", required=True),
})

INITIALIZER = Shape("an initializer", {
    "name": Key(STR, "a canonical name for the distribution", required=True),
    "spelled": Key(map_of(STR, STR), "how each framework writes it ({w} is the tensor)", required=True),
    "grade": Key(one_of("exact", "approximate"), "how closely the spellings agree"),
    "note": Key(STR, "why, when not exact, or what differs"),
    "splits": Key(BOOL, "set on each part of a tensor held in parts (tensor_parts), it gives the same result"),
})

SPELLING = Shape("a spelling", {
    "param": Key(STR, "the parameter name (either side's)", required=True),
    "spelled": Key(map_of(STR, LITERAL), "the same setting written by each framework", required=True),
})

INEXACT = Shape("an inexact equivalence", {
    "apis": Key(list_of(DOTTED), "the APIs it concerns", required=True),
    "param": Key(STR, "the parameter", required=True),
    "reason": Key(STR, "why no argument makes the two exactly equal", required=True),
    "replaces_note": Key(BOOL, "the reason says everything the parameter's note says"),
    "others": Key(list_of(DOTTED), "the APIs on the other side it concerns (default: any API of another "
                                   "framework)"),
})

CONVENTION = Shape("a convention", {
    "param": Key(STR, "a parameter one framework has and another lacks", required=True),
    "value": Key(LITERAL, "its value", required=True),
    "advice": Key(map_of(STR, STR), "for each framework lacking it: what the value means and how to match it",
                  required=True),
    "match": Key(map_of(STR, LITERAL), "for each framework lacking it: the value of the parameter that matches "
                                       "that framework's convention"),
})

COMPANION = Shape("a companion", {
    "api": Key(DOTTED, "the API", required=True),
    "param": Key(STR, "the parameter", required=True),
    "with": Key(STR, "the arguments it needs besides its own value (when that is not the off value)", required=True),
    "off": Key(LITERAL, "the value that needs no companion", required=True),
})

FACT_AS_PARAM = Shape("a fact written as a parameter", {
    "fact": Key(STR, "an implicit fact of one framework", required=True),
    "param": Key(STR, "the other framework's parameter for it", required=True),
    "value": Key(LITERAL, "the parameter value that matches the fact", required=True),
})

COMPARISON = Shape("a comparison strategy", {
    "param": Key(STR, "a parameter name", required=True),
    "strategy": Key(one_of("initializer", "conv_padding"), "how its values are compared", required=True),
})

INITIALIZER_STYLE = Shape("an initializer style", {
    "style": Key(one_of("argument", "statement"), "an argument of the layer, or a statement on its tensor",
                 required=True),
    "namespace": Key(DOTTED, "statement style: the namespace of the initialising functions"),
})

CONV_PADDING = Shape("[conv_padding]", {
    "kernel": Key(list_of(STR), "parameter names of the kernel size", required=True),
    "dilation": Key(list_of(STR), "parameter names of the dilation", required=True),
    "stride": Key(list_of(STR), "parameter names of the stride", required=True),
    "none": Key(STR, "the word for no padding", required=True),
    "same": Key(STR, "the word for output size = input size", required=True),
    "none_also": Key(list_of(STR), "other spellings of the word for no padding"),
    "same_also": Key(list_of(STR), "other spellings of the word for output size = input size"),
    "explicit": Key(map_of(STR, STR), "per framework writing padding as a word: how it pads explicitly "
                                      "({pad} is the amount)"),
    "words": Key(map_of(STR, map_of(one_of("none", "same"), EXPRESSION)),
                 "per framework: its own spelling of the two words, which a fix writes instead of a number"),
})

EQUIVALENCES_FILE = Shape("equivalences.toml", {
    "initializer": Key(Many(INITIALIZER), "initialisers and how each framework writes them", required=True),
    "spelling": Key(Many(SPELLING), "one setting spelled differently by each framework"),
    "inexact": Key(Many(INEXACT), "equivalences no argument makes exact"),
    "convention": Key(Many(CONVENTION), "parameters one side has and the other lacks"),
    "companion": Key(Many(COMPANION), "arguments a value needs besides itself"),
    "fact_as_param": Key(Many(FACT_AS_PARAM), "implicit facts the other framework writes as a parameter"),
    "comparison": Key(Many(COMPARISON), "parameters compared by a strategy rather than by value"),
    "same_distribution": Key(STR, "the note on initialisers that agree in distribution only", required=True),
    "tensor_parts": Key(map_of(STR, list_of(STR)), "a tensor that has sibling tensors set with it "
                                                   "(torch RNN bias_ih with bias_hh)"),
    "initializer_prefixes": Key(list_of(STR), "prefixes of an initialiser's spelling that do not change which "
                                              "it is (each optional, in order)", required=True),
    "terms": Key(map_of(STR, STR), "terms suggested code may contain, explained wherever they appear"),
    "initializer_style": Key(Shape("initializer styles", each=INITIALIZER_STYLE), "per framework: how it sets "
                                                                                 "an initialiser", required=True),
    "conv_padding": Key(CONV_PADDING, "how convolution padding compares across frameworks", required=True),
})

ENTRY = Shape("an entry call", {
    "method": Key(STR, "a method whose call, in code that runs when the module is executed, makes it a program",
                  required=True),
    "receiver": Key(STR, "the namespace the receiver's class is under (an instance of it or of a subclass), "
                         "or \"*\" for any receiver", required=True),
    "note": Key(STR, "why the call marks a program"),
})

ENVIRONMENT = Shape("[environment]", {
    "mappings": Key(list_of(DOTTED), "mappings of the environment: an item assignment, `setdefault` or `update` "
                                     "of them sets a variable", required=True),
    "setters": Key(list_of(DOTTED), "calls whose first argument names the variable they set", required=True),
})

FLAG_SET = Shape("a way to set a flag", {
    "assign": Key(DOTTED, "an attribute whose assignment sets it"),
    "call": Key(DOTTED, "a call that sets it"),
    "first": Key(STR, "with `call`: the string its first argument must be (one setter of many options: "
                      "`config.update('option_name', value)`)"),
    "env": Key(STR, "an environment variable that sets it"),
    "note": Key(STR, "how this setting relates to the flag"),
})

FLAG_CHANGE = Shape("a change of a flag", {
    "version": Key(VERSION, "the first release with `after`", required=True),
    "before": Key(LITERAL, "the value below `version`", required=True),
    "after": Key(LITERAL, "the value from `version` on", required=True),
    "source": Key(STR, "where the change is documented", required=True),
})

FLAG = Shape("a program flag", {
    "name": Key(STR, "the flag's name (kebab-case)", required=True),
    "code": Key(CODE, "the rule code reporting it unset", required=True),
    "framework": Key(STR, "the framework whose release decides the value (omitted: the standard library or "
                          "NumPy, whose value does not change)"),
    "imports": Key(list_of(STR), "top-level modules: a program importing any of them is concerned",
                   required=True),
    "label": Key(STR, "what the flag controls, for messages", required=True),
    "read": Key(STR, "an expression reading the flag back (verification)"),
    "value": Key(LITERAL, "the value in force in the verified release when the program does not set it"),
    "shown": Key(map_of(STR, STR), "what each value means, for messages"),
    "shown_unset": Key(STR, "for a flag without a value (a seed): what holds when the program does not set it"),
    "draw": Key(STR, "a seed: an expression drawing from the generator (verification: two seeded runs agree)"),
    "since": Key(VERSION, "the first release where the fix's statement works (older targets: unsafe fix)"),
    "fix": Key(STR, "the statement the fix inserts after the imports, `{value}` standing for the value in force"),
    "unsafe": Key(STR, "why the fix is unsafe whatever the release (a seed is a choice, not the default)"),
    "display": Key(STR, "no statement states the default: what the message shows instead"),
    "counterpart": Key(STR, "the other framework's flag for the same thing"),
    "other": Key(STR, "what the other framework does, when it has no flag here"),
    "note": Key(STR, "an explanation shown with the finding"),
    "set": Key(Many(FLAG_SET), "the statements that set it explicitly", required=True),
    "change": Key(Many(FLAG_CHANGE), "values in force that changed at a release"),
})

PROGRAM_FILE = Shape("program.toml", {
    "entry": Key(Many(ENTRY), "method calls that make a module a program (a main guard always does)",
                 required=True),
    "environment": Key(ENVIRONMENT, "how a program sets environment variables", required=True),
    "flag": Key(Many(FLAG), "the flags of the whole program", required=True),
})

PRESET = Shape("a preset", {
    "name": Key(STR, "the preset's name, as `preset = [...]` and `--preset` write it", required=True),
    "summary": Key(STR, "one line", required=True),
    "description": Key(STR, "what it is for and what it adds", required=True),
    "codes": Key(list_of(CODE), "the codes it adds to the default selection", required=True),
    "auto": Key(one_of("both-families"), "when it turns on by itself: `both-families`, when the project uses "
                                         "frameworks of two families (dependencies or imports)"),
    "differences_only": Key(BOOL, "its codes report only values the other framework does not share"),
})

PRESETS_FILE = Shape("presets.toml", {
    "preset": Key(Many(PRESET), "named sets of codes for an intent", required=True),
})

FILES = {"presets.toml": PRESETS_FILE, "codes.toml": CODES_FILE, "frameworks.toml": FRAMEWORKS_FILE, "equivalences.toml": EQUIVALENCES_FILE,
         "program.toml": PROGRAM_FILE}


def every_key() -> dict[str, set[str]]:
    """Each shape's name -> its keys (for the documentation check)."""
    out: dict[str, set[str]] = {}

    def walk(shape: Shape) -> None:
        if shape.name in out:
            return
        out[shape.name] = set(shape.keys)
        for key in shape.keys.values():
            t = key.type
            if isinstance(t, Many):
                walk(t.shape)
            elif isinstance(t, Shape):
                walk(t.each if t.each is not None else t)
        if shape.each is not None:
            walk(shape.each)

    for s in (ROWS_FILE, *FILES.values()):
        walk(s)
    return out
