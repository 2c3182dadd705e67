"""CloudTrail records for the calibration tests, written from AWS's documented event format.

- AWS_DOC_GENERATE_DATA_KEY is the GenerateDataKey log entry of the KMS developer guide ("GenerateDataKey",
  in "Examples of AWS KMS log entries"): an IAM user calling KMS directly, from 192.0.2.0. Not through KVS.
- kvs_event() takes that entry and gives it what the CloudTrail user guide documents for a request an AWS
  service made on a caller's behalf ("CloudTrail userIdentity element"): the caller's assumed-role identity
  (its example `userIdentity` with `sessionContext.sessionIssuer`), `invokedBy` naming the service, and the
  service's name as `sourceIPAddress` and `userAgent` — here kinesisvideo.amazonaws.com.
"""

from __future__ import annotations

import copy
import gzip
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ACCT = "111122223333"
KEY1 = f"arn:aws:kms:us-west-2:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY2 = f"arn:aws:kms:us-west-2:{ACCT}:key/0987dcba-09fe-87dc-65ba-ab0987654321"
CAMERA_ROLE = f"arn:aws:iam::{ACCT}:role/CameraRole"
VIEWER_ROLE = f"arn:aws:iam::{ACCT}:role/ViewerRole"
KVS = "kinesisvideo.amazonaws.com"

AWS_DOC_GENERATE_DATA_KEY: dict[str, Any] = {
    "eventVersion": "1.11",
    "userIdentity": {
        "type": "IAMUser",
        "principalId": "EX_PRINCIPAL_ID",
        "arn": f"arn:aws:iam::{ACCT}:user/Alice",
        "accountId": ACCT,
        "accessKeyId": "EXAMPLE_KEY_ID",
        "userName": "Alice",
    },
    "eventTime": "2025-05-20T20:46:16Z",
    "eventSource": "kms.amazonaws.com",
    "eventName": "GenerateDataKey",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "192.0.2.0",
    "userAgent": "AWS Internal",
    "requestParameters": {
        "keyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
        "keySpec": "AES_256",
        "encryptionContext": {"Department": "Engineering", "Project": "Alpha"},
    },
    "responseElements": None,
    "additionalEventData": {"keyMaterialId": "123456789abcdef0" * 4},
    "requestID": "e0eb83e3-63bc-11e4-bc2b-4198b6150d5c",
    "eventID": "a9dea4f9-8395-46c0-942c-f509c02c2b71",
    "readOnly": True,
    "resources": [{"ARN": KEY1, "accountId": ACCT}],
    "eventType": "AwsApiCall",
    "managementEvent": True,
    "recipientAccountId": ACCT,
    "eventCategory": "Management",
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def assumed_identity(role_arn: str, session: str, created: str) -> dict[str, Any]:
    role = role_arn.rsplit("/", 1)[-1]
    return {
        "type": "AssumedRole",
        "principalId": f"AROAIDPPEZS35WEXAMPLE:{session}",
        "arn": f"arn:aws:sts::{ACCT}:assumed-role/{role}/{session}",
        "accountId": ACCT,
        "accessKeyId": "",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAIDPPEZS35WEXAMPLE",
                "arn": role_arn,
                "accountId": ACCT,
                "userName": role,
            },
            "attributes": {"mfaAuthenticated": "false", "creationDate": created},
        },
        "invokedBy": KVS,
    }


def kvs_event(
    operation: str, when: datetime, *, role: str, session: str, created: str, key: str = KEY1
) -> dict[str, Any]:
    event = copy.deepcopy(AWS_DOC_GENERATE_DATA_KEY)
    event["userIdentity"] = assumed_identity(role, session, created)
    event["eventTime"] = z(when)
    event["eventName"] = operation
    event["sourceIPAddress"] = KVS
    event["userAgent"] = KVS
    event["requestParameters"] = (
        {"keyId": key} if operation == "GenerateDataKey" else {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
    )
    event["resources"] = [{"ARN": key, "accountId": ACCT}]
    return event


def every(start: str, minutes: int, count: int) -> list[datetime]:
    first = at(start)
    return [first + timedelta(minutes=minutes * i) for i in range(count)]


def scenario() -> tuple[list[dict[str, Any]], list[Any]]:
    """(records for file A, records for file B).

    - CameraRole session cam1 (created 10:00): GenerateDataKey on KEY1 every 5 min, 10:00..10:55 (12);
    - CameraRole session cam2 (created 10:02): GenerateDataKey on KEY1 every 5 min, 10:02..11:57 (24);
    - ViewerRole session v1 (created 10:30): Decrypt on KEY2 every 10 min, 10:30..10:50 (3);
    - other KMS: the AWS doc entry (Alice, direct), S3 decrypting for someone, KVS's DescribeKey (3);
    - an S3 event (not KMS), a record without eventTime, and a record that is not an object.
    """
    cam1 = [
        kvs_event("GenerateDataKey", t, role=CAMERA_ROLE, session="cam1", created="2026-12-01T10:00:00Z")
        for t in every("2026-12-01T10:00:00Z", 5, 12)
    ]
    cam2 = [
        kvs_event("GenerateDataKey", t, role=CAMERA_ROLE, session="cam2", created="2026-12-01T10:02:00Z")
        for t in every("2026-12-01T10:02:00Z", 5, 24)
    ]
    viewer = [
        kvs_event("Decrypt", t, role=VIEWER_ROLE, session="v1", created="2026-12-01T10:30:00Z", key=KEY2)
        for t in every("2026-12-01T10:30:00Z", 10, 3)
    ]
    alice = copy.deepcopy(AWS_DOC_GENERATE_DATA_KEY)
    alice["eventTime"] = "2026-12-01T10:46:16Z"
    s3_decrypt = kvs_event(
        "Decrypt", at("2026-12-01T11:10:00Z"), role=VIEWER_ROLE, session="s3", created="2026-12-01T11:00:00Z"
    )
    s3_decrypt["userIdentity"]["invokedBy"] = "s3.amazonaws.com"
    s3_decrypt["sourceIPAddress"] = s3_decrypt["userAgent"] = "s3.amazonaws.com"
    describe = kvs_event(
        "DescribeKey", at("2026-12-01T11:20:00Z"), role=CAMERA_ROLE, session="cam2", created="2026-12-01T10:02:00Z"
    )
    s3_event = {
        "eventVersion": "1.08",
        "eventTime": "2026-12-01T11:30:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCT}:user/Alice"},
    }
    no_time = copy.deepcopy(alice)
    del no_time["eventTime"]
    file_a: list[dict[str, Any]] = [*cam1, *viewer, alice, s3_event]
    file_b: list[Any] = [*cam2, s3_decrypt, describe, no_time, "not an event"]
    return file_a, file_b


def write_json(path: Path, records: list[Any], *, gz: bool = False) -> Path:
    text = json.dumps({"Records": records})
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as out:
            out.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_scenario(root: Path) -> Path:
    """The scenario as CloudTrail delivers it (one plain, one gzipped), plus a digest file and a stray file."""
    file_a, file_b = scenario()
    base = root / "AWSLogs" / ACCT / "CloudTrail" / "us-west-2" / "2026" / "12" / "01"
    write_json(base / f"{ACCT}_CloudTrail_us-west-2_20261201T1005Z_a.json", file_a)
    write_json(base / f"{ACCT}_CloudTrail_us-west-2_20261201T1205Z_b.json.gz", file_b, gz=True)
    digest = root / "AWSLogs" / ACCT / "CloudTrail-Digest" / "digest.json"
    digest.parent.mkdir(parents=True, exist_ok=True)
    digest.write_text(json.dumps({"awsAccountId": ACCT, "logFiles": []}), encoding="utf-8")
    (base / "README.txt").write_text("not a log file", encoding="utf-8")
    return root
