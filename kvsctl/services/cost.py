"""Cost service: read what the account holds (streams, the keys they use, every customer managed
key), then price it with the pure estimator. Reads only; never creates anything (the AWS managed key
is recognised from the stream's reference or through ListAliases, never with DescribeKey).
"""

from __future__ import annotations

from collections.abc import Callable

from kvsctl import validate
from kvsctl.aws.kms import KmsGateway
from kvsctl.aws.kvs import KvsGateway
from kvsctl.aws.session import ClientFactory
from kvsctl.cost.account import AWS_MANAGED, AccountEstimate, AccountKey, AccountUsage, StreamKeyUse, estimate_account
from kvsctl.cost.model import CostAssumptions
from kvsctl.models import Stream, is_aws_managed_reference
from kvsctl.services.keys import KeyResolver


def _ignore(message: str) -> None:
    return None


class CostService:
    def __init__(self, factory: ClientFactory, region: str | None = None) -> None:
        self.kvs = KvsGateway(factory, region)
        self.kms = KmsGateway(factory, region)
        self.keys = KeyResolver(self.kms)

    def usage(self, name_prefix: str | None = None, *, warn: Callable[[str], None] = _ignore) -> AccountUsage:
        """Every stream (all pages) with the key it uses, and every customer managed key of the region."""
        validate.name_prefix(name_prefix)
        keys: list[AccountKey] = []
        for key_id in self.kms.list_keys():
            # By key id: DescribeKey only creates a key when given a predefined AWS alias.
            info = self.kms.describe_key_id(key_id)
            self.keys.remember(info)  # each key is read once: the streams that use it resolve from here
            if info.manager == "CUSTOMER":
                keys.append(
                    AccountKey(
                        arn=info.arn, aliases=info.aliases, state=info.state, rotation_enabled=info.rotation_enabled
                    )
                )
        streams = tuple(self._key_use(s, warn) for s in self.kvs.list_streams(name_prefix))
        return AccountUsage(streams=streams, keys=tuple(keys))

    def _key_use(self, stream: Stream, warn: Callable[[str], None]) -> StreamKeyUse:
        if is_aws_managed_reference(stream.kms_key_id):
            return StreamKeyUse(stream.name, AWS_MANAGED)
        key, note = self.keys.resolve(stream.kms_key_id)
        if key is None:
            if note:
                warn(f"{stream.name}: {note}")
            return StreamKeyUse(stream.name, str(stream.kms_key_id))
        return StreamKeyUse(stream.name, AWS_MANAGED if key.manager == "AWS" else key.arn)

    def estimate(
        self, base: CostAssumptions, name_prefix: str | None = None, *, warn: Callable[[str], None] = _ignore
    ) -> AccountEstimate:
        return estimate_account(self.usage(name_prefix, warn=warn), base)
