"""The audit table stays readable at 80 columns: one matrix per role, short principal names."""

from pathlib import Path

import pytest

from tests.helpers import run_cli

POL = Path(__file__).resolve().parents[2] / "examples" / "policies"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
P = "arn:aws:iam::111122223333:role/CameraProducer"
C = "arn:aws:iam::111122223333:role/video/ViewerConsumer"  # a role with a path


def test_matrix_per_role_with_short_principals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # captured stdout is not a terminal: tables are 200 wide unless told
    result = run_cli(
        "audit",
        "policy",
        "--key-policy",
        str(POL / "key-policy-broken.json"),
        "--key-arn",
        KEY,
        "--producer",
        P,
        "--consumer",
        C,
        "-o",
        "table",
    )
    assert result.exit_code == 1
    out = result.stdout
    assert out.index("Producers") < out.index("Consumers") < out.index("Findings")
    producers = out[out.index("Producers") : out.index("Consumers")]
    assert "role/CameraProducer" in producers and "kms:Decrypt" not in producers
    consumers = out[out.index("Consumers") : out.index("Findings")]
    assert "role/ViewerConsumer" in consumers and "implicit_deny" in consumers
    assert "kms:GenerateDataKey" not in consumers
    assert max(len(line) for line in out.splitlines()) <= 80
