"""What `defaultlint compare` suggests, checked against the real frameworks: the suggested Keras and torch
objects run on the same data and their state is compared - exactly where the report says exact, within
the stated deviation where it says approximate."""

import math
import os

import pytest
from conftest import require_framework

from defaultlint.audit.equivalence import equivalences
from defaultlint.project.tables import load_table

EQ = equivalences(load_table())
INITIALIZERS = {i.name: i.spelled for i in EQ.initializers}
NOT_EXACT = {k: reason for k, (reason, *_) in EQ.inexact.items()}

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

pytestmark = pytest.mark.frameworks
np = require_framework("numpy")  # comes with the frameworks (the verify extra)


@pytest.fixture(scope="module")
def fw():
    torch = require_framework("torch")
    keras = require_framework("keras")
    assert keras.backend.backend() == "tensorflow"
    return torch, keras


def batches(n_batches=5, n=4, h=3, w=3, c=6, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(2.0, 3.0, size=(n, h, w, c)).astype("float32") for _ in range(n_batches)]


def run_batchnorm(fw, data):
    torch, keras = fw
    k = keras.layers.BatchNormalization(momentum=0.99, epsilon=0.001)  # the Keras defaults, written down
    t = torch.nn.BatchNorm2d(data[0].shape[-1], eps=0.001, momentum=0.01)  # what compare suggests
    t.train()
    outs = []
    for x in data:
        yk = np.asarray(k(x, training=True))
        yt = t(torch.from_numpy(x).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).detach().numpy()
        outs.append((yk, yt))
    return k, t, outs


def test_batchnorm_suggestion_matches_outputs_and_running_mean_exactly(fw):
    k, t, outs = run_batchnorm(fw, batches())
    for yk, yt in outs:  # normalisation itself: same epsilon, same (biased) batch variance
        np.testing.assert_allclose(yk, yt, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(k.moving_mean), t.running_mean.numpy(), rtol=1e-5, atol=1e-6)


def test_batchnorm_running_variance_is_approximate_biased_vs_unbiased(fw):
    data = batches()
    k, t, _ = run_batchnorm(fw, data)
    keras_var, torch_var = np.asarray(k.moving_variance), t.running_var.numpy()
    # measured: the two differ by more than float error ...
    assert not np.allclose(keras_var, torch_var, rtol=1e-4)
    # ... and each is exactly its own recurrence: Keras averages the biased batch variance, torch the unbiased
    n = data[0].shape[0] * data[0].shape[1] * data[0].shape[2]
    biased, unbiased = np.ones(data[0].shape[-1]), np.ones(data[0].shape[-1])
    for x in data:
        v = x.reshape(-1, x.shape[-1]).astype("float64").var(axis=0)
        biased = 0.99 * biased + 0.01 * v
        unbiased = 0.99 * unbiased + 0.01 * v * n / (n - 1)
    np.testing.assert_allclose(keras_var, biased, rtol=1e-4)
    np.testing.assert_allclose(torch_var, unbiased, rtol=1e-4)
    assert "biased" in NOT_EXACT[("torch.nn.BatchNorm2d", "momentum")]


def adam_step(fw, grads, torch_kwargs, keras_kwargs, steps=1):
    torch, keras = fw
    w0 = np.linspace(-1, 1, grads.size).astype("float32").reshape(grads.shape)
    kv = keras.Variable(w0)
    ko = keras.optimizers.Adam(**keras_kwargs)
    tp = torch.nn.Parameter(torch.from_numpy(w0.copy()))
    to = torch.optim.Adam([tp], **torch_kwargs)
    for _ in range(steps):
        ko.apply_gradients([(keras.ops.convert_to_tensor(grads), kv)])
        tp.grad = torch.from_numpy(grads.copy())
        to.step()
    return w0, np.asarray(kv), tp.detach().numpy()


def test_adam_epsilon_is_approximate_and_enters_before_bias_correction(fw):
    tiny = np.full((8,), 1e-6, dtype="float32")  # gradients small enough for epsilon to matter
    w0, wk, wt = adam_step(fw, tiny, {"lr": 1e-3, "eps": 1e-7}, {"learning_rate": 1e-3, "epsilon": 1e-7})
    step_k, step_t = w0 - wk, w0 - wt
    assert not np.allclose(step_k, step_t, rtol=1e-2)  # same number, different effect: approximate
    # the placement: Keras epsilon acts as torch eps = epsilon / sqrt(1 - beta_2**t) (t = 1 here)
    eps_t = 1e-7 / math.sqrt(1 - 0.999)
    _, _, wt_exact = adam_step(fw, tiny, {"lr": 1e-3, "eps": eps_t}, {"learning_rate": 1e-3, "epsilon": 1e-7})
    np.testing.assert_allclose(w0 - wt_exact, step_k, rtol=1e-3)
    # with gradients of a usual size the suggested eps=1e-07 agrees closely
    usual = np.linspace(-0.1, 0.1, 8).astype("float32") + 0.01
    w0, wk, wt = adam_step(fw, usual, {"lr": 1e-3, "eps": 1e-7}, {"learning_rate": 1e-3, "epsilon": 1e-7}, steps=3)
    np.testing.assert_allclose(w0 - wt, w0 - wk, rtol=1e-3)
    assert "no argument gives exact equality" in NOT_EXACT[("torch.optim.Adam", "eps")]


def test_adam_other_hyperparameters_match_exactly(fw):
    # epsilon made negligible on both sides, so that only the exact equivalences remain
    grads = np.linspace(-0.1, 0.1, 8).astype("float32") + 0.01
    w0, wk, wt = adam_step(fw, grads, {"lr": 1e-2, "betas": (0.8, 0.99), "eps": 1e-12},
                           {"learning_rate": 1e-2, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-12}, steps=4)
    np.testing.assert_allclose(w0 - wt, w0 - wk, rtol=1e-4)


def test_decoupled_weight_decay_companion_is_exact(fw):
    grads = np.linspace(-0.1, 0.1, 8).astype("float32") + 0.01
    w0, wk, wt = adam_step(fw, grads, {"lr": 1e-2, "eps": 1e-12, "weight_decay": 0.1, "decoupled_weight_decay": True},
                           {"learning_rate": 1e-2, "epsilon": 1e-12, "weight_decay": 0.1}, steps=3)
    np.testing.assert_allclose(wt, wk, rtol=1e-5, atol=1e-6)
    _, _, coupled = adam_step(fw, grads, {"lr": 1e-2, "eps": 1e-12, "weight_decay": 0.1},
                              {"learning_rate": 1e-2, "epsilon": 1e-12, "weight_decay": 0.1}, steps=3)
    assert not np.allclose(coupled, wk, rtol=1e-4)


def bound(values) -> float:
    return float(np.abs(np.asarray(values)).max())


def test_initialisers_have_the_same_bounds(fw):
    torch, keras = fw
    fan_in, fan_out = 300, 200
    dense = keras.layers.Dense(fan_out)
    dense.build((None, fan_in))
    glorot = math.sqrt(6 / (fan_in + fan_out))
    assert glorot * 0.98 < bound(dense.kernel) <= glorot
    assert bound(dense.bias) == 0.0
    lin = torch.nn.Linear(fan_in, fan_out)
    exec(INITIALIZERS["glorot_uniform"]["torch"].format(w="lin.weight"), {"torch": torch, "lin": lin})
    exec(INITIALIZERS["zeros"]["torch"].format(w="lin.bias"), {"torch": torch, "lin": lin})
    assert glorot * 0.98 < bound(lin.weight.detach()) <= glorot
    assert bound(lin.bias.detach()) == 0.0
    # the torch defaults, written for Keras
    torch_bound = 1 / math.sqrt(fan_in)
    fresh = torch.nn.Linear(fan_in, fan_out)
    assert torch_bound * 0.98 < bound(fresh.weight.detach()) <= torch_bound
    assert torch_bound * 0.9 < bound(fresh.bias.detach()) <= torch_bound
    spelled = {k: INITIALIZERS[k]["keras"].replace("sqrt(fan_in)", f"sqrt({fan_in})")
               for k in ("torch_weight", "torch_bias")}
    names = {"keras": keras, "math": math}
    ported = keras.layers.Dense(fan_out, kernel_initializer=eval(spelled["torch_weight"], names),
                                bias_initializer=eval(spelled["torch_bias"], names))
    ported.build((None, fan_in))
    assert torch_bound * 0.98 < bound(ported.kernel) <= torch_bound
    assert torch_bound * 0.9 < bound(ported.bias) <= torch_bound
