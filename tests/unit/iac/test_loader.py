"""Template files decode with line numbers; CloudFormation's short forms and YAML 1.1 traps are read as
CloudFormation reads them; broken files are errors naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kvsctl.iac.loader import LDict, LList, TemplateError, load, loads_json, loads_yaml

YAML = """\
AWSTemplateFormatVersion: 2010-09-09
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}
            Action: kms:*
            Resource: '*'
  Stream:
    Type: AWS::KinesisVideo::Stream
    Properties:
      KmsKeyId: !GetAtt Key.Arn
      Name: !Join ["-", [cam, !Ref AWS::Region]]
      Account: 012345678901
      Hours: 24
      Pick: !Select [0, !Split [",", "a,b"]]
      Cond: !If [IsProd, !Ref AWS::NoValue, x]
      Imp: !ImportValue shared-key
"""


def test_short_forms_become_long_forms() -> None:
    data = loads_yaml(YAML, "t.yaml")
    props = data["Resources"]["Stream"]["Properties"]
    assert props["KmsKeyId"] == {"Fn::GetAtt": ["Key", "Arn"]}
    assert props["Name"] == {"Fn::Join": ["-", ["cam", {"Ref": "AWS::Region"}]]}
    assert props["Pick"] == {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}
    assert props["Cond"] == {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, "x"]}
    assert props["Imp"] == {"Fn::ImportValue": "shared-key"}
    principal = data["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"][0]["Principal"]
    assert principal == {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}}


def test_yaml_11_traps_keep_the_text_cloudformation_keeps() -> None:
    data = loads_yaml(YAML, "t.yaml")
    assert data["AWSTemplateFormatVersion"] == "2010-09-09"  # not a date
    assert data["Resources"]["Key"]["Properties"]["KeyPolicy"]["Version"] == "2012-10-17"
    assert data["Resources"]["Stream"]["Properties"]["Account"] == "012345678901"  # not octal
    assert data["Resources"]["Stream"]["Properties"]["Hours"] == 24


def test_every_mapping_and_key_has_its_line() -> None:
    data = loads_yaml(YAML, "t.yaml")
    resources = data["Resources"]
    assert isinstance(resources, LDict)
    assert resources.line_of("Key") == 3
    assert resources.line_of("Stream") == 13
    statements = resources["Key"]["Properties"]["KeyPolicy"]["Statement"]
    assert isinstance(statements, LList)
    assert statements[0].line == 9


def test_json_lines_and_nested_lists() -> None:
    text = '{\n  "Resources": {\n    "K": {\n      "Type": "AWS::KMS::Key",\n      "L": [\n 1]\n    }\n  }\n}\n'
    data = loads_json(text, "t.json")
    assert data["Resources"].line_of("K") == 3
    assert data["Resources"]["K"]["L"].line == 5


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Resources:\n  A: 1\n  A: 2\n", 3, "duplicate key 'A' (first on line 2)"),
        ("Resources:\n  A: [1,\n", 3, "invalid YAML"),
        ("Resources:\n\tA: 1\n", 2, "invalid YAML"),
        ("Resources:\n  ? [a, b]\n  : 1\n", 2, "a key must be text"),
    ],
)
def test_broken_yaml_names_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(TemplateError) as e:
        loads_yaml(text, "bad.yaml")
    assert e.value.line == line
    assert words in e.value.message
    assert str(e.value).startswith(f"bad.yaml:{line}: ")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('{\n "Resources": {\n  "A": 1,\n  "A": 2\n }\n}', 2, 'duplicate key "A"'),
        ('{\n "Resources": {\n  "A": \n }\n}', 4, "invalid JSON"),
        ("[" * 100000, None, "nested too deeply"),
    ],
)
def test_broken_json_names_the_line(text: str, line: int | None, words: str) -> None:
    with pytest.raises(TemplateError) as e:
        loads_json(text, "bad.json")
    assert e.value.line == line
    assert words in e.value.message


def test_files_are_sniffed_by_content_and_checked(tmp_path: Path) -> None:
    j = tmp_path / "a.template"
    j.write_text('\ufeff {"Resources": {}}')
    assert load(j) == {"Resources": {}}
    y = tmp_path / "b.json"  # YAML whatever the name says
    y.write_text("Resources: {}\n")
    assert load(y) == {"Resources": {}}
    empty = tmp_path / "c.yaml"
    empty.write_text("  \n")
    with pytest.raises(TemplateError, match="empty file"):
        load(empty)
    binary = tmp_path / "d.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(TemplateError, match="not UTF-8"):
        load(binary)
    with pytest.raises(TemplateError, match="no such file"):
        load(tmp_path / "missing.yaml")


def test_a_large_json_plan_decodes_in_linear_time() -> None:
    import time

    items = ",\n".join(
        f'{{"address": "aws_kinesis_video_stream.s{i}", "values": {{"name": "s{i}"}}}}' for i in range(5000)
    )
    text = '{"resources": [\n' + items + "\n]}"
    start = time.perf_counter()
    data = loads_json(text, "plan.json")
    elapsed = time.perf_counter() - start
    assert data["resources"][4999].line == 5001
    assert elapsed < 5.0
