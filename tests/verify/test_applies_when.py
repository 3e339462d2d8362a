"""Where the table says a parameter or implicit fact applies only under a flag (`applies_when = "flag"`),
the real layer built with the flag off has no tensor the parameter could set, and with it on has one: so
leaving such a parameter unreported when the flag is off hides nothing."""

from __future__ import annotations

import re

import pytest

from conftest import require_framework
from defaultlint.core.table import POS_ONLY, POS_OR_KW
from defaultlint.project.tables import load_table

pytestmark = pytest.mark.frameworks

TABLE = load_table()
FLAG = re.compile(r"^[a-z_]+$")
TENSOR = {"bias_init": "bias", "forget_bias_init": "bias", "bias": "bias", "unit_forget_bias": "bias",
          "momentum": "running_mean"}


def _tensor(target: str) -> str:
    if target in TENSOR:
        return TENSOR[target]
    return target.split("_")[0]  # bias_initializer -> bias, beta_regularizer -> beta, gamma_constraint -> gamma


CASES = []
for api in TABLE.apis.values():
    if api.kind.value != "class" or api.framework not in ("torch", "keras"):
        continue
    targets = [(n, f.applies_when) for n, f in api.facts.items() if f.applies_when and FLAG.match(f.applies_when)]
    targets += [(i.name, i.applies_when) for i in api.implicit if i.applies_when and FLAG.match(i.applies_when)]
    for name, flag in targets:
        CASES.append((api, name, flag))

SHAPES = {"1D": (None, 8, 3), "2D": (None, 8, 8, 4), "3D": (None, 8, 8, 8, 4)}


def _required(api) -> dict:
    out = {}
    for p in api.params:
        if p.default is None and p.kind in (POS_ONLY, POS_OR_KW):
            out[p.name] = 2
    return out


def _torch_tensors(api, flag: bool) -> set[str]:
    torch = require_framework("torch")
    cls = torch
    for part in api.name.split(".")[1:]:
        cls = getattr(cls, part)
    args = _required(api)
    m = cls(**args, **{FLAGS[api.name]: flag})
    names = {n.split(".")[-1] for n, t in list(m.named_parameters()) + list(m.named_buffers()) if t is not None}
    return {n.rstrip("_0123456789").replace("_ih_l", "").replace("_hh_l", "") for n in names} | names


def _keras_tensors(api, flag: bool) -> set[str]:
    keras = require_framework("keras")
    cls = keras
    for part in api.name.split(".")[1:]:
        cls = getattr(cls, part)
    layer = cls(**_required(api), **{FLAGS[api.name]: flag})
    suffix = next((k for k in SHAPES if api.name.endswith(k) or f"{k}Transpose" in api.name), None)
    if api.name.endswith("MultiHeadAttention"):
        layer.build((None, 5, 4), (None, 5, 4))
    elif "Cell" in api.name:
        layer.build((None, 3))
    elif api.name.split(".")[-1] in ("LSTM", "GRU", "SimpleRNN"):
        layer.build((None, 5, 3))
    elif "Normalization" in api.name:
        layer.build((None, 8, 8, 32))  # GroupNormalization's default 32 groups need 32 channels
    elif suffix:
        layer.build(SHAPES[suffix])
    else:
        layer.build((None, 4))
    return {w.path.split("/")[-1] for w in layer.weights}


FLAGS: dict[str, str] = {}


@pytest.mark.parametrize("api,target,flag", CASES, ids=[f"{a.name}.{t}" for a, t, _ in CASES])
def test_flag_off_leaves_nothing_for_the_parameter_to_set(api, target, flag):
    FLAGS[api.name] = flag
    tensors = _torch_tensors if api.framework == "torch" else _keras_tensors
    want = _tensor(target)
    on, off = tensors(api, True), tensors(api, False)
    assert any(t.startswith(want) for t in on), f"{api.name}({flag}=True) has no {want}: {sorted(on)}"
    assert not any(t.startswith(want) for t in off), f"{api.name}({flag}=False) still has {want}: {sorted(off)}"


def test_cases_cover_both_frameworks():
    assert {a.framework for a, _, _ in CASES} == {"torch", "keras"}
    assert len(CASES) >= 60
