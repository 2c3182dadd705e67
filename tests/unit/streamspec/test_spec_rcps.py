"""`rcps = [...]` in a spec file: resource control policies given for preflight (issue #10 class 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kvsctl.streamspec.model import SpecError, load_spec

STREAM = '[[stream]]\nname = "cam"\nkms_key = "alias/cams"\n'


def test_rcps_are_read_relative_to_the_spec(tmp_path: Path) -> None:
    rcp = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}],
    }
    (tmp_path / "rcp.json").write_text(json.dumps(rcp))
    (tmp_path / "spec.toml").write_text('rcps = ["rcp.json"]\n' + STREAM)
    spec = load_spec(tmp_path / "spec.toml")
    assert [name for name, _ in spec.rcps] == ["rcp.json"]
    assert json.loads(spec.rcps[0][1]) == rcp


@pytest.mark.parametrize(
    ("line", "content", "message"),
    [
        ('rcps = ["missing.json"]', None, "cannot read missing.json"),
        ('rcps = "rcp.json"', "{}", "must be an array"),
        # Organizations UG RCP syntax: an RCP names its Principal (always "*"); AWS refuses one without
        (
            'rcps = ["rcp.json"]',
            json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "kms:*", "Resource": "*"}}),
            "needs Principal",
        ),
    ],
)
def test_bad_rcps_are_spec_errors(tmp_path: Path, line: str, content: str | None, message: str) -> None:
    if content is not None:
        (tmp_path / "rcp.json").write_text(content)
    (tmp_path / "spec.toml").write_text(line + "\n" + STREAM)
    with pytest.raises(SpecError, match=message):
        load_spec(tmp_path / "spec.toml")
