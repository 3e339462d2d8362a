"""Every alias the table records (`[[api.params.P.alias]]`: another spelling that sets the same parameter)
is checked against the real framework: calling with the alias and each of its values gives the same result
as calling with the parameter and the value the table maps it to."""

from __future__ import annotations

import ast
import warnings

import pytest

from conftest import require_framework
from defaultlint.project.tables import load_table

pytestmark = pytest.mark.frameworks

TABLE = load_table()
CASES = [(api, name, alias) for api in TABLE.apis.values() for name, facts in api.facts.items()
         for alias in facts.aliases]
SAMPLE = "0.3"  # the value tried for an alias that takes the parameter's own values


def _pairs(alias) -> list[tuple[str, str]]:
    return list(alias.values.items()) if alias.values else [(SAMPLE, SAMPLE)]


def _torch_call(api, kwargs):
    torch = require_framework("torch")
    fn = torch
    for part in api.name.split(".")[1:]:
        fn = getattr(fn, part)
    torch.manual_seed(0)
    x = torch.randn(4, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(x, **kwargs).detach().numpy()


def _keras_call(api, kwargs):
    keras = require_framework("keras")
    import numpy as np

    obj = keras
    for part in api.name.split(".")[1:]:
        obj = getattr(obj, part)
    x = np.linspace(-2.0, 2.0, 20, dtype="float32").reshape(4, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(obj(**kwargs)(x))


@pytest.mark.parametrize("api,name,alias", CASES, ids=[f"{a.name}.{n}<-{al.param}" for a, n, al in CASES])
def test_alias_sets_the_parameter(api, name, alias):
    import numpy as np

    call = {"torch": _torch_call, "keras": _keras_call}[api.framework]
    assert api.kind.value in ("function", "class")
    for given, meant in _pairs(alias):
        via_alias = call(api, {alias.param: ast.literal_eval(given)})
        direct = call(api, {name: ast.literal_eval(meant)})
        assert np.allclose(via_alias, direct), f"{alias.param}={given} is not {name}={meant}"
        for other in {m for _, m in _pairs(alias)} - {meant}:  # the check can tell the values apart
            assert not np.allclose(via_alias, call(api, {name: ast.literal_eval(other)}))


def test_the_table_records_aliases():
    assert {(a.name, n) for a, n, _ in CASES} >= {("torch.std", "correction"), ("torch.var", "correction"),
                                                  ("keras.layers.LeakyReLU", "negative_slope")}
