import json
import textwrap

import pytest

from conftest import run_cli

from defaultlint.core.checker import Rules
from defaultlint.audit.compare import APPROXIMATE, EXACT, align, compare_entries, kinds, same, translate
from defaultlint.audit.equivalence import equivalences
from defaultlint.audit.manifest import entries_for_text
from defaultlint.project.tables import load_table

KERAS = """
import keras
from keras import layers
x = layers.Dense(128, activation="relu")(x)
x = layers.BatchNormalization()(x)
x = layers.Dense(10)(x)
opt = keras.optimizers.Adam(learning_rate=1e-3)
"""

TORCH = """
import torch
import torch.nn as nn
net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.BatchNorm1d(128), nn.Linear(128, 10))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
"""


def run(a: str, b: str):
    table = load_table()
    rules = Rules(frozenset())
    ea = entries_for_text(textwrap.dedent(a), "a.py", table, rules)
    eb = entries_for_text(textwrap.dedent(b), "b.py", table, rules)
    return compare_entries(ea, eb, table, "a.py", "b.py")


def by_param(c):
    return {(d.a_where, d.b_param): d for d in c.divergences}


def test_kinds_follow_counterpart_links():
    k = kinds(load_table())
    assert k["keras.layers.Dense"] == k["torch.nn.Linear"]
    assert k["keras.layers.BatchNormalization"] == k["torch.nn.BatchNorm1d"] == k["torch.nn.BatchNorm2d"]
    assert k["keras.layers.Dense"] != k["torch.nn.Conv2d"]


def test_keras_to_torch_divergences_and_fixes():
    c = run(KERAS, TORCH)
    assert [p.b.api for p in c.unpaired] == ["torch.nn.ReLU"]  # Keras writes it as activation="relu"
    d = by_param(c)
    bn_m = d[("a.py:5", "momentum")]
    assert (bn_m.a_value, bn_m.b_value, bn_m.fix, bn_m.grade) == ("0.99", "0.1", "momentum=0.01", APPROXIMATE)
    assert "biased" in bn_m.note
    bn_e = d[("a.py:5", "eps")]
    assert (bn_e.fix, bn_e.grade) == ("eps=0.001", EXACT)
    init = d[("a.py:4", "weight_init")]
    assert (init.fix, init.grade) == ("torch.nn.init.xavier_uniform_(layer.weight)", EXACT)
    assert d[("a.py:4", "bias_init")].fix == "torch.nn.init.zeros_(layer.bias)"
    adam = d[("a.py:7", "eps")]
    assert (adam.fix, adam.grade) == ("eps=1e-07", APPROXIMATE)
    assert "no argument gives exact equality" in adam.note
    assert ("a.py:7", "lr") not in d  # 1e-3 both sides
    bn_pair = next(p for p in c.pairs if p.b and p.b.api == "torch.nn.BatchNorm1d")
    assert bn_pair.fix == "nn.BatchNorm1d(128, momentum=0.01, eps=0.001)"


def test_torch_to_keras_direction():
    c = run(TORCH, KERAS)
    d = by_param(c)
    assert d[("a.py:4", "momentum")].fix == "momentum=0.9"
    assert d[("a.py:4", "epsilon")].fix == "epsilon=1e-05"
    w = d[("a.py:4", "kernel_initializer")]
    assert w.fix == ("kernel_initializer=keras.initializers.VarianceScaling(scale=1 / 3, mode='fan_in', "
                     "distribution='uniform')")
    assert d[("a.py:5", "epsilon")].fix == "epsilon=1e-08"


def test_matching_models_have_no_divergence():
    keras_src = """
        import keras
        bn = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5)
        opt = keras.optimizers.Adam(learning_rate=0.01, beta_1=0.8, epsilon=1e-8)
    """
    torch_src = """
        import torch
        bn = torch.nn.BatchNorm2d(16, momentum=0.1)
        opt = torch.optim.Adam(params, lr=1e-2, betas=(0.8, 0.999))
    """
    assert run(keras_src, torch_src).divergences == []


def test_tuple_parameters_split_and_unpaired_calls():
    keras_src = "import keras\nopt = keras.optimizers.Adam(beta_1=0.5)\nd = keras.layers.Dense(3)\n"
    torch_src = "import torch\nopt = torch.optim.Adam(p, betas=(0.9, 0.99), eps=1e-7)\n"
    c = run(keras_src, torch_src)
    names = {(d.a_param, d.b_param, d.want) for d in c.divergences}
    assert ("beta_1", "betas (beta_1)", "0.5") in names
    assert ("beta_2", "betas (beta_2)", "0.999") in names
    assert [(p.a.api if p.a else None, p.b) for p in c.unpaired] == [("keras.layers.Dense", None)]


def test_padding_and_layout():
    keras_src = "import keras\nc = keras.layers.Conv2D(8, 3, padding='same')\n"
    c = run(keras_src, "import torch\nc = torch.nn.Conv2d(3, 8, 3, padding=1)\n")
    assert not [d for d in c.divergences if d.a_param == "padding"]
    layout = [d for d in c.divergences if d.a_param == "data_format"]
    assert layout and "permute(0, 3, 1, 2)" in layout[0].fix
    c = run(keras_src, "import torch\nc = torch.nn.Conv2d(3, 8, 3)\n")
    assert [d.fix for d in c.divergences if d.a_param == "padding"] == ["padding=1"]
    back = run("import torch\nc = torch.nn.Conv2d(3, 8, 3)\n", keras_src)
    d = {x.b_param: x for x in back.divergences}
    assert d["padding"].fix == "padding='valid'"
    assert d["data_format"].fix == "data_format='channels_first'"


def test_alignment_skips_an_extra_layer():
    pairs = align([1, 2, 3], [1, 3], lambda x, y: 2.0 if x == y else 1.0)
    assert pairs == [(1, 1), (2, None), (3, 3)]


def test_value_equality():
    assert same("0.001", "1e-3") is True
    assert same("'same'", '"same"') is True
    assert same("True", "1") is False
    eq = equivalences(load_table())
    assert translate(eq, "None", ("weight_decay",), "keras", "torch") == "0"
    assert translate(eq, "'sum_over_batch_size'", ("reduction",), "keras", "torch") == "'mean'"
    assert same("n", "m") is None
    assert same("3", "(3, 3)") is True


def test_cli_examples_report_the_founding_divergences(tmp_path):
    r = run_cli("compare", "examples/keras_classifier.py", "examples/torch_port.py", "--format", "json")
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    fixes = {d["fix"] for d in data["divergences"]}
    assert "torch.nn.init.xavier_uniform_(layer.weight)" in fixes
    assert "torch.nn.init.zeros_(layer.bias)" in fixes
    assert {"momentum=0.01", "eps=0.001", "eps=1e-07"} <= fixes
    assert any("permute(0, 3, 1, 2)" in f for f in fixes)
    assert "nn.BatchNorm2d(64, momentum=0.01, eps=0.001)" in {p["fix"] for p in data["pairs"]}
    md = run_cli("compare", "examples/torch_port.py", "examples/keras_classifier.py", "--format", "markdown")
    assert md.returncode == 1 and "`epsilon=1e-05`" in md.stdout
    # a JSON manifest stands in for its source
    m = tmp_path / "port.json"
    assert run_cli("manifest", "examples/torch_port.py", "--format", "json", "-o", m).returncode == 0
    again = run_cli("compare", "examples/keras_classifier.py", m, "--format", "json")
    # (a manifest has no source: whether B has a softmax to drop cannot be seen, so that advice is kept)
    kept = [d for d in json.loads(again.stdout)["divergences"] if d["a_param"] != "from_logits"]
    assert kept == data["divergences"]
    same_file = run_cli("compare", "examples/torch_port.py", "examples/torch_port.py")
    assert same_file.returncode == 0, same_file.stdout
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert run_cli("compare", bad, "examples/torch_port.py").returncode == 2


def test_decoupled_weight_decay_needs_a_companion_argument():
    c = run("import keras\nopt = keras.optimizers.Adam(weight_decay=0.1)\n",
            "import torch\nopt = torch.optim.Adam(p)\n")
    wd = [d for d in c.divergences if d.b_param == "weight_decay"]
    assert [d.fix for d in wd] == ["weight_decay=0.1, decoupled_weight_decay=True"]
    none = run("import keras\nopt = keras.optimizers.Adam()\n", "import torch\nopt = torch.optim.Adam(p)\n")
    assert not [d for d in none.divergences if d.b_param == "weight_decay"]


def test_rewritten_call_keeps_arguments_and_replaces_positional_ones():
    c = run("import keras\nbn = keras.layers.BatchNormalization()\n",
            "import torch\nbn = torch.nn.BatchNorm2d(4, 1e-5, momentum=0.1, affine=True)\n")
    assert [p.fix for p in c.pairs] == ["torch.nn.BatchNorm2d(4, 0.001, momentum=0.01, affine=True)"]


def test_loss_on_logits_is_a_convention_not_an_argument():
    c = run("import keras\nloss = keras.losses.SparseCategoricalCrossentropy()\n",
            "import torch\nloss = torch.nn.CrossEntropyLoss()\n")
    d = [x for x in c.divergences if x.a_param == "from_logits"]
    if not d:
        pytest.skip("the loss rows are not in the table yet")
    assert "drop the final softmax" in d[0].fix and d[0].grade == EXACT
    assert not [x for x in c.divergences if x.a_param in ("reduction", "ignore_class")]
    back = run("import torch\nloss = torch.nn.CrossEntropyLoss()\n",
               "import keras\nloss = keras.losses.SparseCategoricalCrossentropy()\n")
    assert [x.fix for x in back.divergences if x.b_param == "from_logits"] == ["from_logits=True"]


def test_lstm_initialisers_and_forget_gate_bias():
    table = load_table()
    if "torch.nn.LSTM" not in table.apis or "keras.layers.LSTM" not in table.apis:
        pytest.skip("the LSTM rows are not in the table yet")
    c = run("import keras\nlstm = keras.layers.LSTM(64)\n", "import torch\nlstm = torch.nn.LSTM(32, 64)\n")
    d = {x.a_param: x for x in c.divergences}
    assert d["kernel_initializer"].fix == "torch.nn.init.xavier_uniform_(layer.weight_ih_l0)"
    assert d["bias_initializer"].fix == ("torch.nn.init.zeros_(layer.bias_ih_l0); "
                                         "torch.nn.init.zeros_(layer.bias_hh_l0)")
    assert d["recurrent_initializer"].grade == APPROXIMATE
    assert "fill_(1.0)" in d["unit_forget_bias"].fix and d["unit_forget_bias"].grade == EXACT
    back = run("import torch\nlstm = torch.nn.LSTM(32, 64)\n", "import keras\nlstm = keras.layers.LSTM(64)\n")
    assert [x.fix for x in back.divergences if x.b_param == "unit_forget_bias"] == ["unit_forget_bias=False"]
    same_setting = run("import keras\nlstm = keras.layers.LSTM(64, unit_forget_bias=False)\n",
                       "import torch\nlstm = torch.nn.LSTM(32, 64)\n")
    assert not [x for x in same_setting.divergences if x.a_param == "unit_forget_bias"]
