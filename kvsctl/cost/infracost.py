"""An infracost usage file for the estimate: what infracost's format accepts for aws_kms_key, and what not.

infracost's `aws_kms_key` (internal/resources/aws/kms_key.go) has an empty usage schema: it prices the
key-month from the Terraform plan and lists "Requests" as "Monthly cost depends on usage" with no usage
field to set it. A usage file (`version: 0.1`, `resource_usage` / `resource_type_default_usage`,
infracost.io/docs/features/usage_based_resources) can therefore say nothing about KMS requests. We write
a valid file that declares `aws_kms_key` with no fields, and carry the estimate's figures as comments, so
a reviewer sees them next to infracost's output. Pure: returns text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kvsctl.cost.model import CostEstimate
from kvsctl.cost.serialize import decimal_text, usd_exact
from kvsctl.words import plural

CANNOT_EXPRESS = (
    "KMS request counts: aws_kms_key has no usage field for them (infracost shows 'depends on usage')",
    "the KMS free tier (20,000 requests a month per account, across regions)",
    "that requests follow credential sessions (producers and consumers), not keys",
    "key rotation charges (infracost prices one key-month per aws_kms_key)",
    "requests on the AWS managed key alias/aws/kinesisvideo (no aws_kms_key resource exists for it)",
)


def usage_file(e: CostEstimate, per_key: Sequence[Any] = ()) -> str:
    a = e.assumptions
    lines = [
        "# infracost usage file written by `kvsctl cost estimate` (KMS for Kinesis Video Streams).",
        "# Use: infracost breakdown --path PLAN_OR_DIR --usage-file THIS_FILE",
        "#",
        "# infracost's aws_kms_key takes no usage fields: it prices each key-month from the plan and lists",
        "# KMS requests as 'Monthly cost depends on usage'. So aws_kms_key is declared below with no fields,",
        "# and kvsctl's figures are carried as comments:",
        "#",
        f"#   requests_per_month:  {e.requests_per_month}"
        f"  ({a.pairs:,} credential-stream pairs x {e.requests_per_pair:,})",
        f"#   billable_requests:   {e.billable_requests}" + ("  (after the free tier)" if a.free_tier else ""),
        f"#   request_cost_usd:    {usd_exact(e.request_cost_usd)}",
        f"#   customer_keys:       {a.customer_keys}  (key_cost_usd incl. rotations: {usd_exact(e.key_cost_usd)})",
        f"#   total_usd:           {usd_exact(e.total_usd)}",
        f"#   data_key_interval_minutes: {decimal_text(a.data_key_interval_minutes)};"
        f" credential_lifetime_minutes: "
        + ("never renewed" if a.credential_lifetime_minutes is None else decimal_text(a.credential_lifetime_minutes))
        + f"; sessions_per_device: {a.sessions_per_device}",
    ]
    if per_key:
        lines.append("#   per key (requests before the free tier):")
        lines += [
            f"#     {k.key}: {plural(k.requests_per_month, 'request')}, {usd_exact(k.request_cost_usd)} USD"
            for k in per_key
        ]
    lines += ["#", "# What infracost cannot express here:"]
    lines += [f"#   - {item}" for item in CANNOT_EXPRESS]
    lines += ["version: 0.1", "resource_type_default_usage:", "  aws_kms_key: {}", ""]
    return "\n".join(lines)
