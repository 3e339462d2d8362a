"""Rows of the training libraries beyond their trainers' constructors: an implicit fact that a keyword collected
by **kwargs sets (Transformers' from_pretrained dtype), methods reached through a trainer instance (Lightning's
validate/test), and parameters in force only under another (ModelCheckpoint's mode without a monitor)."""

from __future__ import annotations

from conftest import ROOT
from defaultlint.api import Linter
from defaultlint.core import conditions
from defaultlint.project.config import Settings

LINTER = Linter(Settings(root=ROOT, select=["ALL"]))


def _found(text: str) -> list[tuple[int, str, str]]:
    return sorted((f.location.row, f.code, f.message.split("`")[1] if "`" in f.message else "")
                  for f in LINTER.lint_text(text, "example.py") if f.code.startswith("DL64"))


def test_given_only_names_the_keywords_a_condition_only_asks_about():
    assert conditions.given_only("not given('dtype') and not given('torch_dtype')") == {"dtype", "torch_dtype"}
    assert conditions.given_only("given('mode') and mode == 'min'") == set()


def test_a_keyword_collected_by_kwargs_sets_the_fact():
    text = ("import torch\nfrom transformers import AutoModelForCausalLM as M\n"
            "a = M.from_pretrained('gpt2')\n"
            "b = M.from_pretrained('gpt2', dtype=torch.bfloat16, attn_implementation='eager')\n"
            "c = M.from_pretrained('gpt2', torch_dtype='auto')\n"
            "d = M.from_pretrained('gpt2', **options)\n")
    found = _found(text)
    assert [(row, code) for row, code, _ in found] == [(3, "DL647"), (3, "DL648"), (5, "DL648")]


def test_evaluation_entry_points_through_the_trainer_instance():
    text = ("import lightning as L\ntrainer = L.Trainer(max_epochs=1)\ntrainer.fit(model)\n"
            "trainer.test(model)\ntrainer.validate(model, ckpt_path='best')\n")
    assert _found(text) == [(4, "DL646", "ckpt_path")]


def test_checkpoint_mode_is_in_force_only_with_a_monitor():
    text = ("from pytorch_lightning.callbacks import ModelCheckpoint\n"
            "last = ModelCheckpoint(dirpath='ckpt')\nbest = ModelCheckpoint(monitor='val_acc', save_top_k=3)\n")
    assert _found(text) == [(2, "DL644", "monitor"), (2, "DL644", "save_top_k"), (3, "DL642", "mode")]


def test_a_fact_passed_through_kwargs_is_written_as_that_keyword():
    from conftest import lint

    [dtype] = lint("from transformers import AutoModel\nm = AutoModel.from_pretrained('x')\n", select=["DL647"])
    assert dtype.fix.message == ("Write `dtype='auto'` explicitly (a keyword the signature passes on through "
                                 "**kwargs).")
    assert lint("from transformers import AutoModel\nm = AutoModel.from_pretrained('x', dtype='auto')\n",
                select=["DL647"]) == []
