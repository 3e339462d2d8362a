"""The statements the initialisation fix inserts (core/initfix.py), run against the installed torch: for every
layer row whose implicit initialisation gets a fix, the fixed program parses, runs, and re-draws the tensor
from the same distribution as the framework's own default (the same quantiles over many draws: bounds,
spread and centre)."""

from __future__ import annotations

import ast
import re

import pytest

from conftest import ROOT, require_framework
from defaultlint.api import Linter
from defaultlint.core.ftypes import Applicability
from defaultlint.project.config import Settings
from defaultlint.project.tables import load_table

pytestmark = pytest.mark.frameworks
TABLE = load_table()

# Layers large enough that the extremes of a distribution show (arguments as source).
LAYERS = {
    "torch.nn.Linear": "1000, 500",
    "torch.nn.Bilinear": "100, 50, 300",
    "torch.nn.Conv1d": "64, 128, 5",
    "torch.nn.Conv2d": "64, 128, 3",
    "torch.nn.Conv3d": "16, 256, 3",
    "torch.nn.ConvTranspose1d": "64, 128, 5, groups=2",
    "torch.nn.ConvTranspose2d": "128, 64, 3",
    "torch.nn.ConvTranspose3d": "32, 256, 3",
    "torch.nn.Embedding": "1000, 64",
    "torch.nn.EmbeddingBag": "1000, 64",
    "torch.nn.MultiheadAttention": "256, 8",
}
QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
SAMPLES = 60_000  # per side: enough draws of a small tensor (a bias) to reach it


def _single_call(explicit: str) -> bool:
    body = ast.parse(explicit.replace("{obj}", "layer")).body
    return len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Call)


CASES = [pytest.param(name, imp.name, id=f"{name}.{imp.name}")
         for name, api in TABLE.apis.items() if api.framework == "torch"
         for imp in api.implicit if imp.explicit and _single_call(imp.explicit)
         and not re.search(r"(?<![.\w])(fan_in|hidden_size|in1_features)\b", imp.explicit)]


def test_the_cases_cover_the_fixable_layers():
    assert {c.values[0] for c in CASES} <= set(LAYERS)
    assert len(CASES) >= 19


def _fixed(source: str, code: str) -> str:
    linter = Linter(Settings(root=ROOT, select=[code]))
    findings = [f for f in linter.lint_text(source, "t.py") if f.code == code]
    assert findings and all(f.fix.applicability is Applicability.UNSAFE and f.fixable for f in findings)
    new, applied, _ = linter.fix_text(source, "t.py", unsafe=True)
    assert applied and new != source
    ast.parse(new)
    return new


def _tensor(ns: dict, attribute: str):
    obj = ns["layer"]
    for part in attribute.split("."):
        obj = getattr(obj, part)
    return obj.detach().flatten().double()


@pytest.mark.parametrize("name,fact", CASES)
def test_the_inserted_statement_draws_the_default_distribution(name, fact):
    torch = require_framework("torch")
    api = TABLE.apis[name]
    imp = api.implicit_fact(fact)
    code = TABLE.code_for(api, fact)
    source = f"import torch\nlayer = {name}({LAYERS[name]})\n"
    fixed = _fixed(source, code)
    attribute = re.search(r"\{obj\}\.([\w.]+)", imp.explicit).group(1)
    assert f"layer.{attribute}" in fixed
    default, redrawn = [], []
    ns0: dict = {}
    exec(compile(source, "t.py", "exec"), ns0)  # noqa: S102
    draws = max(4, -(-SAMPLES // _tensor(ns0, attribute).numel()))
    for seed in range(draws):
        for text, out in ((source, default), (fixed, redrawn)):
            torch.manual_seed(seed if out is default else 1000 + seed)
            ns: dict = {}
            exec(compile(text, "fixed.py", "exec"), ns)  # noqa: S102 - the fixed test program
            out.append(_tensor(ns, attribute))
    a, b = torch.cat(default)[:400_000], torch.cat(redrawn)[:400_000]
    spread, n = a.std().item(), len(a)
    tolerance = 20 * spread / n ** 0.5  # about four standard errors of the worst quantile
    for q in QUANTILES:
        qa, qb = torch.quantile(a, q).item(), torch.quantile(b, q).item()
        assert abs(qa - qb) < tolerance, f"{name}.{fact}: quantile {q}: default {qa}, fixed {qb}"
    assert abs(a.std().item() - b.std().item()) < 0.02 * spread
    if "uniform" in imp.value:  # a bounded distribution: the same bound
        assert abs(a.abs().max().item() - b.abs().max().item()) < 0.01 * a.abs().max().item()


def test_a_redrawn_tensor_differs_for_the_same_seed():
    """Why the fix is unsafe: the same distribution, other numbers."""
    torch = require_framework("torch")
    source = "import torch\nlayer = torch.nn.Linear(8, 4)\n"
    fixed = _fixed(source, "DL101")
    values = []
    for text in (source, fixed):
        torch.manual_seed(0)
        ns: dict = {}
        exec(compile(text, "fixed.py", "exec"), ns)  # noqa: S102
        values.append(ns["layer"].weight.detach().clone())
    assert not torch.equal(*values)
