"""Key lifecycle and the streams that depend on it (pure).

A stream's key can never change. When that key is scheduled for deletion, KMS deletes it on the date
and every fragment the stream stored under it becomes unreadable for good (crypto-shredding); until
then, and while a key is disabled, every PutMedia and GetMedia fails (fragment ack 4501 disabled,
4505 invalid state; PutMedia / GetMedia API reference). Cancelling the deletion leaves the key
Disabled, so it must be enabled again (KMS DG, "Deleting KMS keys": CancelKeyDeletion).
"""

from __future__ import annotations

from datetime import datetime

ACK_DISABLED = 4501
ACK_INVALID_STATE = 4505


def cancel_command(key_arn: str, region: str) -> str:
    return (
        f"aws kms cancel-key-deletion --key-id {key_arn} --region {region} && "
        f"aws kms enable-key --key-id {key_arn} --region {region}"
    )


def enable_command(key_arn: str, region: str) -> str:
    return f"aws kms enable-key --key-id {key_arn} --region {region}"


def _when(date: datetime | None) -> str:
    return date.isoformat() if date is not None else "the scheduled date (unknown)"


def pending_deletion_message(
    key_arn: str,
    region: str,
    deletion_date: datetime | None,
    stream: str | None = None,
    retention_hours: int | None = None,
) -> str:
    """The error for a stream whose key is PendingDeletion: the date, what is lost, and the cancel command."""
    when = _when(deletion_date)
    who = f"stream {stream}" if stream else "its streams"
    if retention_hours is not None and retention_hours == 0:
        stored = (
            f"{who} keeps no video (retention 0), but every PutMedia fails until the deletion is cancelled "
            f"(fragment ack {ACK_INVALID_STATE}), and after {when} the stream can never work again "
            "(its key cannot change)"
        )
    else:
        kept = f"up to {retention_hours} h of video" if retention_hours else "its stored video"
        stored = (
            f"{who} keeps {kept} encrypted under it, which becomes unreadable for good on {when} "
            f"(crypto-shredding); until then every PutMedia and GetMedia fails (fragment ack {ACK_INVALID_STATE})"
        )
    cancel = cancel_command(key_arn, region)
    return f"key {key_arn} is pending deletion (deletion on {when}): {stored}. Cancel: {cancel}"


def disabled_message(
    key_arn: str, region: str, state: str, stream: str | None = None, retention_hours: int | None = None
) -> str:
    who = f"stream {stream}" if stream else "its streams"
    stored = f"; its {retention_hours} h of stored video is unreadable meanwhile" if retention_hours else ""
    fix = f". Enable it: {enable_command(key_arn, region)}" if state == "Disabled" else ""
    return (
        f"key {key_arn} is {state}, not Enabled: every PutMedia and GetMedia on {who} fails "
        f"(fragment ack {ACK_DISABLED if state == 'Disabled' else ACK_INVALID_STATE}){stored}{fix}"
    )
