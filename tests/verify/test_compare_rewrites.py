"""Every rewrite `compare` suggests on the real port excerpts builds in real torch, and the built object holds
the value compare wanted for each exact divergence."""

import ast
import json

import pytest
from conftest import require_framework, run_cli

pytestmark = pytest.mark.frameworks
PAIRS = [("tests/data/ports/d2l_tf.py", "tests/data/ports/d2l_pt.py"),
         ("tests/data/ports/bert_tf.py", "tests/data/ports/bert_pt.py"),
         ("examples/keras_classifier.py", "examples/torch_port.py")]


class _Config:
    def __getattr__(self, name):
        return 8


@pytest.mark.parametrize("a,b", PAIRS)
def test_rewrites_build_and_hold_the_wanted_values(a, b):
    torch = require_framework("torch")
    data = json.loads(run_cli("compare", a, b, "--format", "json").stdout)
    for pair in data["pairs"]:
        if not pair["fix"]:
            continue
        ast.parse(pair["fix"], mode="eval")
        names = {"torch": torch, "nn": torch.nn, "config": _Config(), "model": torch.nn.Linear(2, 2),
                 "self": _Config(), "net": torch.nn.Linear(2, 2), "dataset": [0] * 4,
                 "DataLoader": torch.utils.data.DataLoader}
        free = {n.id for n in ast.walk(ast.parse(pair["fix"])) if isinstance(n, ast.Name)} - set(names)
        names.update({n: 8 for n in free})
        built = eval(pair["fix"], names)  # text compare produced from the excerpt, run on purpose in this test
        for d in data["divergences"]:
            if d["b_where"] == pair["b"] and d["grade"] == "exact" and d["fix"].startswith(d["b_param"] + "="):
                value = getattr(built, d["b_param"], None)
                if value is None and hasattr(built, "defaults"):
                    value = built.defaults.get(d["b_param"])
                if value is None:
                    continue  # not held as an attribute (DataLoader's shuffle is its sampler): it built
                assert value == pytest.approx(ast.literal_eval(d["want"])), (pair["fix"], d)


KERAS_PAIRS = [("tests/data/ports/d2l_tf.py", "tests/data/ports/d2l_pt.py"),
               ("examples/keras_classifier.py", "examples/torch_port.py")]


def _built_value(obj, name: str):
    """A parameter as the built object holds it: an attribute, an optimizer default, or the presence of a
    tensor (torch `bias`: a Parameter or None)."""
    torch = require_framework("torch")
    if hasattr(obj, "get_config"):
        config = obj.get_config()
        return config.get(name, getattr(obj, name, _NONE))
    if hasattr(obj, "defaults") and name in obj.defaults:
        return obj.defaults[name]
    value = getattr(obj, name, _NONE)
    if isinstance(value, torch.Tensor) or (value is None and name == "bias"):
        return value is not None
    return value


_NONE = object()


def _build(text: str, names: dict):
    free = {n.id for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Name)} - set(names)
    return eval(text, {**names, **{n: 8 for n in free}})  # a call compare read from the excerpt, run on purpose


@pytest.mark.parametrize("a,b", KERAS_PAIRS)
def test_built_keras_a_and_rewritten_torch_b_agree_on_every_value_compare_calls_equal(a, b):
    """A's Keras call and B's torch call (after compare's rewrite) are both built; every scalar hyperparameter
    of A that B holds under its counterpart name, and that compare does not report as still differing, must
    be equal in the built objects once converted to B's convention (momentum 0.99 <-> 0.01)."""
    import keras
    torch = require_framework("torch")
    from defaultlint.audit.compare import (_converted, _other_name, _split, compare_entries, load_side, translate)
    from defaultlint.audit.equivalence import equivalences
    from defaultlint.core.checker import Rules
    from defaultlint.project.tables import load_table

    table = load_table()
    rules = Rules(frozenset())
    sa, sb = load_side(__import__("pathlib").Path(a), table, rules), load_side(__import__("pathlib").Path(b), table,
                                                                                rules)
    c = compare_entries(sa.entries, sb.entries, table, a, b, sa, sb)
    eq = equivalences(table)
    keras_names = {"keras": keras, "layers": keras.layers, "tf": type("tf", (), {"keras": keras}),
                   "config": _Config(), "self": _Config()}
    torch_names = {"torch": torch, "nn": torch.nn, "config": _Config(), "self": _Config(),
                   "model": torch.nn.Linear(2, 2), "dataset": [0] * 4, "DataLoader": torch.utils.data.DataLoader}
    checked = 0
    for p in c.pairs:
        if p.a is None or p.b is None or p.a.framework != "keras" or p.b.framework != "torch":
            continue
        a_api, b_api = table.apis[p.a.api], table.apis[p.b.api]
        if a_api.kind != "class" or b_api.kind != "class" or p.a.api.startswith("keras.initializers"):
            continue
        # a name standing for a probability is bound to one (d2l's `dropout`), any other to 8, alike on both sides
        probabilities = {src: 0.25 for e in (p.a, p.b) for name, src in e.args if name in ("rate", "p")
                         and src.isidentifier()}
        keras_names.update(probabilities)
        torch_names.update(probabilities)
        built_a = _build(f"{p.a.callee}({', '.join(s for _, s in p.a.args)})", keras_names)
        b_text = p.fix or f"{p.b.callee}({', '.join(s for _, s in p.b.args)})"
        built_b = _build(b_text, torch_names)
        open_params = {d.b_param for d in p.divergences if not (d.fix.startswith(f"{d.b_param}=") and not d.trap
                                                              and d.grade == "exact")}
        open_params |= {u.b_param for u in p.unknown}
        a_atoms, b_atoms = _split(a_api, p.a), _split(b_api, p.b)
        for a_key, (a_value, _) in a_atoms.items():
            if "[" in a_key or eq.strategies.get(a_key):
                continue
            b_key = _other_name(a_api, b_api, a_key, b_atoms)
            if b_key is None or "[" in b_key or b_key in open_params or eq.strategies.get(b_key):
                continue
            va, vb = _built_value(built_a, a_key), _built_value(built_b, b_key)
            if va is _NONE or vb is _NONE or not isinstance(va, (int, float, str, bool, tuple, list, type(None))):
                continue
            text = repr(tuple(va) if isinstance(va, list) else va)
            want = (translate(eq, text, (b_key, a_key), "keras", "torch")
                    or _converted(table, a_api, a_key, b_api, b_key, text) or text)
            expected = ast.literal_eval(want)
            got = tuple(vb) if isinstance(vb, list) else vb
            if isinstance(expected, float) or isinstance(got, float):
                assert got == pytest.approx(expected), (p.a.api, a_key, va, p.b.api, b_key, vb, b_text)
            else:
                assert got == expected or (isinstance(expected, tuple) and set(expected) == {got}), \
                    (p.a.api, a_key, va, p.b.api, b_key, vb, b_text)
            checked += 1
    assert checked >= 3, checked


def test_lecun_normal_spelled_for_torch_draws_what_jax_lecun_normal_draws():
    """The torch spelling of LeCun-normal in rules/equivalences.toml (trunc_normal_ with σ = 1/√fan_in / 0.8796
    cut at ±2σ), run as written, against jax.nn.initializers.lecun_normal: the same standard deviation and the
    same bounds."""
    import math

    torch = require_framework("torch")
    jax = require_framework("jax")
    from defaultlint.audit.equivalence import equivalences
    from defaultlint.project.tables import load_table

    spelled = equivalences(load_table()).initializer("lecun_normal").spelled["torch"]
    fan_in, fan_out = 256, 512
    weight = torch.empty(fan_out, fan_in)
    torch.manual_seed(0)
    # the table's own text, run on purpose in this test
    eval(spelled.format(w="weight"), {"torch": torch, "math": math, "weight": weight, "fan_in": fan_in})
    t = weight.numpy().ravel()
    j = jax.numpy.asarray(jax.nn.initializers.lecun_normal()(jax.random.PRNGKey(0), (fan_in, fan_out))).ravel()
    import numpy as np

    j = np.asarray(j)
    target_std = 1 / math.sqrt(fan_in)
    bound = 2 / math.sqrt(fan_in) / 0.8796256610342398
    for x in (t, j):
        assert x.std() == pytest.approx(target_std, rel=0.01)
        assert abs(x.mean()) < 0.01 * target_std * 10
        assert np.abs(x).max() <= bound * (1 + 1e-6)
        assert np.abs(x).max() >= bound * 0.99  # the tails reach the bound: a truncation there, not elsewhere
    assert t.std() == pytest.approx(j.std(), rel=0.01)
    # the share of draws beyond one σ of the untruncated normal agrees (the shape, not only the spread)
    sigma = bound / 2
    assert (np.abs(t) > sigma).mean() == pytest.approx((np.abs(j) > sigma).mean(), abs=0.01)
