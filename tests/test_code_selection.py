"""Which rule code a parameter gets: a catch-all code for the row's category wins over the catch-all for any
category, wherever each stands in codes.toml; and the table tool writes a dataclass field's factory default as
the value it makes."""

from __future__ import annotations

import dataclasses
import inspect

from defaultlint.project.tables import load_table
from defaultlint.tools import tablegen

TABLE = load_table()


def test_a_category_catch_all_wins_over_the_universal_one():
    args = TABLE.apis["transformers.TrainingArguments"]
    assert TABLE.code_for(args, "label_smoothing_factor") == "DL629"  # listed after DL809 in codes.toml
    assert TABLE.code_for(args, "learning_rate") == "DL621"
    assert TABLE.code_for(TABLE.apis["lightning.Trainer"], "sync_batchnorm") == "DL629"
    assert TABLE.code_for(TABLE.apis["torch.nn.functional.interpolate"], "mode") == "DL809"  # no category catch-all


def test_dataclass_factory_defaults_are_the_values_they_make():
    @dataclasses.dataclass
    class Config:
        rate: float = 0.1
        metrics: list = dataclasses.field(default_factory=list)
        names: tuple = dataclasses.field(default_factory=lambda: ("a", "b"))

    assert "<factory>" in str(inspect.signature(Config))
    assert tablegen.signature_text(tablegen.signature_of(Config)) == "(rate=0.1, metrics=[], names=('a', 'b'))"
