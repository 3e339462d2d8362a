"""compare between the third framework family (Flax linen, Optax) and PyTorch or Keras, on a model written in
all three (tests/data/ports/cnn_*.py): each divergence a default makes, its fix and its grade."""

import json

from conftest import run_cli

DATA = "tests/data/ports"
LECUN_TORCH = ("torch.nn.init.trunc_normal_(layer.weight, std=1 / math.sqrt(fan_in) / 0.8796256610342398, "
               "a=-2 / math.sqrt(fan_in) / 0.8796256610342398, b=2 / math.sqrt(fan_in) / 0.8796256610342398)")
TORCH_BIAS_FLAX = ("bias_init=lambda key, shape, dtype=jax.numpy.float32: jax.random.uniform(key, shape, dtype, "
                   "-1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))")
TORCH_WEIGHT_FLAX = "kernel_init=jax.nn.initializers.variance_scaling(1 / 3, 'fan_in', 'uniform')"


def compare(a: str, b: str) -> dict:
    r = run_cli("compare", f"{DATA}/{a}", f"{DATA}/{b}", "--format", "json")
    assert r.returncode == 1, r.stdout + r.stderr
    return json.loads(r.stdout)


def found(data: dict) -> list[tuple[str, str, str, str]]:
    return [(d["a_param"], d["b_param"], d["fix"], d["grade"]) for d in data["divergences"]]


def test_flax_to_torch():
    data = compare("cnn_flax.py", "cnn_pt.py")
    assert found(data) == [
        ("padding", "padding", "padding=1", "exact"),  # 'SAME' with a 3x3 kernel pads 1 on each side
        ("kernel_init", "weight_init", LECUN_TORCH, "exact"),
        ("bias_init", "bias_init", "torch.nn.init.zeros_(layer.bias)", "exact"),
        ("momentum", "momentum", "momentum=0.01", "approximate"),  # Flax keeps 0.99 of the old statistic
        ("kernel_init", "weight_init", LECUN_TORCH, "exact"),
        ("bias_init", "bias_init", "torch.nn.init.zeros_(layer.bias)", "exact"),
        ("epsilon", "eps", "eps=1e-06", "exact"),
        ("approximate", "approximate", "approximate='tanh'", "exact"),  # flax nn.gelu(x) against nn.GELU()
        ("kernel_init", "weight_init", LECUN_TORCH, "exact"),
        ("bias_init", "bias_init", "torch.nn.init.zeros_(layer.bias)", "exact"),
        ("weight_decay", "weight_decay", "weight_decay=0.0001", "exact"),
    ]
    assert data["summary"]["paired"] == 8
    assert data["unpaired"] == []  # the activation function pairs with the activation module
    fixes = {p["b_api"]: p["fix"] for p in data["pairs"] if p["fix"]}
    assert fixes["torch.nn.GELU"] == "nn.GELU(approximate='tanh')"


def test_torch_to_flax():
    data = compare("cnn_pt.py", "cnn_flax.py")
    assert found(data) == [
        ("padding", "padding", "padding='VALID'", "exact"),  # Flax's own word, not padding=0
        ("weight_init", "kernel_init", TORCH_WEIGHT_FLAX, "exact"),
        ("bias_init", "bias_init", TORCH_BIAS_FLAX, "exact"),
        ("momentum", "momentum", "momentum=0.9", "approximate"),
        ("weight_init", "kernel_init", TORCH_WEIGHT_FLAX, "exact"),
        ("bias_init", "bias_init", TORCH_BIAS_FLAX, "exact"),
        ("eps", "epsilon", "epsilon=1e-05", "exact"),
        ("approximate", "approximate", "approximate=False", "exact"),
        ("weight_init", "kernel_init", TORCH_WEIGHT_FLAX, "exact"),
        ("bias_init", "bias_init", TORCH_BIAS_FLAX, "exact"),
        ("weight_decay", "weight_decay", "weight_decay=0.01", "exact"),
    ]
    fixes = {p["b_api"]: p["fix"] for p in data["pairs"] if p["fix"]}
    assert fixes["jax.nn.gelu"] == "nn.gelu(x, approximate=False)"
    # Optax places epsilon as torch does: equal values are agreement, not an approximate equivalence
    assert not [d for d in data["divergences"] if d["a_param"] == "eps" and d["b_param"] == "eps"]


def test_flax_to_keras_same_momentum_convention_and_shared_initialiser_names():
    data = compare("cnn_flax.py", "cnn_keras.py")
    assert found(data) == [
        ("padding", "padding", "padding='same'", "exact"),
        ("kernel_init", "kernel_initializer", "kernel_initializer='lecun_normal'", "exact"),
        ("epsilon", "epsilon", "epsilon=1e-05", "exact"),  # BatchNorm; momentum 0.99 agrees (one convention)
        ("kernel_init", "kernel_initializer", "kernel_initializer='lecun_normal'", "exact"),
        ("epsilon", "epsilon", "epsilon=1e-06", "exact"),  # LayerNorm
        ("kernel_init", "kernel_initializer", "kernel_initializer='lecun_normal'", "exact"),
        ("eps", "epsilon", "epsilon=1e-08", "approximate"),  # Keras adds epsilon before the bias correction
        ("weight_decay", "weight_decay", "weight_decay=0.0001", "exact"),
    ]
    assert [u["api"] for u in data["unpaired"]] == ["jax.nn.gelu"]  # the Keras twin has no GELU


def test_keras_to_flax():
    data = compare("cnn_keras.py", "cnn_flax.py")
    assert found(data) == [
        ("padding", "padding", "padding='VALID'", "exact"),
        ("kernel_initializer", "kernel_init", "kernel_init=jax.nn.initializers.glorot_uniform()", "exact"),
        ("epsilon", "epsilon", "epsilon=0.001", "exact"),
        ("kernel_initializer", "kernel_init", "kernel_init=jax.nn.initializers.glorot_uniform()", "exact"),
        ("epsilon", "epsilon", "epsilon=0.001", "exact"),
        ("kernel_initializer", "kernel_init", "kernel_init=jax.nn.initializers.glorot_uniform()", "exact"),
        ("weight_decay", "weight_decay", "weight_decay=0.004", "exact"),
        ("epsilon", "eps", "eps=1e-07", "approximate"),
    ]
    fixes = {p["b_api"]: p["fix"] for p in data["pairs"] if p["fix"]}
    assert fixes["flax.linen.BatchNorm"] == "nn.BatchNorm(use_running_average=not train, epsilon=0.001)"


def test_flax_against_itself_has_no_divergence():
    r = run_cli("compare", f"{DATA}/cnn_flax.py", f"{DATA}/cnn_flax.py", "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["divergences"] == []


def test_flax_strided_same_padding_is_the_tensorflow_trap(tmp_path):
    (tmp_path / "a.py").write_text("import flax.linen as nn\n\n\nclass Down(nn.Module):\n"
                                   "    @nn.compact\n    def __call__(self, x):\n"
                                   "        return nn.Conv(64, (3, 3), strides=(2, 2))(x)\n")
    (tmp_path / "b.py").write_text("import torch\n\n\nclass Down(torch.nn.Module):\n"
                                   "    def __init__(self):\n        self.conv = torch.nn.Conv2d(32, 64, 3, 2, 1)\n")
    r = run_cli("compare", tmp_path / "a.py", tmp_path / "b.py", "--format", "json")
    data = json.loads(r.stdout)
    traps = [(d["trap"], d["fix"]) for d in data["divergences"] if d["trap"]]
    assert traps == [("strided_same_padding", "pad explicitly before the convolution and give it padding=0: "
                      "x = torch.nn.functional.pad(x, (0, 1, 0, 1)) (left, right, top, bottom for an input whose "
                      "size the stride divides; otherwise the total is dilation * (kernel - 1) + 1 - (size % stride) "
                      "per dimension, larger half at the end)")]
    assert not [d for d in data["divergences"] if d["a_param"] == "padding"]
    assert "'same'" not in "".join(p["fix"] for p in data["pairs"])


def test_gelu_function_and_module_pair_across_keras_and_torch_spellings(tmp_path):
    (tmp_path / "a.py").write_text("import keras\ny = keras.activations.gelu(x)\n")
    (tmp_path / "b.py").write_text("import torch\nact = torch.nn.GELU()\n")
    r = run_cli("compare", tmp_path / "a.py", tmp_path / "b.py", "--format", "json")
    data = json.loads(r.stdout)
    assert r.returncode == 0 and data["divergences"] == [] and data["summary"]["paired"] == 1  # False is 'none'
    (tmp_path / "a.py").write_text("import keras\ny = keras.ops.gelu(x)\n")  # approximate=True by default
    data = json.loads(run_cli("compare", tmp_path / "a.py", tmp_path / "b.py", "--format", "json").stdout)
    assert found(data) == [("approximate", "approximate", "approximate='tanh'", "exact")]
