"""Mixed precision, compilation and schedule rows measured against the installed torch and Keras: loss-scaling
start values and growth, autocast's compute dtype, and what the schedules added with them compute. Signatures,
spellings and resolved sentinels are checked with every other row by test_torch_table.py and
test_keras_table.py."""

from __future__ import annotations

import os
import sys
import tempfile
import warnings

import pytest

from conftest import require_framework
from defaultlint.project.tables import load_table

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if "keras" not in sys.modules:
    os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="defaultlint-keras-home-"))

pytestmark = pytest.mark.frameworks
TABLE = load_table()


def default(name: str, param: str):
    return eval(TABLE.apis[name].param(param).default, {"torch": sys.modules.get("torch")})  # noqa: S307


@pytest.fixture(scope="module")
def torch():
    return require_framework("torch")


@pytest.fixture(scope="module")
def keras():
    require_framework("tensorflow")
    return require_framework("keras")


def test_grad_scaler_defaults(torch):
    name = "torch.amp.GradScaler"
    scaler = torch.amp.GradScaler("cpu")  # scaling runs on the CPU too; without a CUDA device 'cuda' disables it
    assert scaler._init_scale == default(name, "init_scale") == 2.0 ** 16
    assert scaler._growth_factor == default(name, "growth_factor") == 2.0
    assert scaler._backoff_factor == default(name, "backoff_factor") == 0.5
    assert scaler._growth_interval == default(name, "growth_interval") == 2000
    w = torch.nn.Parameter(torch.ones(2))
    opt = torch.optim.SGD([w], lr=1.0)
    scaler.scale((w * float("inf")).sum()).backward()  # an overflow: the step is skipped, the scale halves
    scaler.step(opt)
    scaler.update()
    assert scaler.get_scale() == 2.0 ** 15 and torch.equal(w.detach(), torch.ones(2))
    # the deprecated spelling is the same class with the same defaults
    assert issubclass(torch.cuda.amp.GradScaler, torch.amp.GradScaler)
    for p in ("init_scale", "growth_factor", "backoff_factor", "growth_interval"):
        assert default("torch.cuda.amp.GradScaler", p) == default(name, p)


def test_keras_loss_scale_starts_at_2_to_15_and_halves_on_overflow(keras):
    opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD())
    assert opt.initial_scale == 2.0 ** 15 and opt.dynamic_growth_steps == 2000
    assert keras.mixed_precision.LossScaleOptimizer is keras.optimizers.LossScaleOptimizer
    v = keras.Variable([1.0])
    opt.build([v])
    assert float(opt.dynamic_scale.numpy()) == 2.0 ** 15
    opt.apply([keras.ops.convert_to_tensor([float("inf")])], [v])  # a non-finite gradient: back off by 2
    assert float(opt.dynamic_scale.numpy()) == 2.0 ** 14 and float(v.numpy()[0]) == 1.0  # and the step is skipped


def test_autocast_spellings_compute_in_their_dtype(torch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert torch.cpu.amp.autocast().fast_dtype == default("torch.cpu.amp.autocast", "dtype") == torch.bfloat16
        assert default("torch.cuda.amp.autocast", "dtype") == torch.float16
        assert torch.cuda.amp.autocast(enabled=False).fast_dtype == torch.float16


def test_compile_defaults(torch):
    assert default("torch.compile", "fullgraph") is False and default("torch.compile", "dynamic") is None


def test_polynomial_lr_reaches_zero_after_five_steps_keras_stops_at_1e_4(torch, keras):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    sched = torch.optim.lr_scheduler.PolynomialLR(opt)
    for _ in range(5):
        opt.step()
        sched.step()
    assert opt.param_groups[0]["lr"] == 0.0
    keras_sched = keras.optimizers.schedules.PolynomialDecay(1.0, 5)
    assert float(keras_sched(10)) == pytest.approx(1e-4)


def test_constant_lr_is_a_third_for_five_steps(torch):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    sched = torch.optim.lr_scheduler.ConstantLR(opt)
    lrs = []
    for _ in range(7):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs[:5] == [pytest.approx(1 / 3)] * 5 and lrs[5:] == [1.0, 1.0]


def test_warm_restart_periods_torch_equal_keras_doubling(torch, keras):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, 4)
    lrs = []
    for _ in range(12):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert [i for i, lr in enumerate(lrs) if lr == 1.0] == [0, 4, 8]  # T_mult=1: every 4 steps
    k = keras.optimizers.schedules.CosineDecayRestarts(1.0, 4)
    restarts = [i for i in range(16) if float(k(i)) == pytest.approx(1.0)]
    assert restarts == [0, 4, 12]  # t_mul=2.0: periods of 4, then 8


def test_inverse_time_decay_is_continuous(keras):
    s = keras.optimizers.schedules.InverseTimeDecay(1.0, 10, 1.0)
    assert float(s(5)) == pytest.approx(1 / 1.5)


def test_cyclic_lr_cycles_momentum_by_default(torch):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    torch.optim.lr_scheduler.CyclicLR(opt, 0.001, 0.1)
    assert opt.param_groups[0]["momentum"] == default("torch.optim.lr_scheduler.CyclicLR", "max_momentum")
    adam = torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    torch.optim.lr_scheduler.CyclicLR(adam, 0.001, 0.1)
    assert adam.param_groups[0]["betas"][0] == 0.9  # Adam's beta1 is cycled instead
    with pytest.raises(ValueError, match="momentum"):
        torch.optim.lr_scheduler.CyclicLR(torch.optim.Adagrad([torch.zeros(1, requires_grad=True)]), 0.001, 0.1)
