"""Patterns of real training code: parameters that do not apply are not reported, calls hidden by `**` of a
literal dict, `super()`, `getattr` and user overrides are resolved as Python would."""

from __future__ import annotations

from conftest import lint


def found(source: str, **kw) -> set[tuple[str, str]]:
    return {(f.api, p) for f in lint(source, **kw) for p, _ in f.parameters} | {
        (f.api, f.message.split(": ", 1)[1].split(" is implicit")[0]) for f in lint(source, **kw)
        if not f.parameters and f.api}


def params(source: str, api: str) -> set[str]:
    return {p for a, p in found(source) if a == api}


# -- parameters not in force ----------------------------------------------------------------------------
def test_no_bias_initialisation_without_a_bias():
    src = "import torch.nn as nn\nfc = nn.Linear(3, 4, bias=False)\n"
    assert "bias initialisation" not in params(src, "torch.nn.Linear")
    assert "weight initialisation" in params(src, "torch.nn.Linear")
    keras = "import keras\nd = keras.layers.Dense(4, use_bias=False)\n"
    assert {"bias_initializer", "bias_regularizer", "bias_constraint"}.isdisjoint(params(keras, "keras.layers.Dense"))
    assert "kernel_initializer" in params(keras, "keras.layers.Dense")


def test_a_bias_flag_of_unknown_value_keeps_the_finding_and_says_why():
    msgs = [f.message for f in lint("import torch.nn as nn\nfc = nn.Linear(3, 4, bias=use_bias)\n")
            if "bias initialisation" in f.message]
    assert len(msgs) == 1 and "in force only when `bias` is true" in msgs[0]


def test_running_statistics_momentum_needs_running_statistics():
    assert "momentum" not in params("import torch.nn as nn\nn = nn.InstanceNorm2d(4)\n", "torch.nn.InstanceNorm2d")
    assert "momentum" in params("import torch.nn as nn\nn = nn.InstanceNorm2d(4, track_running_stats=True)\n",
                                "torch.nn.InstanceNorm2d")
    assert "momentum" in params("import torch.nn as nn\nn = nn.BatchNorm2d(4)\n", "torch.nn.BatchNorm2d")


def test_fit_on_a_dataset_has_no_batch_size_or_shuffle():
    src = ("import tensorflow as tf\nimport keras\nm = keras.Sequential([])\n"
           "ds = tf.data.Dataset.from_tensor_slices((a, b)).shuffle(100).batch(32)\nm.fit(ds, epochs=3)\n")
    assert {"batch_size", "shuffle", "validation_split"}.isdisjoint(params(src, "keras.Model.fit"))


def test_fit_on_arrays_reports_them_and_unknown_inputs_say_when():
    arrays = "import keras\nm = keras.Sequential([])\nm.fit([1, 2], [3, 4], epochs=3)\n"
    assert {"batch_size", "shuffle"} <= params(arrays, "keras.Model.fit")
    unknown = "import keras\nm = keras.Sequential([])\nm.fit(x_train, y_train, epochs=3)\n"
    shuffle = [f for f in lint(unknown) if ("shuffle", "True") in f.parameters]
    assert shuffle and "in force only when `x` is not a tensorflow.data.Dataset or torch.utils.data.DataLoader" \
        in shuffle[0].message
    assert shuffle[0].fix.applicability == "display-only"


# -- user overrides and super() -------------------------------------------------------------------------
OVERRIDE = """
import keras
class Model(keras.Model):
    def compile(self, lr):
        super().compile(optimizer=keras.optimizers.Adam(lr), loss="mse")
m = Model()
m.compile(0.1)
"""


def test_a_user_override_is_not_the_framework_method_but_super_is():
    rows = {f.location.row for f in lint(OVERRIDE) if f.api == "keras.Model.compile"}
    assert rows == {5}  # super().compile(...), not m.compile(0.1) on line 7


def test_super_init_of_a_framework_subclass_reports_the_base_defaults():
    src = ("import torch.nn as nn\nclass T(nn.Transformer):\n    def __init__(self):\n"
           "        super().__init__(d_model=64, nhead=4)\n")
    got = params(src, "torch.nn.Transformer")
    assert {"dropout", "batch_first", "dim_feedforward"} <= got and "nhead" not in got


def test_super_elsewhere_is_not_resolved():
    src = "import torch.nn as nn\nclass T:\n    def __init__(self):\n        super().__init__(3, 4)\n"
    assert lint(src) == []


# -- getattr and ** of literal dicts --------------------------------------------------------------------
def test_getattr_with_a_literal_name():
    assert "batch_first" in params("import torch.nn as nn\nrnn = getattr(nn, 'LSTM')(3, 4)\n", "torch.nn.LSTM")


def test_double_star_of_a_literal_dict_binds_its_keys():
    src = "import torch\nkw = {'batch_size': 32, 'shuffle': True}\nloader = torch.utils.data.DataLoader(ds, **kw)\n"
    got = params(src, "torch.utils.data.DataLoader")
    assert "drop_last" in got and {"batch_size", "shuffle"}.isdisjoint(got)
    keras = "import keras\nargs = dict(padding='same')\nc = keras.layers.Conv2D(32, 3, **args)\n"
    got = params(keras, "keras.layers.Conv2D")
    assert "kernel_initializer" in got and "padding" not in got


def test_keys_added_later_count_as_maybe_passed():
    src = ("import torch\ntrain_kwargs = {'batch_size': 64}\ncuda_kwargs = {'num_workers': 1, 'shuffle': True}\n"
           "if use_cuda:\n    train_kwargs.update(cuda_kwargs)\ntrain_kwargs['drop_last'] = True\n"
           "loader = torch.utils.data.DataLoader(ds, **train_kwargs)\n")
    got = params(src, "torch.utils.data.DataLoader")
    assert {"batch_size", "num_workers", "shuffle", "drop_last"}.isdisjoint(got) and "in_order" in got


def test_a_dict_changed_in_unknown_ways_hides_everything():
    src = "import torch\nkw = {'batch_size': 32}\nkw.update(other)\nloader = torch.utils.data.DataLoader(ds, **kw)\n"
    assert params(src, "torch.utils.data.DataLoader") == set()
    rebound = "import torch\nkw = {'batch_size': 32}\nkw = other\nloader = torch.utils.data.DataLoader(ds, **kw)\n"
    assert params(rebound, "torch.utils.data.DataLoader") == set()


def test_the_fix_never_repeats_a_key_of_the_unpacked_dict():
    from pathlib import Path

    from defaultlint.api import Linter
    from defaultlint.project.config import Settings

    src = "import torch\nkw = {'batch_size': 32, 'shuffle': True}\nloader = torch.utils.data.DataLoader(ds, **kw)\n"
    fixed, _, _ = Linter(Settings(root=Path("."), select=["ALL"])).fix_text(src, "t.py", unsafe=True)
    assert fixed.endswith("loader = torch.utils.data.DataLoader(ds, **kw, num_workers=0, drop_last=False)\n")


# -- parameters not in force, found on the accuracy set (tests/accuracy) --------------------------------
def test_a_batch_sampler_object_takes_batch_size_shuffle_and_drop_last_out_of_force():
    src = ("import torch\nfrom torch.utils.data import DataLoader, Sampler\n"
           "class Chunks(Sampler):\n    pass\n"
           "a = DataLoader(ds, batch_sampler=Chunks(ds))\n"
           "b = DataLoader(ds, batch_sampler=torch.utils.data.BatchSampler(s, 4, False))\n"
           "c = DataLoader(ds, batch_sampler=lambda: None)\n")
    for f in lint(src):
        assert f.location.row < 5 or {p for p, _ in f.parameters}.isdisjoint(
            {"batch_size", "shuffle", "drop_last"}), f.message
    # a literal None, or nothing, leaves them in force; a name of unknown value states the condition
    assert {"batch_size", "shuffle", "drop_last"} <= params(
        "from torch.utils.data import DataLoader\nd = DataLoader(ds, batch_sampler=None)\n",
        "torch.utils.data.DataLoader")
    msgs = [f.message for f in lint("from torch.utils.data import DataLoader\nd = DataLoader(ds, batch_sampler=bs)\n")
            if "`batch_size`" in f.message]
    assert len(msgs) == 1 and "in force only when `batch_sampler is None`" in msgs[0]


def test_in_order_needs_workers_and_norm_type_needs_max_norm():
    loader = "from torch.utils.data import DataLoader\n"
    assert "in_order" not in params(loader + "d = DataLoader(ds)\n", "torch.utils.data.DataLoader")
    assert "in_order" in params(loader + "d = DataLoader(ds, num_workers=4)\n", "torch.utils.data.DataLoader")
    emb = "import torch.nn as nn\n"
    assert "norm_type" not in params(emb + "e = nn.Embedding(10, 4)\n", "torch.nn.Embedding")
    assert "norm_type" in params(emb + "e = nn.Embedding(10, 4, max_norm=1.0)\n", "torch.nn.Embedding")


def test_count_include_pad_needs_padding_and_recompute_scale_factor_needs_a_scale_factor():
    nn_ = "import torch.nn as nn\nimport torch.nn.functional as F\n"
    assert "count_include_pad" not in params(nn_ + "p = nn.AvgPool2d(2, stride=2)\n", "torch.nn.AvgPool2d")
    assert "count_include_pad" not in params(nn_ + "p = nn.AvgPool2d(2, padding=(0, 0))\n", "torch.nn.AvgPool2d")
    assert "count_include_pad" in params(nn_ + "p = nn.AvgPool2d(3, padding=1)\n", "torch.nn.AvgPool2d")
    assert "recompute_scale_factor" not in params(nn_ + "y = F.interpolate(x, size=(4, 4))\n",
                                                  "torch.nn.functional.interpolate")
    assert "recompute_scale_factor" in params(nn_ + "y = F.interpolate(x, scale_factor=2)\n",
                                              "torch.nn.functional.interpolate")


def test_evaluate_batch_size_and_validation_batch_size_need_array_data():
    src = ("import keras, tensorflow as tf\nm = keras.Sequential([])\n"
           "ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)\n"
           "m.evaluate(ds)\nm.fit(xs, ys, validation_data=ds)\nm.fit(xs, ys)\nm.fit(xs, ys, validation_split=0.1)\n")
    rows = {(f.location.row, p) for f in lint(src) for p, _ in f.parameters}
    assert (4, "batch_size") not in rows
    assert (5, "validation_batch_size") not in rows and (6, "validation_batch_size") not in rows
    assert (7, "validation_batch_size") in rows


def test_an_object_argument_decides_is_none_and_nothing_else():
    from defaultlint.core import conditions

    class ObjectEnv(conditions.Env):
        def value(self, name):
            return True, conditions.NOT_NONE

    env = ObjectEnv()
    assert conditions.evaluate("x is None", env) is False
    assert conditions.evaluate("x is not None", env) is True
    for unknown in ("x == 0", "x != 0", "x", "not x", "x in (0, 1)", "x > 1"):
        assert conditions.evaluate(unknown, env) is None, unknown
    assert conditions.describe("a != 0 or (b is not None and not c)") == "`a != 0` or (`b is not None` and `c` is false)"
