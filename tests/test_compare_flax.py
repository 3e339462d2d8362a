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
        ("kernel_init", "weight_init", LECUN_TORCH, "exact"),
        ("bias_init", "bias_init", "torch.nn.init.zeros_(layer.bias)", "exact"),
        ("weight_decay", "weight_decay", "weight_decay=0.0001", "exact"),
    ]
    assert data["summary"]["paired"] == 7
    assert [u["api"] for u in data["unpaired"]] == ["torch.nn.GELU"]


def test_torch_to_flax():
    data = compare("cnn_pt.py", "cnn_flax.py")
    assert found(data) == [
        ("padding", "padding", "padding=0", "exact"),
        ("weight_init", "kernel_init", TORCH_WEIGHT_FLAX, "exact"),
        ("bias_init", "bias_init", TORCH_BIAS_FLAX, "exact"),
        ("momentum", "momentum", "momentum=0.9", "approximate"),
        ("weight_init", "kernel_init", TORCH_WEIGHT_FLAX, "exact"),
        ("bias_init", "bias_init", TORCH_BIAS_FLAX, "exact"),
        ("eps", "epsilon", "epsilon=1e-05", "exact"),
        ("weight_init", "kernel_init", TORCH_WEIGHT_FLAX, "exact"),
        ("bias_init", "bias_init", TORCH_BIAS_FLAX, "exact"),
        ("weight_decay", "weight_decay", "weight_decay=0.01", "exact"),
    ]
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
    assert data["unpaired"] == []


def test_keras_to_flax():
    data = compare("cnn_keras.py", "cnn_flax.py")
    assert found(data) == [
        ("padding", "padding", "padding=0", "exact"),
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
