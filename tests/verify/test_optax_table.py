"""The Optax rows of the default table, checked against the installed release: every signature is the real
one, every spelling imports as the same object, and the values in force that findings state are what the
optimizers and schedules compute when run on the CPU."""

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
ROWS = sorted((a for a in TABLE.apis.values() if a.framework == "optax"), key=lambda a: a.name)


def _optax():
    require_framework("jax")
    return require_framework("optax")


def _value(api: str, param: str):
    return eval(TABLE.apis[api].current(param))


def test_the_installed_release_is_the_verified_one():
    assert parse_version(_optax().__version__) == TABLE.frameworks["optax"].verified


@pytest.mark.parametrize("api", ROWS, ids=[a.name for a in ROWS])
def test_row_matches_the_installed_release(api):
    _optax()
    assert tablegen.compare(api) == []


def _step(tx, params, grads):
    state = tx.init(params)
    updates, _ = tx.update(grads, state, params)
    return updates


def test_adamw_decays_every_parameter_by_default():
    optax = _optax()
    import jax.numpy as jnp

    wd = _value("optax.adamw", "weight_decay")
    assert wd == 1e-4
    params = {"bias": jnp.array([2.0]), "kernel": jnp.array([[3.0]])}
    zero = {"bias": jnp.zeros(1), "kernel": jnp.zeros((1, 1))}
    updates = _step(optax.adamw(learning_rate=1.0), params, zero)
    # with zero gradients only the decay moves the parameters: lr * wd * p, biases included (mask=None)
    assert jnp.allclose(updates["bias"], -wd * 2.0) and jnp.allclose(updates["kernel"], -wd * 3.0)


def test_adam_epsilons():
    optax = _optax()
    import jax.numpy as jnp

    eps, eps_root = _value("optax.adam", "eps"), _value("optax.adam", "eps_root")
    g = jnp.array([1e-9])
    updates = _step(optax.adam(1.0), jnp.zeros(1), g)
    # first step: m_hat = g, v_hat = g**2; update = -g / (sqrt(g**2 + eps_root) + eps)
    assert jnp.allclose(updates, -g / (jnp.sqrt(g ** 2 + eps_root) + eps), rtol=1e-4)
    assert (eps, eps_root) == (1e-8, 0.0)


def test_sgd_has_no_momentum_unless_given():
    optax = _optax()
    import jax.numpy as jnp

    assert _value("optax.sgd", "momentum") is None
    tx = optax.sgd(1.0)
    params, g = jnp.zeros(1), jnp.ones(1)
    state = tx.init(params)
    first, state = tx.update(g, state, params)
    second, _ = tx.update(g, state, params)
    assert jnp.allclose(first, second)  # no accumulated velocity


def test_rmsprop_decay_and_epsilon_inside_the_root():
    optax = _optax()
    import jax.numpy as jnp

    decay, eps = _value("optax.rmsprop", "decay"), _value("optax.rmsprop", "eps")
    g = jnp.array([0.5])
    updates = _step(optax.rmsprop(1.0), jnp.zeros(1), g)
    nu = (1 - decay) * g ** 2
    assert jnp.allclose(updates, -g / jnp.sqrt(nu + eps))


def test_adagrad_starts_its_accumulator_at_initial_value():
    optax = _optax()
    import jax.numpy as jnp

    init, eps = _value("optax.adagrad", "initial_accumulator_value"), _value("optax.adagrad", "eps")
    g = jnp.array([1.0])
    updates = _step(optax.adagrad(1.0), jnp.zeros(1), g)
    assert jnp.allclose(updates, -g / jnp.sqrt(init + g ** 2 + eps), rtol=1e-5)


def test_schedules_in_force():
    optax = _optax()

    cos = optax.cosine_decay_schedule(1.0, 100)
    assert float(cos(100)) == pytest.approx(_value("optax.cosine_decay_schedule", "alpha"))
    warm = optax.warmup_cosine_decay_schedule(0.0, 1.0, 10, 100)
    assert float(warm(100)) == pytest.approx(_value("optax.warmup_cosine_decay_schedule", "end_value"))
    exp = optax.exponential_decay(1.0, 10, 0.5)
    assert float(exp(5)) == pytest.approx(0.5 ** 0.5)  # staircase=False: smooth


def test_huber_loss_is_elementwise_with_delta_one():
    optax = _optax()
    import jax.numpy as jnp

    loss = optax.huber_loss(jnp.array([0.5, 3.0]), jnp.zeros(2))
    delta = _value("optax.huber_loss", "delta")
    assert loss.shape == (2,)
    assert jnp.allclose(loss, jnp.array([0.125, delta * (3.0 - 0.5 * delta)]))


def test_every_row_is_checked():
    assert len(ROWS) == 13
