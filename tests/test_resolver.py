"""The import-form matrix: every way code reaches a framework API resolves to it; look-alikes do not."""

import pytest

from conftest import apis

POSITIVE = [
    ("import torch\ntorch.nn.BatchNorm2d(3)", "torch.nn.BatchNorm2d"),
    ("import torch.nn as nn\nnn.BatchNorm2d(3)", "torch.nn.BatchNorm2d"),
    ("import torch.nn\ntorch.nn.BatchNorm2d(3)", "torch.nn.BatchNorm2d"),
    ("from torch import nn, optim\nnn.LayerNorm(3)", "torch.nn.LayerNorm"),
    ("from torch import nn, optim\noptim.SGD(p)", "torch.optim.SGD"),
    ("from torch.nn import BatchNorm2d as BN\nBN(3)", "torch.nn.BatchNorm2d"),
    ("import torch.optim as optim\noptim.Adam(p)", "torch.optim.Adam"),
    ("from torch.optim import Adam\nAdam(p)", "torch.optim.Adam"),
    ("import tensorflow as tf\ntf.keras.layers.Dense(3)", "keras.layers.Dense"),
    ("import tensorflow as tf\ntf.keras.optimizers.Adam()", "keras.optimizers.Adam"),
    ("from tensorflow import keras\nkeras.layers.Dense(3)", "keras.layers.Dense"),
    ("from tensorflow.keras import layers\nlayers.Conv2D(3, 3)", "keras.layers.Conv2D"),
    ("from tensorflow.keras.layers import Dense\nDense(3)", "keras.layers.Dense"),
    ("import keras\nkeras.layers.BatchNormalization()", "keras.layers.BatchNormalization"),
    ("from keras import layers as L\nL.Dense(3)", "keras.layers.Dense"),
    ("import keras\nkeras.src.layers.core.dense.Dense(3)", "keras.layers.Dense"),
    ("from keras.src.layers import Dense\nDense(3)", "keras.layers.Dense"),
    ("import torch\ntorch.nn.modules.batchnorm.BatchNorm2d(3)", "torch.nn.BatchNorm2d"),
    ("def f():\n    import torch.nn as nn\n    return nn.Linear(2, 3)", "torch.nn.Linear"),
    ("try:\n    import keras\nexcept ImportError:\n    from tensorflow import keras\nkeras.layers.Dense(3)",
     "keras.layers.Dense"),
    ("import torch\nnn = torch.nn\nnn.Linear(2, 3)", "torch.nn.Linear"),
    ("from tensorflow.keras import layers\nDense = layers.Dense\nDense(3)", "keras.layers.Dense"),
    ("import torch.nn as nn\nimport functools\nfunctools.partial(nn.BatchNorm2d, eps=1e-3)", "torch.nn.BatchNorm2d"),
    ("import torch.nn as nn\nfrom functools import partial\npartial(nn.BatchNorm2d)", "torch.nn.BatchNorm2d"),
    ("from torch.nn import *\nLinear(2, 3)", "torch.nn.Linear"),
    ("import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        self.fc = nn.Linear(2, 3)",
     "torch.nn.Linear"),
    ("import torch.nn as nn\nif True:\n    BN = nn.BatchNorm2d\nelse:\n    BN = nn.BatchNorm2d\nBN(3)",
     "torch.nn.BatchNorm2d"),
    ("import torch.nn as nn\ndef f():\n    global nn\n    nn.Linear(2, 3)", "torch.nn.Linear"),
    ("import torch.nn as nn\nlayers = [nn.Linear(2, 3) for _ in range(2)]", "torch.nn.Linear"),
    ("import torch.nn as nn\nf = lambda: nn.Linear(2, 3)", "torch.nn.Linear"),
]

NEGATIVE = [
    # a user's own class or function with the same name
    "class Linear:\n    pass\nLinear(2, 3)",
    "def Dense(n):\n    pass\nDense(3)",
    "from mylib import nn\nnn.Linear(2, 3)",
    "from .layers import Dense\nDense(3)",
    # shadowed by a parameter, an assignment or a loop variable
    "import torch.nn as nn\ndef f(nn):\n    return nn.Linear(2, 3)",
    "import torch.nn as nn\nnn = object()\nnn.Linear(2, 3)",
    "import torch.nn as nn\nfor nn in modules:\n    nn.Linear(2, 3)",
    "import torch.nn as nn\nwith ctx() as nn:\n    nn.Linear(2, 3)",
    "import torch.nn as nn\nlambda nn: nn.Linear(2, 3)",
    "import torch.nn as nn\n[nn.Linear(2, 3) for nn in mods]",
    "import torch.nn as nn\ndef f():\n    nn = make()\n    return nn.Linear(2, 3)",
    # attributes of unknown objects
    "import torch.nn as nn\nself.nn.Linear(2, 3)",
    "import keras\nmodel.layers.Dense(3)",
    # a framework name re-bound to something else
    "import torch\ntorch = None\ntorch.nn.Linear(2, 3)",
    "from torch.nn import Linear\nLinear = MyLinear\nLinear(2, 3)",
    # bindings that disagree on the API
    "try:\n    from torch.nn import LayerNorm as Norm\nexcept ImportError:\n    from torch.nn import BatchNorm2d as Norm\nNorm(3)",
    # never imported
    "nn.Linear(2, 3)",
    "torch.nn.Linear(2, 3)",
    # class bodies do not leak into methods
    "import torch.nn as nn\nclass A:\n    L = nn.Linear\n    def f(self):\n        return L(2, 3)",
    # a star import of unknown content
    "from torch.nn import *\nfrom mylib import *\nLinear(2, 3)",
]


@pytest.mark.parametrize("source,api", POSITIVE)
def test_import_form_resolves(source, api):
    assert apis(source) == {api}


@pytest.mark.parametrize("source", NEGATIVE)
def test_lookalike_does_not_resolve(source):
    assert apis(source) == set()


def test_deterministic_with_several_bindings():
    src = "try:\n    import keras\nexcept ImportError:\n    from tensorflow import keras\nkeras.layers.Dense(3)"
    from conftest import lint

    runs = {tuple((f.code, f.message) for f in lint(src)) for _ in range(5)}
    assert len(runs) == 1


def test_calls_inside_keyword_arguments_are_checked():
    src = "import keras\nmodel.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.BinaryCrossentropy())"
    assert apis(src) == {"keras.optimizers.Adam", "keras.losses.BinaryCrossentropy"}


FACTORY = """
import keras
def build():
    inputs = keras.Input((3,))
    return keras.Model(inputs, inputs)
model = build()
model.fit(x, y)
"""


def test_methods_resolve_through_a_factory_function():
    assert "keras.Model.fit" in apis(FACTORY)


@pytest.mark.parametrize("variant", [
    # returns that disagree
    FACTORY.replace("    return keras.Model(inputs, inputs)",
                    "    if flag:\n        return keras.Model(inputs, inputs)\n    return other()"),
    # a decorator may return anything
    FACTORY.replace("def build():", "@cache\ndef build():"),
    # no return value
    FACTORY.replace("    return keras.Model(inputs, inputs)", "    keras.Model(inputs, inputs)"),
])
def test_factory_functions_resolve_only_when_certain(variant):
    assert "keras.Model.fit" not in apis(variant)


def test_self_in_a_method_of_a_framework_subclass_is_an_instance_of_it():
    from conftest import lint

    source = """
import lightning as L

class Model(L.LightningModule):
    def training_step(self, batch, idx):
        self.log("loss", 1.0, on_step=True, on_epoch=True, batch_size=8, reduce_fx="mean")

    @staticmethod
    def helper(self):
        self.log("x", 1.0)

    @classmethod
    def build(cls):
        return cls.log

    def log(self, *args, **kwargs):  # a user override: no framework call
        pass
"""
    assert lint(source, select=["DL640"]) == []  # the class overrides log
    without = source.replace("    def log(self, *args, **kwargs):  # a user override: no framework call\n        pass\n", "")
    found = lint(without, select=["DL640"])
    assert [(f.location.row, f.message.split("`")[1]) for f in found] == [(6, "sync_dist")]  # not the static method
