"""The command line as a user runs it: exit codes, configuration, stdin, JSON contract."""

import json

from conftest import ROOT, run_cli

BN = "import torch.nn as nn\nnn.BatchNorm2d(64)\n"


def write(tmp_path, name, text):
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_exit_1_with_findings_0_without(tmp_path):
    write(tmp_path, "a.py", BN)
    write(tmp_path, "b.py", "import torch.nn as nn\nnn.BatchNorm2d(64, eps=1e-5, momentum=0.1)\n")
    assert run_cli(tmp_path / "a.py").returncode == 1
    assert run_cli(tmp_path / "b.py").returncode == 0
    assert run_cli(tmp_path / "a.py", "--exit-zero").returncode == 0


def test_default_command_is_check_and_output_has_location_code_api_value(tmp_path):
    write(tmp_path, "m.py", BN)
    r = run_cli("--output-format", "concise", tmp_path / "m.py")
    lines = r.stdout.splitlines()
    assert any(":2:1: DL201 [*] torch.nn.BatchNorm2d: `momentum` is implicit (0.1 in PyTorch" in l for l in lines)
    assert lines[-1].startswith("Found 1 finding in 1 file.")


def test_full_output_shows_source_line_and_caret(tmp_path):
    write(tmp_path, "m.py", BN)
    r = run_cli(tmp_path / "m.py")
    assert "2 | nn.BatchNorm2d(64)" in r.stdout
    assert "^^^^^^^^^^^^^^^^^^ DL201" in r.stdout
    assert "\x1b[" not in r.stdout  # no colour when piped


def test_usage_error_exits_2(tmp_path):
    r = run_cli("--select", "XX999", tmp_path)
    assert r.returncode == 2 and "unknown rule code" in r.stderr
    assert "Traceback" not in r.stderr


def test_unknown_config_key_is_an_error(tmp_path):
    write(tmp_path, "pyproject.toml", "[tool.defaultlint]\nselekt = ['DL2']\n")
    write(tmp_path, "m.py", BN)
    r = run_cli(tmp_path / "m.py", cwd=tmp_path)
    assert r.returncode == 2 and "selekt" in r.stderr


def test_unknown_code_in_config_is_an_error(tmp_path):
    write(tmp_path, "pyproject.toml", "[tool.defaultlint]\nignore = ['DL2O1']\n")
    write(tmp_path, "m.py", BN)
    r = run_cli(tmp_path / "m.py", cwd=tmp_path)
    assert r.returncode == 2 and "DL2O1" in r.stderr


def test_config_select_ignore_and_per_file_ignores(tmp_path):
    write(tmp_path, "pyproject.toml", """
[tool.defaultlint]
select = ["DL201", "DL202"]
ignore = ["DL202"]
per-file-ignores = { "legacy/*" = ["DL201"] }
""")
    write(tmp_path, "m.py", BN)
    write(tmp_path, "legacy/old.py", BN)
    r = run_cli("--output-format", "json", ".", cwd=tmp_path)
    found = {(d["filename"].rsplit("/", 1)[-1], d["code"]) for d in json.loads(r.stdout)}
    assert found == {("m.py", "DL201")}


def test_cli_flags_override_config(tmp_path):
    write(tmp_path, "pyproject.toml", "[tool.defaultlint]\nselect = ['DL202']\n")
    write(tmp_path, "m.py", BN)
    r = run_cli("--output-format", "json", "--select", "DL201", "m.py", cwd=tmp_path)
    assert [d["code"] for d in json.loads(r.stdout)] == ["DL201"]


def test_defaultlint_toml_is_read(tmp_path):
    write(tmp_path, "defaultlint.toml", "select = ['DL202']\n")
    write(tmp_path, "m.py", BN)
    r = run_cli("--output-format", "json", "m.py", cwd=tmp_path)
    assert [d["code"] for d in json.loads(r.stdout)] == ["DL202"]


def test_target_version_from_config_and_from_project_dependencies(tmp_path):
    src = "import torch\ntorch.optim.SGD(p)\n"
    write(tmp_path, "m.py", src)
    write(tmp_path, "pyproject.toml", "[project]\nname='x'\nversion='1'\ndependencies=['torch>=2.0']\n")
    r = run_cli("--output-format", "json", "--select", "DL301,DL902", "m.py", cwd=tmp_path)
    assert [d["code"] for d in json.loads(r.stdout)] == ["DL902"]
    r = run_cli("--output-format", "json", "--select", "DL301,DL902", "--target-version", "torch=2.5", "m.py",
                cwd=tmp_path)
    assert [d["code"] for d in json.loads(r.stdout)] == ["DL301"]


def test_stdin_with_filename(tmp_path):
    r = run_cli("-", "--stdin-filename", "model.py", "--output-format", "concise", input=BN)
    assert r.returncode == 1
    assert r.stdout.startswith("model.py:2:1: DL20")


def test_syntax_error_is_reported_and_the_run_goes_on(tmp_path):
    write(tmp_path, "bad.py", "import torch\ndef f(:\n")
    write(tmp_path, "good.py", BN)
    r = run_cli("--output-format", "concise", tmp_path)
    assert "bad.py:2:7: DL001 SyntaxError" in r.stdout
    assert "good.py:2:1: DL201" in r.stdout
    assert r.returncode == 1


JSON_SHAPE = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "message", "filename", "location", "end_location", "fix", "url", "api", "parameters",
                     "cell", "noqa_row"],
        "properties": {
            "code": {"type": "string", "pattern": "^DL[0-9]{3}$"},
            "message": {"type": "string"},
            "filename": {"type": "string"},
            "location": {"$ref": "#/$defs/pos"},
            "end_location": {"$ref": "#/$defs/pos"},
            "noqa_row": {"type": "integer"},
            "cell": {"type": ["integer", "null"]},
            "url": {"type": "string"},
            "api": {"type": ["string", "null"]},
            "parameters": {"type": "array", "items": {
                "type": "object", "required": ["name", "value"], "additionalProperties": False,
                "properties": {"name": {"type": "string"}, "value": {"type": "string"}}}},
            "fix": {"oneOf": [{"type": "null"}, {
                "type": "object", "required": ["applicability", "message", "edits"],
                "properties": {
                    "applicability": {"enum": ["safe", "unsafe", "display-only"]},
                    "message": {"type": "string"},
                    "edits": {"type": "array", "items": {
                        "type": "object", "required": ["content", "location", "end_location"],
                        "properties": {"content": {"type": "string"}, "location": {"$ref": "#/$defs/pos"},
                                       "end_location": {"$ref": "#/$defs/pos"}}}},
                }}]},
        },
    },
    "$defs": {"pos": {"type": "object", "required": ["row", "column"], "additionalProperties": False,
                      "properties": {"row": {"type": "integer", "minimum": 1},
                                     "column": {"type": "integer", "minimum": 1}}}},
}


def test_json_output_of_the_examples_validates_against_the_documented_shape():
    import jsonschema

    r = run_cli("--output-format", "json", "--select", "ALL", "examples/", cwd=ROOT)
    data = json.loads(r.stdout)
    jsonschema.validate(data, JSON_SHAPE)
    files = {d["filename"].rsplit("/", 1)[-1] for d in data}
    assert files == {"keras_classifier.py", "torch_port.py"}
    bn = next(d for d in data if d["code"] == "DL201" and d["api"] == "torch.nn.BatchNorm2d")
    assert bn["parameters"] == [{"name": "momentum", "value": "0.1"}]
    assert bn["fix"]["applicability"] == "safe"
    (edit,) = bn["fix"]["edits"]
    assert edit["content"] == ", momentum=0.1"
    assert edit["location"] == edit["end_location"]


def test_examples_show_the_founding_story(tmp_path):
    r = run_cli("--output-format", "concise", "examples/", cwd=ROOT)
    out = r.stdout
    assert r.returncode == 1
    for needle in ("keras_classifier.py", "torch_port.py", "DL101", "DL201", "DL202", "DL302", "DL401"):
        assert needle in out


def test_rule_and_rules_commands():
    r = run_cli("rule", "DL201")
    assert r.returncode == 0 and "implicit-norm-momentum" in r.stdout and "torch.nn.BatchNorm2d" in r.stdout
    assert run_cli("rule", "DL999").returncode == 2
    r = run_cli("rules")
    assert "DL201 on   implicit-norm-momentum" in r.stdout and "DL202 port implicit-norm-epsilon" in r.stdout


def test_add_noqa_counts_rows_of_a_file_with_carriage_return_line_ends(tmp_path):
    from defaultlint.core.noqa import commentable_rows

    text = "import torch.nn as nn\rx = '''a\rb'''\rbn = nn.BatchNorm2d(3)\r"
    assert commentable_rows(text) == {1, 3, 4}  # row 2 ends inside the string
