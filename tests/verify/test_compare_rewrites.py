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
