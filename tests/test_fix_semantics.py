"""What a fix means: only keyword arguments are added, each holds the table's value, the frameworks build the
same objects before and after, and fixing twice changes nothing."""

from __future__ import annotations

import ast
import io
import tokenize

import pytest

from conftest import ROOT, require_framework
from defaultlint.api import Linter
from defaultlint.core.text import Lines
from defaultlint.project.config import Settings
from defaultlint.core.fixer import applicable
from defaultlint.project.tables import load_table
from test_fix import CASES, fix_case

EXAMPLES = ["keras_classifier.py", "torch_port.py"]


def _corpus():
    """(name, linter, unsafe, before, after, applied) for every fixture and both examples."""
    for name in CASES:
        linter, unsafe, before, after, applied, _ = fix_case(name)
        yield name, linter, unsafe, before, after, applied
    for name in EXAMPLES:
        before = (ROOT / "examples" / name).read_text(encoding="utf-8")
        for select in ([], ["ALL"]):
            linter = Linter(Settings(root=ROOT, select=select))
            after, applied, _ = linter.fix_text_detailed(before, name, True)
            yield f"{name}[{select or 'default'}]", linter, True, before, after, applied


CORPUS = list(_corpus())
IDS = [c[0] for c in CORPUS]


# -- proof (2): the syntax tree is the original's plus keyword arguments holding the table's values ---------
def _added_keywords(before: ast.AST, after: ast.AST, out: list) -> None:
    """Compare the trees; record (original call, added keyword) pairs, fail on any other difference."""
    assert type(before) is type(after)
    if isinstance(before, ast.Call):
        n = len(before.keywords)
        # the call's own keywords are kept, in order (their values are compared by the recursion below,
        # which also finds keywords added to calls nested in them: compile(optimizer=Adam(...)))
        assert [k.arg for k in after.keywords[:n]] == [k.arg for k in before.keywords]
        out.extend((before, k) for k in after.keywords[n:])
    for field in before._fields:
        a, b = getattr(before, field), getattr(after, field)
        if isinstance(before, ast.Call) and field == "keywords":
            a, b = a, b[:len(a)]
        if isinstance(a, list):
            assert len(a) == len(b), f"{type(before).__name__}.{field} changed"
            for x, y in zip(a, b):
                if isinstance(x, ast.AST):
                    _added_keywords(x, y, out)
                else:
                    assert x == y
        elif isinstance(a, ast.AST):
            _added_keywords(a, b, out)
        elif field not in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
            assert a == b, f"{type(before).__name__}.{field}: {a!r} != {b!r}"


@pytest.mark.parametrize("case", CORPUS, ids=IDS)
def test_only_keywords_with_the_table_values_are_added(case):
    name, linter, unsafe, before, after, applied = case
    table = load_table()
    added: list = []
    _added_keywords(ast.parse(before), ast.parse(after), added)
    assert len(added) == sum(len(f.parameters) for f in applied)
    # every added keyword belongs to a finding on that call, and its text is the table's spelling of the value
    lines = Lines(before)
    by_call: dict[int, dict[str, str]] = {}
    api_of: dict[int, str] = {}
    for f in linter.lint_text(before, name):
        by_call.setdefault(f.start, {}).update(dict(f.parameters))
        api_of[f.start] = f.api
    for call, kw in added:
        start = lines.offset(call.lineno, call.col_offset)
        expected = by_call[start][kw.arg]
        assert ast.get_source_segment(after, kw.value) == expected
        api = api_of[start]
        assert ast.literal_eval(expected) == ast.literal_eval(_table_value(table, api, kw.arg, linter))


def _table_value(table, api_name, param, linter):
    from defaultlint.core.semantics import values_of

    return values_of(table, table.apis[api_name], None, linter.rules.targets).get(param).value


@pytest.mark.parametrize("case", CORPUS, ids=IDS)
def test_every_comment_is_kept(case):
    _, _, _, before, after, _ = case
    assert _comments(after) == _comments(before)


def _comments(text: str) -> list[str]:
    return [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.COMMENT]


# -- proof (4): idempotent, and no finding a fix addressed is left ---------------------------------------------
@pytest.mark.parametrize("case", CORPUS, ids=IDS)
def test_fixing_twice_changes_nothing_and_nothing_fixable_is_left(case):
    name, linter, unsafe, _, after, _ = case
    again, applied, remaining = linter.fix_text_detailed(after, name, unsafe)
    assert again == after and applied == []
    assert [f for f in remaining if applicable(f, unsafe)] == []


# -- proof (3): the frameworks build the same objects before and after the fix -------------------------------
TORCH_SNIPPET = """
import functools
import torch
import torch.nn as nn
from torch import optim

model = nn.Sequential(
    nn.Conv1d(3, 4, 3), nn.Conv2d(4, 4, 3, padding=1), nn.Conv3d(4, 4, 1),
    nn.BatchNorm1d(4), nn.BatchNorm2d(4), nn.BatchNorm3d(4, momentum=0.2),
    nn.LayerNorm(4), nn.Linear(4, 2),
)
Norm = functools.partial(nn.BatchNorm2d, affine=False)
extra = Norm(8)
optimizers = [
    torch.optim.SGD(model.parameters(), lr=0.1),
    torch.optim.Adam(model.parameters()),
    optim.AdamW(model.parameters(), lr=1e-3),
]
"""

KERAS_SNIPPET = """
import keras
from keras import layers, optimizers

model = keras.Sequential([
    keras.Input(shape=(8, 8, 3)),
    layers.Conv2D(4, 3),
    layers.BatchNormalization(),
    layers.LayerNormalization(),
    layers.Flatten(),
    layers.Dense(2),
])
optimizers = [optimizers.SGD(), optimizers.Adam(learning_rate=1e-3), keras.optimizers.AdamW()]
"""


def _fixed(source: str) -> str:
    linter = Linter(Settings(root=ROOT, select=["ALL"]))
    new, applied, _ = linter.fix_text_detailed(source, "snippet.py", unsafe=True)
    assert applied, "the snippet has fixes to check"
    return new


def _run(source: str) -> dict:
    namespace: dict = {}
    exec(compile(source, "snippet.py", "exec"), namespace)
    return namespace


def _torch_state(ns: dict) -> dict:
    torch = require_framework("torch")
    modules = {}
    for key in ("model", "extra", "classifier"):
        if key in ns:
            for name, m in ns[key].named_modules():
                attrs = {k: v for k, v in vars(m).items() if not k.startswith("_") and k != "training"}
                modules[f"{key}.{name}"] = (type(m).__name__, repr(attrs))
    opts = [(type(o).__name__, repr(o.defaults), repr([{k: v for k, v in g.items() if k != "params"}
                                                         for g in o.param_groups]))
            for o in ns.get("optimizers", [])]
    assert torch is not None
    return {"modules": modules, "optimizers": opts}


def _keras_state(ns: dict) -> dict:
    layers = [(type(la).__name__, _without_names(la.get_config())) for la in ns["model"].layers]
    opts = [(type(o).__name__, _without_names(o.get_config())) for o in ns.get("optimizers", [])]
    return {"layers": repr(layers), "optimizers": repr(opts)}


def _without_names(config: dict) -> dict:
    # a seed is no hyperparameter a fix writes, and RandomCrop draws one when given none
    return {k: v for k, v in config.items() if k not in ("name", "seed")}


def test_torch_objects_are_the_same_after_the_fix():
    require_framework("torch")
    fixed = _fixed(TORCH_SNIPPET)
    assert "momentum=0.1" in fixed and "eps=1e-08" in fixed
    assert _torch_state(_run(fixed)) == _torch_state(_run(TORCH_SNIPPET))


def test_torch_example_port_is_the_same_after_the_fix():
    require_framework("torch")
    source = (ROOT / "examples" / "torch_port.py").read_text(encoding="utf-8")
    probe = "\nclassifier = Classifier()\n"
    before, after = _run(source + probe), _run(_fixed(source) + probe)
    assert _torch_state(after) == _torch_state(before)


def test_keras_objects_are_the_same_after_the_fix():
    require_framework("keras")
    fixed = _fixed(KERAS_SNIPPET)
    assert "epsilon=0.001" in fixed and "epsilon=1e-07" in fixed
    assert _keras_state(_run(fixed)) == _keras_state(_run(KERAS_SNIPPET))


def test_keras_example_model_is_the_same_after_the_fix():
    require_framework("keras")
    source = (ROOT / "examples" / "keras_classifier.py").read_text(encoding="utf-8")
    probe = "\nmodel = build_model()\n"
    assert _keras_state(_run(_fixed(source) + probe)) == _keras_state(_run(source + probe))


# -- proof (3) over the whole table: every class row built before and after its fix ------------------------
ARGUMENTS = {  # values for required arguments, by parameter name; anything else gets 2
    "params": "[torch.nn.Parameter(torch.zeros(2))]",
    "optimizer": "torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.1)",
    "dataset": "list(range(4))",
    "milestones": "[2]",
    "max_lr": "0.1",
    "rate": "0.5",
    "factor": "0.1",
    "initial_learning_rate": "0.1",
    "decay_rate": "0.9",
    "filepath": "'model.keras'",
}


def _construction(api) -> str:
    from defaultlint.core.table import KW_ONLY, POS_ONLY, POS_OR_KW

    args = []
    for p in api.params:
        if p.default is None and p.kind in (POS_ONLY, POS_OR_KW):
            args.append(ARGUMENTS.get(p.name, "2"))
        elif p.default is None and p.kind == KW_ONLY:
            args.append(f"{p.name}={ARGUMENTS.get(p.name, '2')}")
    return f"obj = {api.name}({', '.join(args)})\n"


def _state(obj) -> str:
    import re

    if hasattr(obj, "get_config"):
        try:
            data = _without_names(obj.get_config())
        except NotImplementedError:
            data = None
        if data is not None:
            return re.sub(r" at 0x[0-9a-f]+", "", repr(data))
    if hasattr(obj, "named_modules"):
        return repr(_torch_state({"model": obj}))
    if hasattr(obj, "param_groups"):
        return repr(_torch_state({"optimizers": [obj]}))
    attrs = {k: v for k, v in vars(obj).items() if not k.startswith("_") and k not in ("optimizer", "model")}
    return re.sub(r" at 0x[0-9a-f]+", "", repr(attrs))


@pytest.mark.parametrize("framework", ["torch", "keras"])
def test_every_class_row_builds_the_same_object_after_its_fix(framework, verification_summary):
    require_framework(framework)
    table = load_table()
    linter = Linter(Settings(root=ROOT, select=["ALL"]))
    rows = [a for a in table.apis.values() if a.framework == framework and a.kind == "class"]
    built, fixed = [], 0
    for api in rows:
        before = f"import {framework}\n" + _construction(api)
        after, applied, _ = linter.fix_text_detailed(before, "row.py", unsafe=False)
        try:
            old = _run(before)["obj"]
        except Exception:  # noqa: BLE001 - a row the placeholder arguments cannot build is counted, not checked
            continue
        built.append(api.name)
        fixed += bool(applied)
        # safe fixes: the very same hyperparameters
        assert _state(_run(after)["obj"]) == _state(old), f"{api.name}: {after}"
        # unsafe fixes write a resolved value (None -> what the framework picks): the object still builds
        unsafe_after = linter.fix_text(before, "row.py", unsafe=True)[0]
        _run(unsafe_after)
    assert len(built) >= len(rows) * 3 // 4, f"only {len(built)} of {len(rows)} {framework} rows could be built"
    assert fixed >= len(built) // 2
    verification_summary.append(
        f"fix proof: {len(built)} of {len(rows)} {framework} class rows built with placeholder arguments, "
        f"{fixed} of them changed by --fix, every one the same object after the fix")
