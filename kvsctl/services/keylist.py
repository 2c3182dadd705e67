"""`kvsctl key list`: the customer managed keys in a region that KVS can use (symmetric, enabled), with
their aliases, rotation and how many streams use each; with `all_keys` also the rest, with why not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kvsctl.aws.kms import KmsGateway
from kvsctl.aws.kvs import KvsGateway
from kvsctl.aws.session import ClientFactory
from kvsctl.models import KeyInfo


@dataclass(frozen=True)
class ListedKey:
    key: KeyInfo
    streams: int  # streams in the region whose KmsKeyId names this key (ARN, id, alias or alias ARN)

    @property
    def problems(self) -> list[str]:
        from kvsctl.checks.keys import usable_problems

        return usable_problems(self.key)

    def to_json(self) -> dict[str, Any]:
        k = self.key
        return {
            "key_arn": k.arn,
            "key_id": k.key_id,
            "aliases": list(k.aliases),
            "state": k.state,
            "spec": k.spec,
            "usage": k.usage,
            "rotation_enabled": k.rotation_enabled,
            "streams": self.streams,
            "usable_by_kvs": not self.problems,
            "why_not": self.problems,
        }


@dataclass(frozen=True)
class KeyList:
    region: str
    keys: tuple[ListedKey, ...]
    hidden: int  # customer managed keys KVS cannot use, left out without --all
    all_keys: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "keys": [k.to_json() for k in self.keys],
            "unusable_not_shown": self.hidden,
        }


def _names(key: KeyInfo) -> set[str]:
    """Every way KVS may hold this key as KmsKeyId."""
    names = {key.arn, key.key_id}
    for alias in key.aliases:
        names.add(alias)
        if key.region and key.account:
            names.add(f"arn:aws:kms:{key.region}:{key.account}:{alias}")
    return names


def list_keys(factory: ClientFactory, *, all_keys: bool = False) -> KeyList:
    kms = KmsGateway(factory)
    kvs = KvsGateway(factory)
    customer: list[KeyInfo] = []
    for key_id in kms.list_keys():
        info = kms.describe_key_id(key_id, with_rotation=False)
        if info.manager != "CUSTOMER":
            continue
        aliases = kms.aliases_for(info.key_id)
        rotation = kms.rotation_enabled(info.key_id) if info.state == "Enabled" else None
        from dataclasses import replace

        customer.append(replace(info, aliases=aliases, rotation_enabled=rotation))
    owner: dict[str, str] = {}
    for info in customer:
        for name in _names(info):
            owner[name] = info.arn
    counts: dict[str, int] = {}
    for stream in kvs.list_streams():
        arn = owner.get(stream.kms_key_id or "")
        if arn is not None:
            counts[arn] = counts.get(arn, 0) + 1
    listed = [ListedKey(info, counts.get(info.arn, 0)) for info in customer]
    shown = [k for k in listed if all_keys or not k.problems]
    shown.sort(key=lambda k: (bool(k.problems), k.key.aliases[0] if k.key.aliases else "~" + k.key.key_id))
    return KeyList(factory.region, tuple(shown), len(listed) - len(shown), all_keys)
