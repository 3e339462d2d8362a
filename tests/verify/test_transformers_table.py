"""The Transformers rows of the default table, checked against the installed release: every signature (names,
kinds, each default's source) is the real one, every spelling imports as the same object, every change names
its source, and the values in force that findings state are what TrainingArguments and the Trainer use."""

from __future__ import annotations

import pytest

from conftest import require_framework
from defaultlint.core.versions import parse_version
from defaultlint.project.tables import load_table
from defaultlint.tools import tablegen

pytestmark = pytest.mark.frameworks

TABLE = load_table()
ROWS = sorted((a for a in TABLE.apis.values() if a.framework == "transformers"), key=lambda a: a.name)


def _transformers():
    require_framework("torchvision")  # its Trainer imports torchvision, which needs the table tool's shim here
    return require_framework("transformers")


def test_the_installed_release_is_the_verified_one():
    tr = _transformers()
    assert parse_version(tr.__version__) == TABLE.frameworks["transformers"].verified


@pytest.mark.parametrize("api", ROWS, ids=[a.name for a in ROWS])
def test_row_matches_the_installed_release(api):
    _transformers()
    assert tablegen.compare(api) == []
    obj = tablegen.resolve(api.name)
    for spelling in api.spellings:
        assert tablegen._unbound(tablegen.resolve(spelling)) == tablegen._unbound(obj), spelling
    for change in api.changes:
        assert change.source.startswith("https://"), change.source


def test_training_arguments_in_force(tmp_path):
    tr = _transformers()
    import torch

    args = tr.TrainingArguments(output_dir=str(tmp_path))
    row = TABLE.apis["transformers.TrainingArguments"]
    for name in ("learning_rate", "weight_decay", "adam_beta1", "adam_beta2", "adam_epsilon", "max_grad_norm",
                 "num_train_epochs", "max_steps", "per_device_train_batch_size", "gradient_accumulation_steps",
                 "label_smoothing_factor", "seed", "full_determinism", "fp16", "bf16", "tf32", "warmup_steps",
                 "dataloader_drop_last", "average_tokens_across_devices", "neftune_noise_alpha"):
        assert repr(getattr(args, name)) == row.current(name), name
    # enums compare by value: the row writes the string a user would pass
    assert args.lr_scheduler_type.value == eval(row.current("lr_scheduler_type"))
    assert args.optim.value == eval(row.current("optim"))
    assert args.train_sampling_strategy == eval(row.current("train_sampling_strategy"))
    assert parse_version(torch.__version__.split("+")[0]) >= (2, 8)  # the fused default needs torch 2.8
    assert args.get_warmup_steps(1000) == 0
    assert args.get_warmup_steps(1000) == tr.TrainingArguments(output_dir=str(tmp_path), warmup_steps=0.1) \
        .get_warmup_steps(1000) - 100


def test_trainer_builds_what_the_notes_say(tmp_path, monkeypatch):
    tr = _transformers()
    import torch

    monkeypatch.chdir(tmp_path)  # the Trainer without args writes under ./tmp_trainer
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.LayerNorm(4), torch.nn.Linear(4, 2))
    trainer = tr.Trainer(model=model)
    assert trainer.args.output_dir.endswith("tmp_trainer")
    assert (trainer.args.learning_rate, trainer.args.num_train_epochs, trainer.args.seed) == (5e-05, 3.0, 42)
    # weight decay is applied to weights, not to biases or normalization weights
    assert sorted(trainer.get_decay_parameter_names(model)) == ["0.weight", "2.weight"]
    opt = trainer.create_optimizer()
    assert isinstance(opt, torch.optim.AdamW)
    assert opt.defaults["fused"] is True and opt.defaults["lr"] == 5e-05 and opt.defaults["eps"] == 1e-08
    sched = trainer.create_scheduler(num_training_steps=10, optimizer=opt)
    assert [round(sched.lr_lambdas[0](s), 6) for s in (0, 5, 10)] == [1.0, 0.5, 0.0]  # linear, no warmup


def test_schedules_in_force():
    tr = _transformers()
    import torch

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    cos = tr.get_cosine_schedule_with_warmup(opt, 0, 100)
    assert round(cos.lr_lambdas[0](100), 6) == 0.0  # half a wave: ends at 0
    hard = tr.get_cosine_with_hard_restarts_schedule_with_warmup(opt, 0, 100)
    assert round(hard.lr_lambdas[0](99), 3) < 0.01  # one cycle
    poly = tr.get_polynomial_decay_schedule_with_warmup(opt, 0, 100)
    assert poly.lr_lambdas[0](50) == pytest.approx((1.0 - 1e-07) * 0.5 + 1e-07)  # power 1.0: linear
    assert poly.lr_lambdas[0](100) == pytest.approx(1e-07)  # ends at lr_end


def test_every_row_is_checked():
    assert len(ROWS) >= 11


def test_from_pretrained_receivers_share_the_signature():
    _transformers()
    row = TABLE.apis["transformers.AutoModel.from_pretrained"]
    recorded = [(p.name, p.kind, p.default) for p in row.params]
    for receiver in row.receivers:
        method = tablegen.resolve(receiver).from_pretrained
        assert tablegen.signature_params(tablegen.signature_of(method)) == recorded, receiver


def test_from_pretrained_in_force(tmp_path):
    tr = _transformers()
    import torch

    row = TABLE.apis["transformers.AutoModel.from_pretrained"]
    config = tr.BertConfig(vocab_size=32, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                           intermediate_size=16, max_position_embeddings=16)
    tr.BertModel(config).to(torch.bfloat16).save_pretrained(tmp_path)
    loaded = tr.AutoModel.from_pretrained(tmp_path)
    # dtype 'auto': the checkpoint's dtype, not float32
    assert eval(row.implicit_fact("dtype").value) == "auto"
    assert loaded.dtype == torch.bfloat16
    assert tr.AutoModel.from_pretrained(tmp_path, dtype=torch.float32).dtype == torch.float32
    assert tr.AutoModel.from_pretrained(tmp_path, dtype="auto").dtype == torch.bfloat16
    # attn_implementation None: sdpa where the model supports it
    assert loaded.config._attn_implementation == eval(row.implicit_fact("attn_implementation").value)
    change = next(c for c in row.changes if c.param == "dtype")
    assert (change.version, change.after) == ((5,), "'auto'") and change.source.startswith("https://")


def _tokenizer():
    tr = _transformers()
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"[PAD]": 0, "[UNK]": 1, "[MASK]": 2, "a": 3, "b": 4}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return tr.PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="[PAD]", mask_token="[MASK]",
                                      unk_token="[UNK]")


def test_collators_in_force():
    tr = _transformers()
    tok = _tokenizer()
    pad = tr.DataCollatorWithPadding(tokenizer=tok, return_tensors="pt")
    batch = pad([{"input_ids": [3, 4, 3]}, {"input_ids": [3]}])
    assert tuple(batch["input_ids"].shape) == (2, 3)  # padding=True: to the longest in the batch
    row = TABLE.apis["transformers.DataCollatorForLanguageModeling"]
    lm = tr.DataCollatorForLanguageModeling(tokenizer=tok)
    for name in ("mlm", "mlm_probability", "mask_replace_prob", "random_replace_prob", "whole_word_mask"):
        assert repr(getattr(lm, name)) == row.current(name), name
    causal = tr.DataCollatorForLanguageModeling(tokenizer=tok, mlm=False)([{"input_ids": [3, 4]}])
    assert causal["labels"].tolist() == [[3, 4]]  # mlm=False: the labels are the inputs
