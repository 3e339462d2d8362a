"""The torch lazy-module rows (rules/torch/lazy.toml), checked against the installed torch release.

A lazy module reads its input size from the first input: its parameters are uninitialised until the first
forward pass, which gives them their shape, runs the eager class's reset_parameters() and turns the module
into that eager class. So each row is checked after one forward pass on the CPU: the module's attributes
are the recorded defaults, its weight and bias have the initialisation the row states (bounds and spread),
and, drawn from the same seed, they are exactly the eager layer's. Each row agrees with its eager row
(parameters less the input size, counterparts, initialisation facts), except where the lazy defaults differ.
"""

from __future__ import annotations

import math

import pytest

from conftest import require_framework
from defaultlint.core.table import REQUIRED
from defaultlint.core.versions import parse_version
from defaultlint.project.tables import load_table
from defaultlint.tools import tablegen

torch = require_framework("torch")
nn = torch.nn
F = torch.nn.functional

pytestmark = pytest.mark.frameworks

TABLE = load_table()
ROWS = {name: api for name, api in TABLE.apis.items() if api.file == "torch/lazy.toml"}
LAZY = [n for n in dir(nn) if n.startswith("Lazy") and isinstance(getattr(nn, n), type)]

# Each lazy module with the eager layer it becomes, and the input it is materialised with. The eager layer
# has the sizes the input gives the lazy one, so that the two draw the same weights from the same seed.
CASES = {
    "LazyLinear": (lambda: nn.LazyLinear(500), lambda: nn.Linear(1000, 500), (2, 1000)),
    "LazyConv1d": (lambda: nn.LazyConv1d(128, 5), lambda: nn.Conv1d(64, 128, 5), (2, 64, 20)),
    "LazyConv2d": (lambda: nn.LazyConv2d(128, 3), lambda: nn.Conv2d(64, 128, 3), (2, 64, 8, 8)),
    "LazyConv3d": (lambda: nn.LazyConv3d(256, 3), lambda: nn.Conv3d(16, 256, 3), (1, 16, 5, 5, 5)),
    "LazyConvTranspose1d": (lambda: nn.LazyConvTranspose1d(128, 5, groups=2),
                            lambda: nn.ConvTranspose1d(64, 128, 5, groups=2), (2, 64, 10)),
    "LazyConvTranspose2d": (lambda: nn.LazyConvTranspose2d(64, 3), lambda: nn.ConvTranspose2d(128, 64, 3),
                            (2, 128, 6, 6)),
    "LazyConvTranspose3d": (lambda: nn.LazyConvTranspose3d(256, 3), lambda: nn.ConvTranspose3d(32, 256, 3),
                            (1, 32, 4, 4, 4)),
    "LazyBatchNorm1d": (lambda: nn.LazyBatchNorm1d(), lambda: nn.BatchNorm1d(12), (8, 12)),
    "LazyBatchNorm2d": (lambda: nn.LazyBatchNorm2d(), lambda: nn.BatchNorm2d(12), (8, 12, 4, 4)),
    "LazyBatchNorm3d": (lambda: nn.LazyBatchNorm3d(), lambda: nn.BatchNorm3d(12), (4, 12, 3, 3, 3)),
    "LazyInstanceNorm1d": (lambda: nn.LazyInstanceNorm1d(),
                           lambda: nn.InstanceNorm1d(12, affine=True, track_running_stats=True), (4, 12, 16)),
    "LazyInstanceNorm2d": (lambda: nn.LazyInstanceNorm2d(),
                           lambda: nn.InstanceNorm2d(12, affine=True, track_running_stats=True), (4, 12, 6, 6)),
    "LazyInstanceNorm3d": (lambda: nn.LazyInstanceNorm3d(),
                           lambda: nn.InstanceNorm3d(12, affine=True, track_running_stats=True), (2, 12, 4, 4, 4)),
}
GIVEN = {("LazyConvTranspose1d", "groups")}  # passed by the case above, so not a default there
INPUT_SIZE = ("in_features", "in_channels", "num_features")
# Where a lazy default differs from the eager row's (and the row's notes say so).
DIFFERS = {("LazyInstanceNorm1d", p) for p in ("affine", "track_running_stats")} | \
          {("LazyInstanceNorm2d", p) for p in ("affine", "track_running_stats")} | \
          {("LazyInstanceNorm3d", p) for p in ("affine", "track_running_stats")}


def eager_name(lazy: str) -> str:
    return "torch.nn." + lazy.removeprefix("Lazy")


def materialised(name: str, seed: int = 0):
    make_lazy, _, shape = CASES[name]
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(1))
    torch.manual_seed(seed)
    module = make_lazy()
    assert nn.parameter.is_lazy(next(iter(module.parameters())))  # nothing drawn before the first input
    module(x)
    return module, x


def assert_uniform(t, bound: float, what: str):
    t = t.detach().flatten().double()
    n = t.numel()
    top = t.abs().max().item()
    assert top <= bound * (1 + 1e-6), f"{what}: max |x| {top} exceeds the bound {bound}"
    assert top >= bound * (1 - 8 / n), f"{what}: max |x| {top} is well inside the bound {bound}"
    if n >= 1000:
        assert abs(t.std().item() - bound / math.sqrt(3)) < 0.05 * bound / math.sqrt(3), f"{what}: not uniform"
        assert abs(t.mean().item()) < 0.05 * bound, f"{what}: not centred"


def fan_in(weight) -> int:
    return weight.shape[1] * math.prod(weight.shape[2:])


# -- the table covers every lazy module of the installed release ---------------------------------------------
def test_every_lazy_module_has_a_row():
    assert sorted(ROWS) == sorted(f"torch.nn.{n}" for n in LAZY)
    assert sorted(CASES) == sorted(LAZY)


def test_rows_are_verified_against_the_installed_release():
    installed = parse_version(torch.__version__)
    for name, api in ROWS.items():
        assert api.verified_version == installed, name


@pytest.mark.parametrize("name", sorted(ROWS))
def test_signature_and_spellings_match_the_installed_object(name):
    api = ROWS[name]
    assert tablegen.compare(api) == []
    obj = tablegen.resolve(name)
    for spelling in api.spellings:
        assert tablegen.resolve(spelling) is obj, spelling
    assert set(tablegen.spellings(name, obj)) <= set(api.spellings)


# -- the row agrees with its eager row ------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ROWS))
def test_row_agrees_with_the_eager_row(name):
    lazy, eager = ROWS[name], TABLE.apis[eager_name(name.rsplit(".", 1)[1])]
    short = name.rsplit(".", 1)[1]
    eager_params = {p.name: p for p in eager.params if p.name not in INPUT_SIZE}
    assert [p.name for p in lazy.params] == list(eager_params)
    for p in lazy.params:
        if (short, p.name) in DIFFERS:
            assert (p.default, eager_params[p.name].default) == ("True", "False"), p.name
            assert "Unlike InstanceNorm" in lazy.facts[p.name].note
        else:
            assert (p.kind, p.default) == (eager_params[p.name].kind, eager_params[p.name].default), p.name
    assert (lazy.kind, lazy.category, lazy.counterpart) == (eager.kind, eager.category, eager.counterpart)
    for pname, fact in eager.facts.items():
        if pname in INPUT_SIZE:
            continue
        mine = lazy.facts[pname]
        assert (mine.counterparts, mine.convert, mine.applies_when) == \
               (fact.counterparts, fact.convert, fact.applies_when), pname
    assert [(i.name, i.value, i.counterpart, i.applies_when) for i in lazy.implicit] == \
           [(i.name, i.value, i.counterpart, i.applies_when) for i in eager.implicit]
    if "InstanceNorm" in short:  # momentum is in force by default: the code of BatchNorm's momentum
        assert TABLE.code_for(lazy, "momentum") == TABLE.code_for(TABLE.apis["torch.nn.BatchNorm2d"], "momentum")
    for imp in lazy.implicit:  # no statement after the layer's assignment can initialise a lazy parameter
        assert imp.explicit is None and eager.implicit_fact(imp.name).explicit is not None


def test_an_init_statement_after_construction_cannot_run():
    """Why the lazy rows write no explicit statement: before the first forward pass there is no tensor."""
    layer = nn.LazyLinear(4)
    with pytest.raises(ValueError, match="uninitialized parameter"):
        nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5))


# -- the facts hold after one forward pass --------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ROWS))
def test_defaults_hold_once_materialised(name):
    api = ROWS[name]
    short = name.rsplit(".", 1)[1]
    module, _ = materialised(short)
    eager_cls = tablegen.resolve(eager_name(short))
    assert type(module) is eager_cls  # it becomes the eager class
    env = {"torch": torch, "math": math}
    for p in api.params:
        if p.default in (None, REQUIRED) or p.name in ("device", "dtype") or (short, p.name) in GIVEN:
            continue
        want = eval(p.default, env)  # noqa: S307 - table data
        if p.name == "bias":
            if "Norm" in short:  # a norm layer's bias: the learnt offset, present when affine
                assert (module.bias is not None) == (want and module.affine)
            else:
                assert (module.bias is not None) == want
            continue
        got = getattr(module, p.name)
        if isinstance(got, tuple) and not isinstance(want, tuple):
            want = (want,) * len(got)
        assert got == want, f"{p.name}: {got!r} != {want!r}"


@pytest.mark.parametrize("name", sorted(n for n in ROWS if ROWS[n].implicit))
def test_initialisation_is_the_eager_one(name):
    api = ROWS[name]
    short = name.rsplit(".", 1)[1]
    module, _ = materialised(short)
    w = module.weight
    assert fan_in(w) == (module.out_channels // module.groups * math.prod(module.kernel_size)
                         if isinstance(module, nn.modules.conv._ConvTransposeNd) else fan_in(w))
    for imp in api.implicit:
        assert imp.verified == "instantiation"
        bound = 1 / math.sqrt(fan_in(w))  # kaiming_uniform_(a=sqrt(5)) and the fan-in bias bound coincide
        assert_uniform(w if imp.name == "weight_init" else module.bias, bound, imp.name)
    # Drawn from the same seed, the weights are exactly those of the eager layer built at the input's size.
    torch.manual_seed(0)
    eager = CASES[short][1]()
    assert torch.equal(module.weight, eager.weight) and torch.equal(module.bias, eager.bias)


@pytest.mark.parametrize("name", sorted(n for n in ROWS if "Norm" in n))
def test_normalisation_state_is_the_eager_one(name):
    short = name.rsplit(".", 1)[1]
    module, x = materialised(short)
    assert torch.equal(module.weight, torch.ones_like(module.weight))
    assert torch.equal(module.bias, torch.zeros_like(module.bias))
    # one training step moved the running statistics by momentum 0.1 from (0, 1)
    dims = [0] + list(range(2, x.dim()))
    if "Instance" in short:  # per instance, then averaged over the batch
        dims_i = list(range(2, x.dim()))
        mean = x.mean(dim=dims_i).mean(0)
    else:
        mean = x.mean(dim=dims)
    torch.testing.assert_close(module.running_mean, 0.1 * mean)


@pytest.mark.parametrize("d", "123")
def test_lazy_instance_norm_uses_running_statistics_in_eval(d):
    """The lazy default (track_running_stats=True) changes what eval mode computes: not the eager default."""
    module, x = materialised(f"LazyInstanceNorm{d}d")
    module.eval()
    per_instance = getattr(nn, f"InstanceNorm{d}d")(x.shape[1])(x)
    assert not torch.allclose(module(x), per_instance, atol=1e-3)
    module.train()
    torch.testing.assert_close(module(x), per_instance)
