"""Dump table rows from an installed framework: `python -m defaultlint.tools.tablegen NAME... [options]`.

    python -m defaultlint.tools.tablegen torch.nn.Linear torch.optim.Adam --meta
    python -m defaultlint.tools.tablegen keras.layers.Dense --category layer --counterpart torch.nn.Linear
    python -m defaultlint.tools.tablegen --check rules/torch        # compare recorded rows with the installed release

For each public name it prints a TOML `[[api]]` row with `name`, `spellings`, `kind`, `category` (a guess;
correct it) and `signature` as `inspect.signature` shows it, every default spelled by `default_source`.
The facts a signature cannot show (counterparts, notes, implicit initialisation, resolved sentinels, changes
between releases) are added by hand; `--check` then tells which recorded signatures the installed release
contradicts, so adding a release is: install it, run `--check`, update the rows it names.

Framework-generic: nothing here knows torch or keras beyond a name's first component. The verification tests
(tests/verify/) use the same functions, so the table is checked exactly the way it is dumped. Frameworks are
imported lazily, inside functions, never at import time of this module.
"""

from __future__ import annotations

import argparse
import importlib
import enum
import inspect
import math
import sys
import types
from pathlib import Path

# A guess of the table category from where an object is defined (first matching prefix wins).
# Each framework's helper may add its own prefixes; the row is written by a person who checks the guess.
CATEGORY_GUESS: list[tuple[str, str]] = [
    ("torch.nn.modules.batchnorm", "normalization"),
    ("torch.nn.modules.normalization", "normalization"),
    ("torch.nn.modules.instancenorm", "normalization"),
    ("torch.nn.modules.rnn", "recurrent"),
    ("torch.nn.modules.activation.MultiheadAttention", "attention"),
    ("torch.nn.modules.transformer", "attention"),
    ("torch.nn.modules.activation", "activation"),
    ("torch.nn.modules.loss", "loss"),
    ("torch.nn.modules.pooling", "pooling"),
    ("torch.nn.modules.flatten", "reshape"),
    ("torch.optim.lr_scheduler", "schedule"),
    ("torch.optim", "optimizer"),
    ("torch.utils.data", "data"),
    ("torch.nn.modules", "layer"),
    ("keras.src.layers.normalization", "normalization"),
    ("keras.src.layers.rnn", "recurrent"),
    ("keras.src.layers.attention", "attention"),
    ("keras.src.layers.activations", "activation"),
    ("keras.src.layers.pooling", "pooling"),
    ("keras.src.layers.reshaping", "reshape"),
    ("keras.src.layers.preprocessing", "preprocessing"),
    ("keras.src.optimizers.schedules", "schedule"),
    ("keras.src.optimizers", "optimizer"),
    ("keras.src.losses", "loss"),
    ("keras.src.callbacks", "callback"),
    ("keras.src.layers", "layer"),
]


class DumpError(Exception):
    """A name does not import, or an object has no signature to dump."""


# -- objects ----------------------------------------------------------------------------------------------
def import_torchvision():
    """Import torchvision beside a CPU build of torch whose operator library its compiled extension cannot
    load (the registry's torchvision wheel is built against a CUDA torch): its transforms are pure Python and
    need none of those operators, so the fake-tensor registrations for them are skipped while it imports."""
    import sys

    if "torchvision" in sys.modules:
        return sys.modules["torchvision"]
    import torch.library

    register = torch.library.register_fake
    torch.library.register_fake = lambda *args, **kwargs: (lambda fn: fn)
    try:
        return importlib.import_module("torchvision")
    finally:
        torch.library.register_fake = register


def _import(modname: str):
    if modname.split(".")[0] == "torchvision":
        import_torchvision()
    return importlib.import_module(modname)


def resolve(name: str):
    """Import the object a dotted public name denotes: the longest importable module prefix, then attributes."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        modname = ".".join(parts[:i])
        try:
            obj = _import(modname)
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            continue
        return obj
    raise DumpError(f"{name} does not import")


def framework_version(framework: str) -> str:
    """The installed release of a framework, without a local part ('2.13.0+cpu' -> '2.13.0')."""
    mod = _import(framework)
    return str(getattr(mod, "__version__", "0")).split("+")[0]


def kind_of(obj) -> str:
    if inspect.isclass(obj):
        return "class"
    if inspect.ismethod(obj) or (inspect.isfunction(obj) and "." in getattr(obj, "__qualname__", "")):
        return "method"
    return "function"


def _public(dotted: str) -> bool:
    return not any(part.startswith("_") for part in dotted.split("."))


def spellings(name: str, obj=None) -> list[str]:
    """Other public dotted names that import as the same object.

    The defining module's path (`obj.__module__ + "." + obj.__qualname__`) and every public parent package of
    it that re-exports the object under the same name. Private paths (a component starting with `_`) are left
    out: code does not spell them, and they move between releases.
    """
    obj = resolve(name) if obj is None else obj
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if not module or not qualname or "<" in qualname:
        return []
    out: list[str] = []
    candidates = [f"{module}.{qualname}"]
    parts = module.split(".")
    for i in range(len(parts) - 1, 0, -1):
        candidates.append(".".join(parts[:i]) + "." + qualname)
    for cand in candidates:
        if cand == name or cand in out or not _public(cand):
            continue
        try:
            if resolve(cand) is obj:
                out.append(cand)
        except DumpError:
            continue
    return out


# -- signatures -------------------------------------------------------------------------------------------
def _public_path(kind: type) -> str:
    """The shortest importable public path of a class: its module's, shortened while the parent package
    exports the same object (torchvision.transforms.functional.InterpolationMode ->
    torchvision.transforms.InterpolationMode)."""
    parts = kind.__module__.split(".")
    best = f"{kind.__module__}.{kind.__qualname__}"
    for i in range(len(parts) - 1, 0, -1):
        try:
            if getattr(_import(".".join(parts[:i])), kind.__qualname__, None) is kind and not any(
                    p.startswith("_") for p in parts[:i]):
                best = f"{'.'.join(parts[:i])}.{kind.__qualname__}"
        except ImportError:
            break
    return best


def default_source(value) -> str:
    """A default as Python source: repr(), except where repr() is not source (functions, classes, inf, nan)."""
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return "float('nan')"
        return "float('inf')" if value > 0 else "-float('inf')"
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)):
        module = getattr(value, "__module__", None)
        qualname = getattr(value, "__qualname__", None)
        if module and qualname and "<" not in qualname:
            return f"{module}.{qualname}" if module != "builtins" else qualname
    if isinstance(value, enum.Enum):  # InterpolationMode.BILINEAR, not its repr
        kind = type(value)
        return f"{_public_path(kind)}.{value.name}"
    if isinstance(value, tuple):
        inner = ", ".join(default_source(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(default_source(v) for v in value) + "]"
    return repr(value)


def signature_of(obj) -> inspect.Signature:
    """inspect.signature of a class (its constructor, without self) or function; DumpError when there is none.

    A constructor written as `__init__(self, *args, **kwargs)` behind `typing.overload` declarations (torch's
    LSTM, GRU, RNN) answers with its first overload that names its parameters: the documented signature.
    """
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError) as e:
        raise DumpError(f"{getattr(obj, '__qualname__', obj)} has no inspect.signature ({e}); write the documented "
                        f"overload by hand and verify its defaults by behaviour") from None
    if _only_varargs(sig):
        overloaded = _first_overload(obj) or _constructor(obj)
        if overloaded is not None:
            return overloaded
    return _factory_defaults(obj, sig)


def _constructor(obj) -> inspect.Signature | None:
    """A class whose metaclass `__call__` takes `(*args, **kwargs)` hides its constructor from inspect.signature;
    the class's own `__init__` (without self) is what a call binds."""
    if not inspect.isclass(obj) or "__init__" not in vars(obj):
        return None
    try:
        sig = inspect.signature(obj.__init__)
    except (TypeError, ValueError):
        return None
    params = list(sig.parameters.values())[1:]
    replaced = sig.replace(parameters=params)
    return None if _only_varargs(replaced) else replaced


def _factory_defaults(obj, sig: inspect.Signature) -> inspect.Signature:
    """A dataclass field with a `default_factory` shows `<factory>` as its default, which is not source: the
    value the factory makes (what a call without the argument gets) stands in for it."""
    import dataclasses

    marker = getattr(dataclasses, "_HAS_DEFAULT_FACTORY", None)
    if marker is None or not (inspect.isclass(obj) and dataclasses.is_dataclass(obj)):
        return sig
    factories = {f.name: f.default_factory for f in dataclasses.fields(obj)
                 if f.default_factory is not dataclasses.MISSING}
    params = [p.replace(default=factories[p.name]()) if p.default is marker and p.name in factories else p
              for p in sig.parameters.values()]
    return sig.replace(parameters=params)


def documented_signature(obj) -> str | None:
    """The signature a builtin's docstring opens with ('std(input, dim=None, *, correction=1) -> Tensor'), or None.

    C functions often have no inspect.signature; their documented overload is the first line of `__doc__`.
    Spacing is normalised ('approximate = 'none'' -> "approximate='none'"), nothing else is changed.
    """
    import re

    doc = getattr(obj, "__doc__", None) or ""
    name = getattr(obj, "__name__", None)
    if not name:
        return None
    m = re.search(rf"^\s*{re.escape(name)}\((?P<params>[^()]*(?:\([^()]*\)[^()]*)*)\)\s*->", doc[:2000], re.M)
    if not m:
        return None
    params = " ".join(m.group("params").split())
    params = re.sub(r"\s*=\s*", "=", params)
    params = re.sub(r"\s*,\s*", ", ", params).strip(", ")
    return f"({params})"


def _only_varargs(sig: inspect.Signature) -> bool:
    kinds = {p.kind for p in sig.parameters.values()}
    return bool(kinds) and kinds <= {inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD}


def _first_overload(obj) -> inspect.Signature | None:
    import typing

    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        overloads = typing.get_overloads(target)  # Python 3.11+
    except AttributeError:  # pragma: no cover - Python 3.10 keeps no overload registry
        return None
    for fn in overloads:
        sig = inspect.signature(fn)
        if _only_varargs(sig):
            continue
        params = list(sig.parameters.values())
        if inspect.isclass(obj) and params:
            params = params[1:]  # self
        return sig.replace(parameters=params)
    return None


def signature_text(sig: inspect.Signature) -> str:
    """'(a, /, b=1, *args, c=2, **kw)': names, kinds and defaults; annotations dropped."""
    out: list[str] = []
    kinds = [p.kind for p in sig.parameters.values()]
    saw_kw_marker = False
    for i, p in enumerate(sig.parameters.values()):
        if p.kind is p.KEYWORD_ONLY and not saw_kw_marker and inspect.Parameter.VAR_POSITIONAL not in kinds:
            out.append("*")
            saw_kw_marker = True
        if p.kind is p.VAR_POSITIONAL:
            out.append(f"*{p.name}")
        elif p.kind is p.VAR_KEYWORD:
            out.append(f"**{p.name}")
        elif p.default is p.empty:
            out.append(p.name)
        else:
            out.append(f"{p.name}={default_source(p.default)}")
        nxt = kinds[i + 1] if i + 1 < len(kinds) else None
        if p.kind is p.POSITIONAL_ONLY and nxt is not p.POSITIONAL_ONLY:
            out.append("/")
    return "(" + ", ".join(out) + ")"


def signature_params(sig: inspect.Signature) -> list[tuple[str, str, str | None]]:
    """(name, kind, default source or None) in the vocabulary of defaultlint.core.table.Param."""
    from defaultlint.core.table import KW_ONLY, POS_ONLY, POS_OR_KW, VAR_KW, VAR_POS

    kinds = {inspect.Parameter.POSITIONAL_ONLY: POS_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD: POS_OR_KW,
             inspect.Parameter.VAR_POSITIONAL: VAR_POS, inspect.Parameter.KEYWORD_ONLY: KW_ONLY,
             inspect.Parameter.VAR_KEYWORD: VAR_KW}
    return [(p.name, kinds[p.kind], None if p.default is p.empty else default_source(p.default))
            for p in sig.parameters.values()]


def guess_category(name: str, obj) -> str:
    where = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"
    for prefix, category in CATEGORY_GUESS:
        if where.startswith(prefix) or name.startswith(prefix):
            return category
    return "function" if not inspect.isclass(obj) else "layer"


# -- TOML -------------------------------------------------------------------------------------------------
def toml_string(text: str) -> str:
    """A TOML basic string (JSON escaping is valid TOML for the characters signatures contain)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def dump_row(name: str, category: str | None = None, counterpart: str | None = None) -> str:
    obj = resolve(name)
    lines = ["[[api]]", f"name = {toml_string(name)}"]
    sp = spellings(name, obj)
    if sp:
        lines.append("spellings = [" + ", ".join(toml_string(s) for s in sp) + "]")
    kind = kind_of(obj)
    lines.append(f"kind = {toml_string(kind)}")
    lines.append(f"category = {toml_string(category or guess_category(name, obj))}")
    try:
        lines.append(f"signature = {toml_string(signature_text(signature_of(obj)))}")
    except DumpError as e:
        documented = documented_signature(obj)
        if documented:
            lines.insert(0, "# no inspect.signature: this is the docstring's; verify each default by running it")
            lines.append(f"signature = {toml_string(documented)}")
        else:
            lines.insert(0, f"# {e}")
            lines.append('signature = "(...)"  # TODO: by hand')
        lines.append('verified = "behaviour"')
    if counterpart:
        lines.append(f"counterpart = {toml_string(counterpart)}")
    return "\n".join(lines)


def dump(names: list[str], category: str | None = None, counterpart: str | None = None, meta: bool = False) -> str:
    blocks = []
    if meta and names:
        framework = names[0].split(".")[0]
        blocks.append(f'[meta]\nframework = "{framework}"\nverified_version = "{framework_version(framework)}"')
    for n in names:
        blocks.append(dump_row(n, category, counterpart))
    return "\n\n".join(blocks) + "\n"


# -- checking recorded rows against the installed release -------------------------------------------------
def compare(api) -> list[str]:
    """What the installed framework contradicts in one table row (an Api): [] when its signature matches.

    Rows marked `verified = "behaviour"` (objects without inspect.signature) are skipped here: their tests
    verify them by running them.
    """
    problems: list[str] = []
    try:
        obj = resolve(api.name)
    except DumpError as e:
        return [str(e)]
    recorded = [(p.name, p.kind, p.default) for p in api.params]
    if api.verified != "behaviour":
        try:
            real = signature_params(signature_of(obj))
        except DumpError as e:
            return [str(e)]
        if api.kind == "method" and real[:1] and real[0][0] == "self":
            real = real[1:]  # looked up on the class: the receiver is not a parameter a call writes
        if real != recorded:
            real = _reconciled(real, recorded, signature_of(obj), api.kind == "method")
        if real != recorded:
            problems.append(f"signature: recorded {_fmt(recorded)}, installed {_fmt(real)}")
    else:
        documented = documented_signature(obj)
        if documented is not None:
            from defaultlint.core.table import parse_signature

            doc = [(p.name, p.kind, p.default) for p in parse_signature(documented, api.name)]
            if doc != recorded:
                problems.append(f"signature: recorded {_fmt(recorded)}, documented {_fmt(doc)}")
    for s in api.spellings:
        try:
            if _unbound(resolve(s)) != _unbound(obj):
                problems.append(f"spelling {s} is another object")
        except DumpError:
            problems.append(f"spelling {s} does not import")
    return problems


def _unbound(obj):
    """A classmethod reached through a class is bound anew at each access (and to each class that inherits it),
    and a library may give each class its own copy of one function (to set its docstring): the code they run
    is the object a spelling must reach."""
    if inspect.ismethod(obj) and inspect.isclass(obj.__self__):
        obj = obj.__func__
    if inspect.isfunction(obj):  # the same code with the same defaults
        return ("function", id(obj.__code__), repr(obj.__defaults__), repr(obj.__kwdefaults__))
    return ("object", id(obj))


def _reconciled(real, recorded, sig: inspect.Signature, method: bool):
    """`real` with each default that has no source of its own (a closure a factory made, a sentinel instance, a
    compiled function's wrapper) taken as the recorded source when evaluating that source makes an equivalent
    object: `kernel_init=<function variance_scaling.<locals>.init>` matches `...lecun_normal()`."""
    values = [p.default for p in sig.parameters.values()]
    if method and values and real and len(values) == len(real) + 1:
        values = values[1:]
    if len(real) != len(recorded) or len(values) != len(real):
        return real
    out = []
    for (name, kind, default), (rname, rkind, rdefault), value in zip(real, recorded, values):
        if (name, kind) == (rname, rkind) and default != rdefault and default is not None and rdefault is not None:
            try:
                if _equivalent(value, evaluate(rdefault)):
                    default = rdefault
            except Exception:  # noqa: BLE001 - a recorded source that does not evaluate simply does not match
                pass
        out.append((name, kind, default))
    return out


def evaluate(source: str):
    """The value of a recorded default's source, its dotted names imported as `resolve` imports them."""
    import ast

    tree = ast.parse(source, mode="eval")
    namespace: dict = {}

    class Dotted(ast.NodeTransformer):
        def visit_Attribute(self, node):
            parts, cur = [], node
            while isinstance(cur, ast.Attribute):
                parts.append(cur.attr)
                cur = cur.value
            if not isinstance(cur, ast.Name):
                return self.generic_visit(node)
            key = f"_v{len(namespace)}"
            namespace[key] = resolve(".".join([cur.id, *reversed(parts)]))
            return ast.copy_location(ast.Name(key, ast.Load()), node)

    tree = ast.fix_missing_locations(Dotted().visit(tree))
    return eval(compile(tree, "<default>", "eval"), {"__builtins__": {"float": float}}, namespace)


def _equivalent(a, b, depth: int = 0) -> bool:
    """Whether two defaults behave alike: the same object, equal, functions with the same code and equivalent
    closed-over values and defaults, or instances of one class with equivalent attributes."""
    if a is b:
        return True
    if depth > 4:
        return False
    try:
        same = a == b
        if isinstance(same, bool) and same:
            return True
    except Exception:  # noqa: BLE001 - objects whose comparison raises are compared by their parts below
        pass
    if isinstance(a, types.FunctionType) and isinstance(b, types.FunctionType):
        cells_a = [c.cell_contents for c in a.__closure__ or ()]
        cells_b = [c.cell_contents for c in b.__closure__ or ()]
        return a.__code__ is b.__code__ and len(cells_a) == len(cells_b) and all(
            _equivalent(x, y, depth + 1) for x, y in zip(cells_a, cells_b)) and _equivalent(
            a.__defaults__, b.__defaults__, depth + 1)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_equivalent(x, y, depth + 1) for x, y in zip(a, b))
    if type(a) is type(b) and not callable(a) and hasattr(a, "__dict__"):
        va, vb = vars(a), vars(b)
        return va.keys() == vb.keys() and all(_equivalent(va[k], vb[k], depth + 1) for k in va)
    return False


def _fmt(params) -> str:
    return "(" + ", ".join(n if d is None else f"{n}={d}" for n, _, d in params) + ")"


def check(paths: list[str]) -> int:
    """Print each row under `paths` whose recorded signature or spellings the installed release contradicts."""
    from defaultlint.project.tables import load_table

    table = load_table()
    files = set()
    for p in paths:
        path = Path(p).resolve()
        files.update(path.rglob("*.toml") if path.is_dir() else [path])
    bad = 0
    checked = [api for api in table.apis.values() if (Path(table.root) / api.file).resolve() in files]
    for api in checked:
        problems = compare(api)
        for problem in problems:
            print(f"{api.file}: {api.name}: {problem}")
        bad += bool(problems)
    installed = ", ".join(f"{fw} {_installed(fw)}" for fw in sorted({api.framework for api in checked}))
    print(f"{len(checked)} rows checked against {installed or 'nothing'}: {bad} differ")
    return 1 if bad else 0


def _installed(framework: str) -> str:
    try:
        return framework_version(framework)
    except ImportError:
        return "(not installed)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m defaultlint.tools.tablegen", description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="public dotted names, e.g. torch.nn.Linear keras.layers.Dense")
    ap.add_argument("--category", help="the table category of every row (default: a guess from the module)")
    ap.add_argument("--counterpart", help="the counterpart API of every row")
    ap.add_argument("--meta", action="store_true", help="start with the [meta] block of the installed release")
    ap.add_argument("--check", nargs="+", metavar="PATH", help="compare the rows in these TOML files or folders "
                    "with the installed release instead of dumping")
    args = ap.parse_args(argv)
    if args.check:
        return check(args.check)
    if not args.names:
        ap.error("name at least one API, or use --check")
    try:
        sys.stdout.write(dump(args.names, args.category, args.counterpart, args.meta))
    except (DumpError, ImportError) as e:
        print(f"tablegen: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
