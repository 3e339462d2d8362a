"""The initialiser rows (rules/torch/init.toml, rules/keras/initializers.toml), measured: the distribution each
default gives is drawn from the installed torch and Keras and compared with what the rows and their notes say
(bounds, standard deviations, truncation, gains). Signatures and spellings are checked with the other rows by
test_torch_table.py and test_keras_table.py."""

from __future__ import annotations

import math
import os
import sys
import tempfile

import pytest

from conftest import require_framework
from defaultlint.project.tables import load_table

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if "keras" not in sys.modules:
    os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="defaultlint-keras-home-"))

pytestmark = pytest.mark.frameworks

TABLE = load_table()
TORCH_ROWS = sorted(n for n, a in TABLE.apis.items() if n.startswith("torch.nn.init."))
KERAS_ROWS = sorted(n for n, a in TABLE.apis.items() if n.startswith("keras.initializers.") and a.category == "initializer")
CHECKED: set[str] = set()


def covers(*names):
    CHECKED.update(names)
    return lambda fn: fn


def default(name: str, param: str):
    return eval(TABLE.apis[name].param(param).default)  # noqa: S307 - table data


# -- torch ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch():
    return require_framework("torch")


def _w(torch, *shape):
    torch.manual_seed(0)
    return torch.empty(*shape, dtype=torch.float64)


@covers("torch.nn.init.kaiming_uniform_", "torch.nn.init.kaiming_normal_")
def test_kaiming_defaults_are_the_relu_gain_over_the_fan_in(torch):
    init = torch.nn.init
    assert (default("torch.nn.init.kaiming_uniform_", "a"), default("torch.nn.init.kaiming_uniform_", "mode"),
            default("torch.nn.init.kaiming_uniform_", "nonlinearity")) == (0, "fan_in", "leaky_relu")
    w = init.kaiming_uniform_(_w(torch, 400, 900))
    bound = math.sqrt(6 / 900)  # gain sqrt(2) (leaky_relu with a=0) * sqrt(3 / fan_in), fan_in = 900
    assert bound * 0.999 < w.abs().max().item() <= bound
    w = init.kaiming_normal_(_w(torch, 400, 900))
    assert abs(w.std().item() - math.sqrt(2 / 900)) < 0.01 * math.sqrt(2 / 900)
    assert w.abs().max().item() > 4 * math.sqrt(2 / 900)  # not truncated (Keras HeNormal is)
    # mode='fan_out' would use 400: the default is the fan-in
    assert abs(init.kaiming_normal_(_w(torch, 400, 900), mode="fan_out").std().item() - math.sqrt(2 / 400)) < 1e-3
    # nn.Linear's own a=math.sqrt(5) is gain sqrt(1/3): bound 1/sqrt(fan_in), not the default's sqrt(6/fan_in)
    assert init.calculate_gain("leaky_relu", 0) == pytest.approx(math.sqrt(2))


@covers("torch.nn.init.xavier_uniform_", "torch.nn.init.xavier_normal_")
def test_xavier_gain_one(torch):
    init = torch.nn.init
    assert default("torch.nn.init.xavier_uniform_", "gain") == 1.0
    w = init.xavier_uniform_(_w(torch, 300, 500))
    bound = math.sqrt(6 / 800)
    assert bound * 0.999 < w.abs().max().item() <= bound
    w = init.xavier_normal_(_w(torch, 300, 500))
    assert abs(w.std().item() - math.sqrt(2 / 800)) < 0.01 * math.sqrt(2 / 800)
    assert w.abs().max().item() > 4 * math.sqrt(2 / 800)  # not truncated (Keras GlorotNormal is)


@covers("torch.nn.init.orthogonal_", "keras.initializers.Orthogonal")
def test_orthogonal_gain_one(torch):
    w = torch.nn.init.orthogonal_(_w(torch, 64, 64))
    torch.testing.assert_close(w @ w.T, torch.eye(64, dtype=torch.float64))
    keras = require_framework("keras")
    np = require_framework("numpy")
    k = keras.initializers.Orthogonal(seed=1)((64, 64)).numpy()
    assert np.allclose(k @ k.T, np.eye(64), atol=1e-5)


@covers("torch.nn.init.trunc_normal_")
def test_trunc_normal_bounds_are_absolute(torch):
    init = torch.nn.init
    assert (default("torch.nn.init.trunc_normal_", "a"), default("torch.nn.init.trunc_normal_", "b")) == (-2.0, 2.0)
    w = init.trunc_normal_(_w(torch, 1_000_000))
    assert w.abs().max().item() <= 2.0 and w.abs().max().item() > 1.99
    assert abs(w.std().item() - 0.8796) < 0.003  # std=1 cut at ±2: the standard deviation shrinks
    # with std=0.02 the bounds ±2 are 100 standard deviations out: nothing is truncated, the std stays 0.02
    w = init.trunc_normal_(_w(torch, 1_000_000), std=0.02)
    assert abs(w.std().item() - 0.02) < 0.0002
    assert w.abs().max().item() > 4 * 0.02  # a cut at two standard deviations (Keras) would stop at 0.04


@covers("torch.nn.init.normal_", "torch.nn.init.uniform_", "torch.nn.init.sparse_")
def test_normal_uniform_and_sparse_defaults(torch):
    init = torch.nn.init
    w = init.normal_(_w(torch, 100_000))
    assert abs(w.mean().item()) < 0.01 and abs(w.std().item() - 1) < 0.01
    w = init.uniform_(_w(torch, 100_000))
    assert w.min().item() >= 0 and w.max().item() < 1 and abs(w.mean().item() - 0.5) < 0.01  # [0, 1): not centred
    w = init.sparse_(_w(torch, 200, 300), 0.5)
    nonzero = w[w != 0]
    assert abs(nonzero.std().item() - default("torch.nn.init.sparse_", "std")) < 0.0005


@covers("torch.nn.init.dirac_")
def test_dirac_one_group_is_the_identity_convolution(torch):
    conv = torch.nn.Conv2d(4, 4, 3, padding=1, bias=False)
    torch.nn.init.dirac_(conv.weight)
    x = torch.randn(1, 4, 5, 5)
    torch.testing.assert_close(conv(x), x)


@covers("torch.nn.init.calculate_gain")
def test_calculate_gain_leaky_relu_assumes_slope_0_01(torch):
    fact = TABLE.apis["torch.nn.init.calculate_gain"].fact("param")
    gain = torch.nn.init.calculate_gain("leaky_relu")
    assert gain == torch.nn.init.calculate_gain("leaky_relu", eval(fact.resolves))  # noqa: S307
    assert gain == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert torch.nn.init.calculate_gain("relu") == torch.nn.init.calculate_gain("relu", 0.3)  # ignored elsewhere


@covers("torch.nn.init.eye_", "torch.nn.init.constant_")
def test_eye_and_constant_take_no_hyperparameter(torch):
    assert TABLE.apis["torch.nn.init.eye_"].params[1:] == ()
    torch.testing.assert_close(torch.nn.init.eye_(torch.empty(3, 3)), torch.eye(3))


# -- Keras ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def keras():
    require_framework("tensorflow")
    return require_framework("keras")


@covers("keras.initializers.VarianceScaling")
def test_variance_scaling_default_is_lecun_truncated_normal(keras):
    np = require_framework("numpy")
    w = keras.initializers.VarianceScaling(seed=1)((400, 1000)).numpy()  # fan_in 400
    target = math.sqrt(1 / 400)  # scale 1.0 over the fan-in
    assert abs(w.std() - target) < 0.01 * target  # the truncation is compensated
    assert np.abs(w).max() <= 2 * target / 0.87962566103423978 * 1.0001  # cut at two untruncated stddevs
    he = keras.initializers.HeNormal(seed=1)((400, 1000)).numpy()
    same = keras.initializers.VarianceScaling(scale=2.0, mode="fan_in", distribution="truncated_normal", seed=1)
    assert np.array_equal(he, same((400, 1000)).numpy())


@covers("keras.initializers.RandomNormal", "keras.initializers.RandomUniform", "keras.initializers.TruncatedNormal")
def test_keras_random_initialisers_are_small(keras):
    np = require_framework("numpy")
    w = keras.initializers.RandomNormal(seed=1)((1000, 1000)).numpy()
    assert abs(w.std() - 0.05) < 0.0005 and abs(w.mean()) < 0.0005
    w = keras.initializers.RandomUniform(seed=1)((1000, 1000)).numpy()
    assert -0.05 <= w.min() < -0.0499 and 0.0499 < w.max() < 0.05
    w = keras.initializers.TruncatedNormal(seed=1)((1000, 1000)).numpy()
    assert np.abs(w).max() <= 0.1 and np.abs(w).max() > 0.099  # two standard deviations of 0.05
    assert abs(w.std() - 0.05 * 0.8796) < 0.0005  # not compensated, unlike VarianceScaling


@covers("keras.initializers.Identity", "keras.initializers.Constant")
def test_identity_and_constant(keras):
    np = require_framework("numpy")
    assert np.array_equal(keras.initializers.Identity()((3, 3)).numpy(), np.eye(3))
    assert not keras.initializers.Constant()((3,)).numpy().any()


def test_every_initialiser_row_is_measured():
    assert set(TORCH_ROWS + KERAS_ROWS) <= CHECKED, set(TORCH_ROWS + KERAS_ROWS) - CHECKED
