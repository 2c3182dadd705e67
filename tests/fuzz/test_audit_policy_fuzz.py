"""Hostile files and flags for the offline `audit policy`: every input ends in exit 0, 1 or 2 with a
message - never 3 (it makes no AWS call), never 4, never a traceback.

Every file slot (key policy, identity policy, permissions boundary, SCP, grants) gets the same junk:
empty files, a UTF-8 BOM, UTF-16, binary, deeply nested JSON, huge strings, NaN, duplicate keys; then
hypothesis replaces one field at a time of a real policy with a value of the wrong JSON type, and
writes statements with unknown condition operators, odd principals and odd actions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from tests.fuzz import strategies as s
from tests.helpers import CliResult, run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"
ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
STREAM = f"arn:aws:kinesisvideo:us-east-1:{ACCOUNT}:stream/lobby-cam/1700000000000"
PRODUCER = f"arn:aws:iam::{ACCOUNT}:role/CameraProducer"
CONSUMER = f"arn:aws:iam::{ACCOUNT}:role/ViewerConsumer"

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


def example(name: str) -> dict[str, Any]:
    return dict(json.loads((EXAMPLES / name).read_text()))


GOOD_KEY_POLICY = example("key-policy-good.json")
PRODUCER_POLICY = example("identity-producer.json")
GRANTS = example("grants.json")


class Files:
    """Writes the fixed good files once; `put` writes fuzzed content into a slot."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.good = {
            "key": self.write("key.json", GOOD_KEY_POLICY),
            "identity": self.write("identity.json", PRODUCER_POLICY),
            "grants": self.write("grants.json", GRANTS),
        }

    def write(self, name: str, content: Any) -> str:
        path = self.root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
        else:
            path.write_text(json.dumps(content))
        return str(path)


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


def audit(files: Files, slot: str | None = None, path: str | None = None, *extra: str) -> CliResult:
    """`audit policy` with the good files, except `slot` (key, identity, boundary, scp, grants) = path."""
    key = path if slot == "key" else files.good["key"]
    argv = ["audit", "policy", "--key-policy", key, "--key-arn", KEY, "--stream-arn", STREAM]
    argv += ["--producer", PRODUCER, "--consumer", CONSUMER]
    argv += ["--identity-policy", f"{PRODUCER}={path if slot == 'identity' else files.good['identity']}"]
    if slot == "boundary":
        argv += ["--permissions-boundary", f"{PRODUCER}={path}"]
    if slot == "scp":
        argv += ["--scp", str(path)]
    argv += ["--grants", path if slot == "grants" else files.good["grants"]]
    result = run_cli(*argv, *extra, "-o", "json")
    check(result, argv)
    return result


def check(result: CliResult, argv: Any) -> None:
    where = f"argv={argv!r}\nstderr={result.stderr[-1500:]!r}"
    assert result.exit_code in (0, 1, 2), where
    assert "Traceback" not in result.stderr, where
    if currently_in_test_context():
        event(f"exit {result.exit_code}")
    if result.exit_code == 2:
        err = result.error
        assert err["message"] and err["code"] != "internal_error", where
    else:
        data = result.json
        assert isinstance(data["ok"], bool) and isinstance(data["results"], list), where
        assert data["ok"] == (result.exit_code == 0), where


SLOTS = ["key", "identity", "boundary", "scp", "grants"]


def test_the_good_files_pass(files: Files) -> None:
    """The baseline every fuzzed run deviates from (so that exit 2 below is the fuzzed file's doing)."""
    result = audit(files)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("slot", SLOTS)
@pytest.mark.parametrize(("label", "content"), s.JUNK_FILES, ids=[label for label, _ in s.JUNK_FILES])
def test_junk_file_in_every_slot(files: Files, slot: str, label: str, content: bytes) -> None:
    result = audit(files, slot, files.write(f"junk-{label}.json", content))
    if label == "bom-json" and slot in ("identity", "boundary", "scp"):
        assert result.exit_code in (0, 1)  # a BOM before valid JSON is read, as AWS CLI files often have one
    elif label == "list" and slot == "grants":
        assert result.exit_code in (0, 1)  # a bare empty list of grants is valid: no grants
    elif label != "bom-json":
        assert result.exit_code == 2, result.stderr
    assert result.stdout == "" or result.exit_code != 2


@pytest.mark.parametrize("slot", ["key", "identity", "scp"])
def test_missing_unreadable_or_directory_paths(files: Files, slot: str, tmp_path: Path) -> None:
    for path in (str(tmp_path / "absent.json"), str(tmp_path), "/dev/null", "/proc/self/mem"):
        result = audit(files, slot, path)
        assert result.exit_code == 2, (path, result.stderr)


@FUZZ
@given(doc=s.wrong_types(GOOD_KEY_POLICY))
def test_key_policy_with_a_wrong_type_anywhere(files: Files, doc: Any) -> None:
    audit(files, "key", files.write("key-fuzz.json", doc))


@FUZZ
@given(doc=s.wrong_types(PRODUCER_POLICY), slot=st.sampled_from(["identity", "boundary", "scp"]))
def test_iam_policy_with_a_wrong_type_anywhere(files: Files, doc: Any, slot: str) -> None:
    audit(files, slot, files.write("iam-fuzz.json", doc))


@FUZZ
@given(doc=s.wrong_types(GRANTS))
def test_grants_with_a_wrong_type_anywhere(files: Files, doc: Any) -> None:
    audit(files, "grants", files.write("grants-fuzz.json", doc))


@FUZZ
@given(doc=s.JSON_VALUES, slot=st.sampled_from(SLOTS))
def test_any_json_value_in_any_slot(files: Files, doc: Any, slot: str) -> None:
    audit(files, slot, files.write("any.json", doc))


OPERATORS = st.sampled_from(
    [
        "StringEquals",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "ArnLike",
        "ArnNotLike",
        "NumericLessThanEquals",
        "DateGreaterThan",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "Null",
        "StringEqualsIfExists",
        "ForAllValues:StringEquals",
        "ForAnyValue:StringLike",
        # unknown or malformed
        "StringEqualz",
        "ForSomeValues:StringEquals",
        "ForAnyValue:",
        "IfExists",
        "NullIfExists",
        "stringequals",
        "ForAllValues:ForAnyValue:StringEquals",
        "",
        "Bool IfExists",
    ]
)
CONDITION_KEYS = st.sampled_from(
    [
        "kms:ViaService",
        "kms:CallerAccount",
        "aws:PrincipalArn",
        "aws:SourceIp",
        "aws:CurrentTime",
        "aws:SecureTransport",
        "kms:EncryptionContext:app",
        "kms:GrantOperations",
        "aws:username",
        "no-colon",
        "",
        "aws:PrincipalTag/${aws:username}",
    ]
)
CONDITION_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["kinesisvideo.us-east-1.amazonaws.com", "*", "?", "${aws:username}", "10.0.0.0/8", "::/0"]),
    st.sampled_from(["2024-01-01T00:00:00Z", "not-a-date", "1e400", "-0", "true", "TRUE", "AAAA", "%%%", "${"]),
    st.integers(),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=10), max_size=3),
)
PRINCIPALS = st.one_of(
    st.just("*"),
    st.sampled_from([PRODUCER, CONSUMER, ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", "arn:aws:iam::*:role/*"]),
    st.builds(lambda p: {"AWS": p}, st.sampled_from([PRODUCER, "*", ACCOUNT, "arn:aws:sts::1:assumed-role/x/y"])),
    st.builds(lambda p: {"Service": p}, st.sampled_from(["kinesisvideo.amazonaws.com", "x"])),
    st.builds(lambda p: {"Federated": p}, st.text(max_size=10)),
    st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=2),
    st.text(max_size=20),
)
ACTIONS = st.one_of(
    st.sampled_from(
        ["kms:*", "kms:Decrypt", "kms:GenerateDataKey*", "kinesisvideo:PutMedia", "kinesis-video:GetMedia", "*"]
    ),
    st.sampled_from(["kms:decrypt", "KMS:Generate?ataKey", "s3:*", "kms", ":", "kms:Bogus", "iam:PassRole"]),
    st.text(max_size=20),
)
RESOURCES = st.one_of(
    st.sampled_from(["*", KEY, STREAM, "arn:aws:kms:*:*:key/*", "arn:aws:kinesisvideo:*:*:stream/*", "arn:"]),
    st.text(max_size=20),
)


def one_or_many(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return strategy | st.lists(strategy, max_size=3)


STATEMENTS = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny", "allow", "Maybe"])},
    optional={
        "Sid": st.text(max_size=10),
        "Principal": PRINCIPALS,
        "NotPrincipal": PRINCIPALS,
        "Action": one_or_many(ACTIONS),
        "NotAction": one_or_many(ACTIONS),
        "Resource": one_or_many(RESOURCES),
        "NotResource": one_or_many(RESOURCES),
        "Condition": st.dictionaries(
            OPERATORS, st.dictionaries(CONDITION_KEYS, one_or_many(CONDITION_VALUES), max_size=2), max_size=3
        ),
    },
)
POLICIES = st.fixed_dictionaries(
    {"Statement": one_or_many(STATEMENTS)},
    optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17", "2020-01-01", ""]), "Id": st.text(max_size=5)},
)


KNOWN_OPERATORS = st.sampled_from(
    [
        *("StringEquals", "StringLike", "StringNotEquals", "ArnLike", "Bool", "Null", "IpAddress"),
        *("NumericLessThan", "StringEqualsIfExists", "ForAnyValue:StringEquals", "ForAllValues:StringLike"),
    ]
)
PLAUSIBLE_STATEMENTS = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Allow", "Deny"]),
        "Action": one_or_many(st.sampled_from(["kms:Decrypt", "kms:GenerateDataKey*", "kms:*", "kinesisvideo:*"])),
        "Resource": st.sampled_from(["*", KEY, STREAM]),
    },
    optional={
        "Principal": st.sampled_from(["*", {"AWS": PRODUCER}, {"AWS": [CONSUMER, ACCOUNT]}, {"AWS": "*"}]),
        "Condition": st.dictionaries(
            KNOWN_OPERATORS | OPERATORS,
            st.dictionaries(CONDITION_KEYS, one_or_many(CONDITION_VALUES), min_size=1, max_size=2),
            max_size=2,
        ),
    },
)


@settings(FUZZ, max_examples=60)
@given(
    statements=st.lists(PLAUSIBLE_STATEMENTS, min_size=1, max_size=3)
    | st.lists(STATEMENTS | PLAUSIBLE_STATEMENTS, min_size=1, max_size=4),
    version=st.sampled_from(["2012-10-17", "2012-10-17", "2008-10-17", "2020-01-01", None]),
    slot=st.sampled_from(["key", "identity", "boundary", "scp"]),
)
def test_generated_policies_with_unknown_operators_and_odd_elements(
    files: Files, statements: list[Any], version: str | None, slot: str
) -> None:
    policy: dict[str, Any] = {"Statement": statements}
    if version is not None:
        policy["Version"] = version
    if slot in ("identity", "boundary", "scp"):
        for st_ in statements:  # identity-type policies may not name principals
            st_.pop("Principal", None)
            st_.pop("NotPrincipal", None)
    audit(files, slot, files.write("generated.json", policy))


@FUZZ
@given(
    key_arn=s.hostile
    | st.sampled_from([KEY, KEY])
    | st.sampled_from([KEY, KEY.replace("key/", "alias/"), "arn:aws:kms:us-east-1::key/x"]),
    stream_arn=s.hostile | st.just(STREAM) | st.sampled_from([STREAM, "arn:aws:kinesis-video:us-east-1:1:stream/x"]),
    principal=s.hostile
    | st.just(PRODUCER)
    | st.sampled_from([PRODUCER, ACCOUNT, "*", "arn:aws:sts::1:assumed-role/x/y"]),
    context=st.lists(
        s.hostile | st.sampled_from(["kms:ViaService=", "aws:SourceIp=10.0.0.1", "=x", "a=b"]), max_size=3
    ),
    explain=s.hostile | st.none(),
)
def test_audit_policy_flags(
    files: Files, key_arn: str, stream_arn: str, principal: str, context: list[str], explain: str | None
) -> None:
    argv = ["audit", "policy", f"--key-policy={files.good['key']}", f"--key-arn={key_arn}"]
    argv += [f"--stream-arn={stream_arn}", f"--producer={principal}", f"--consumer={CONSUMER}"]
    argv += [f"--context={c}" for c in context]
    if explain is not None:
        argv.append(f"--explain={explain}")
    result = run_cli(*argv, "-o", "json")
    check(result, argv)


@FUZZ
@given(
    output=st.sampled_from(["table", "sarif", "junit"]),
    policy=POLICIES
    | st.builds(
        lambda s: {"Version": "2012-10-17", "Statement": s}, st.lists(PLAUSIBLE_STATEMENTS, min_size=1, max_size=3)
    ),
)
def test_every_output_format_survives_generated_policies(files: Files, output: str, policy: Any) -> None:
    path = files.write("generated.json", policy)
    argv = ["audit", "policy", "--key-policy", path, "--key-arn", KEY, "--producer", PRODUCER, "-o", output]
    result = run_cli(*argv)
    assert result.exit_code in (0, 1, 2), (argv, result.stderr)
    assert "Traceback" not in result.stderr
    if result.exit_code != 2:
        assert result.stdout.strip()
