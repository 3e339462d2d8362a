"""Every string identifier in the table stands for the object its row describes, by Keras's own getters:
an optimizer string builds that class with its defaults; a loss string gives the function the loss class
wraps; an activation string gives that function."""

from __future__ import annotations

import pytest

from conftest import require_framework
from defaultlint.project.tables import load_table

pytestmark = pytest.mark.frameworks

TABLE = load_table()
CASES = sorted((fw, kind, text, api) for (fw, kind, text), api in TABLE._identifiers.items())


def _object(path: str):
    keras = require_framework("keras")
    obj = keras
    for part in path.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("framework,kind,text,api", CASES, ids=[f"{c[1]}:{c[2]}" for c in CASES])
def test_identifier_is_the_rows_object(framework, kind, text, api):
    keras = require_framework("keras")
    assert framework == "keras"
    row = _object(api)
    if kind == "optimizer":
        got = keras.optimizers.get(text)
        assert type(got) is row
        strip = lambda c: {k: v for k, v in c.items() if k != "name"}  # noqa: E731
        assert strip(got.get_config()) == strip(row().get_config())
    elif kind == "loss":
        got = keras.losses.get(text)
        instance = row()
        assert instance.fn is got  # the class wraps exactly the function the string names
        assert instance.reduction == "sum_over_batch_size"  # what compile's wrapper of a function uses
    elif kind == "activation":
        assert keras.activations.get(text) is row
    elif kind == "initializer":
        got = keras.initializers.get(text)
        assert type(got) is row
        assert got.get_config() == row().get_config()  # the string builds the class with its defaults
    else:
        pytest.fail(f"no check for identifier kind {kind!r}")


def test_every_identifier_parameter_kind_is_checked():
    assert {k for k in TABLE.identifier_params["keras"].values()} == {"optimizer", "loss", "activation",
                                                                                "initializer"}


def test_the_written_constructor_builds_the_same_object():
    """The fix replaces optimizer="adam" by keras.optimizers.Adam(...) with every value: the same config."""
    keras = require_framework("keras")
    from pathlib import Path

    from defaultlint.api import Linter
    from defaultlint.project.config import Settings

    linter = Linter(Settings(root=Path("."), select=["DL301"]))  # every optimizer has a learning rate
    strip = lambda c: {k: v for k, v in c.items() if k != "name"}  # noqa: E731
    checked = 0
    for framework, kind, text, api in CASES:
        if kind != "optimizer":
            continue
        src = f"import keras\nm = keras.Sequential([])\nm.compile(optimizer={text!r})\n"
        fixed, _, _ = linter.fix_text(src, "t.py")
        written = fixed.split("optimizer=", 1)[1].rsplit(")", 1)[0]
        built = eval(written, {"keras": keras})  # noqa: S307 - the fix's own output, in a test
        assert strip(built.get_config()) == strip(keras.optimizers.get(text).get_config()), text
        checked += 1
    assert checked >= 10


def test_the_written_initializer_builds_the_same_object():
    """kernel_initializer="random_normal" becomes keras.initializers.RandomNormal(...) with every value."""
    keras = require_framework("keras")
    from pathlib import Path

    from defaultlint.api import Linter
    from defaultlint.project.config import Settings

    linter = Linter(Settings(root=Path("."), select=["ALL"]))
    checked = 0
    for framework, kind, text, api in CASES:
        if kind != "initializer":
            continue
        src = f"import keras\nlayer = keras.layers.Dense(4, kernel_initializer={text!r}, use_bias=False)\n"
        fixed, _, _ = linter.fix_text(src, "t.py")
        written = fixed.split("kernel_initializer=", 1)[1]
        written = written[:written.index(")") + 1]
        assert written.startswith("keras.initializers."), fixed
        built = eval(written, {"keras": keras})  # noqa: S307 - the fix's own output, in a test
        assert built.get_config() == keras.initializers.get(text).get_config(), text
        checked += 1
    assert checked >= 10
