"""The Flax (linen and NNX) and jax.nn rows of the default table, checked against the installed releases:
every signature is the real one (a default without source of its own, such as the initialiser closure
`lecun_normal()` makes, matches when the recorded expression evaluates to an equivalent object), every spelling
imports as the same object, and the values in force that findings state are what the layers do when they are
initialised and run on the CPU."""

from __future__ import annotations

import os

import pytest

from conftest import require_framework
from defaultlint.core.versions import parse_version
from defaultlint.project.tables import load_table
from defaultlint.tools import tablegen

pytestmark = pytest.mark.frameworks
os.environ.setdefault("JAX_PLATFORMS", "cpu")

TABLE = load_table()
ROWS = sorted((a for a in TABLE.apis.values() if a.framework in ("flax", "jax")), key=lambda a: a.name)


def _flax():
    require_framework("jax")
    return require_framework("flax")


@pytest.mark.parametrize("framework", ["jax", "flax"])
def test_the_installed_release_is_the_verified_one(framework):
    _flax()
    assert parse_version(tablegen.framework_version(framework)) == TABLE.frameworks[framework].verified


@pytest.mark.parametrize("api", ROWS, ids=[a.name for a in ROWS])
def test_row_matches_the_installed_release(api):
    _flax()
    assert tablegen.compare(api) == []


def test_a_default_without_source_is_matched_by_what_it_is_not_by_its_name():
    _flax()
    import inspect

    import flax.linen as nn

    made = inspect.signature(nn.Dense).parameters["kernel_init"].default
    assert tablegen._equivalent(made, tablegen.evaluate("flax.linen.initializers.lecun_normal()"))
    assert not tablegen._equivalent(made, tablegen.evaluate("flax.linen.initializers.glorot_normal()"))
    assert not tablegen._equivalent(made, tablegen.evaluate("flax.linen.initializers.lecun_uniform()"))


def _value(api: str, param: str):
    return eval(TABLE.apis[api].current(param))  # literals of the table (numbers, strings)


def test_linen_dense_draws_lecun_normal_kernels_and_zero_biases():
    _flax()
    import jax
    import jax.numpy as jnp
    import flax.linen as nn

    fan_in = 512
    params = nn.Dense(256).init(jax.random.key(0), jnp.ones((1, fan_in)))["params"]
    kernel = params["kernel"]
    # a normal truncated at 2 standard deviations, scaled to variance 1/fan_in
    assert abs(float(kernel.var()) * fan_in - 1.0) < 0.05
    assert float(jnp.abs(kernel).max()) <= 2 / (fan_in ** 0.5) / 0.87962566 + 1e-6
    assert float(jnp.abs(params["bias"]).max()) == 0.0


def test_linen_conv_pads_same():
    _flax()
    import jax
    import jax.numpy as jnp
    import flax.linen as nn

    assert _value("flax.linen.Conv", "padding") == "SAME"
    conv = nn.Conv(4, (3, 3))
    x = jnp.ones((1, 9, 9, 2))
    y = conv.apply(conv.init(jax.random.key(0), x), x)
    assert y.shape == (1, 9, 9, 4)  # the spatial size is kept (torch padding=0 would give 7x7)


def test_linen_batchnorm_keeps_momentum_of_the_old_statistic():
    _flax()
    import jax
    import jax.numpy as jnp
    import flax.linen as nn

    momentum = _value("flax.linen.BatchNorm", "momentum")
    bn = nn.BatchNorm(use_running_average=False)
    x = jnp.full((4, 3), 10.0)
    variables = bn.init(jax.random.key(0), x)
    _, updated = bn.apply(variables, x, mutable=["batch_stats"])
    mean = updated["batch_stats"]["mean"]
    assert jnp.allclose(mean, (1 - momentum) * 10.0)  # 0.99 of the old (zero) mean kept
    assert bn.epsilon == _value("flax.linen.BatchNorm", "epsilon") == 1e-5


def test_linen_layernorm_epsilon():
    _flax()
    import jax
    import jax.numpy as jnp
    import flax.linen as nn

    eps = _value("flax.linen.LayerNorm", "epsilon")
    x = jnp.array([[0.0, 1e-3]])
    ln = nn.LayerNorm()
    y = ln.apply(ln.init(jax.random.key(0), x), x)
    expected = (x - x.mean()) / jnp.sqrt(x.var() + eps)
    assert jnp.allclose(y, expected, atol=1e-5)
    assert not jnp.allclose(y, (x - x.mean()) / jnp.sqrt(x.var() + 1e-5), atol=1e-3)


def test_linen_embed_and_lstm_initialisers():
    _flax()
    import jax
    import jax.numpy as jnp
    import flax.linen as nn

    features = 64
    embed = nn.Embed(4000, features).init(jax.random.key(0), jnp.zeros((1,), jnp.int32))["params"]["embedding"]
    assert abs(float(embed.var()) * features - 1.0) < 0.05
    cell = nn.LSTMCell(8)
    carry = cell.initialize_carry(jax.random.key(0), (1, 4))
    params = cell.init(jax.random.key(1), carry, jnp.ones((1, 4)))["params"]
    hh = params["hf"]["kernel"]  # the recurrent kernel of one gate: orthogonal
    assert jnp.allclose(hh.T @ hh, jnp.eye(8), atol=1e-5)
    assert float(jnp.abs(params["hf"]["bias"]).max()) == 0.0  # forget gate bias zero, no unit_forget_bias


def test_nnx_layers_in_force():
    _flax()
    import jax.numpy as jnp
    from flax import nnx

    rngs = nnx.Rngs(0)
    bn = nnx.BatchNorm(3, rngs=rngs)
    assert (bn.momentum, bn.epsilon) == (_value("flax.nnx.BatchNorm", "momentum"), _value("flax.nnx.BatchNorm", "epsilon"))
    assert bn.use_running_average is False  # batch statistics until model.eval()
    bn(jnp.full((4, 3), 10.0))
    assert jnp.allclose(bn.mean[...], 0.01 * 10.0)
    drop = nnx.Dropout(0.5, rngs=rngs)
    assert drop.deterministic is False
    assert not jnp.allclose(drop(jnp.ones((100,))), jnp.ones((100,)))  # drops without being told
    conv = nnx.Conv(2, 4, (3, 3), rngs=rngs)
    assert conv(jnp.ones((1, 9, 9, 2))).shape == (1, 9, 9, 4)
    assert nnx.LayerNorm(4, rngs=rngs).epsilon == _value("flax.nnx.LayerNorm", "epsilon") == 1e-6
    lin = nnx.Linear(512, 256, rngs=rngs)
    assert abs(float(lin.kernel[...].var()) * 512 - 1.0) < 0.05
    assert float(jnp.abs(lin.bias[...]).max()) == 0.0


def test_jax_nn_values_in_force():
    _flax()
    import jax
    import jax.numpy as jnp

    x = jnp.linspace(-3.0, 3.0, 13)
    tanh_form = 0.5 * x * (1 + jnp.tanh(jnp.sqrt(2 / jnp.pi) * (x + 0.044715 * x ** 3)))
    exact = 0.5 * x * (1 + jax.scipy.special.erf(x / jnp.sqrt(2.0)))
    assert _value("jax.nn.gelu", "approximate") is True
    assert jnp.allclose(jax.nn.gelu(x), tanh_form, atol=1e-6)
    assert not jnp.allclose(jax.nn.gelu(x), exact, atol=1e-5)
    assert jnp.allclose(jax.nn.leaky_relu(jnp.array([-1.0])), -_value("jax.nn.leaky_relu", "negative_slope"))
    init = jax.nn.initializers
    normal = init.normal()(jax.random.key(0), (200, 200))
    assert abs(float(normal.std()) - _value("jax.nn.initializers.normal", "stddev")) < 5e-4
    uniform = init.uniform()(jax.random.key(0), (200, 200))
    assert float(uniform.min()) >= 0.0 and float(uniform.max()) < _value("jax.nn.initializers.uniform", "scale")
    trunc = init.truncated_normal()(jax.random.key(0), (200, 200))
    assert float(jnp.abs(trunc).max()) <= 2 * _value("jax.nn.initializers.truncated_normal", "stddev") + 1e-6


def test_program_defaults_of_jax():
    _flax()
    import jax

    for flag in TABLE.program.flags:
        if flag.framework == "jax":
            assert repr(eval(flag.read, {"jax": jax})) == flag.value, flag.name
    assert TABLE.frameworks["jax"].verified >= parse_version("0.5.0")  # after the threefry change


def test_every_row_is_checked():
    assert len(ROWS) == 29
