"""`kvsctl whoami`: the caller, its credentials' source, region, endpoint and profile, and whether the KVS
and KMS endpoints answer."""

from __future__ import annotations

import typer

from kvsctl.cli.options import GlobalOptions, with_global_options


def register(root: typer.Typer) -> None:
    root.command("whoami")(whoami)


@with_global_options()
def whoami(*, g: GlobalOptions) -> int:
    """Show who the credentials are (STS GetCallerIdentity), where they came from, and the region,
    endpoint and profile in use; check that the KVS and KMS endpoints answer (exit 3 when not).

    Examples:

      kvsctl whoami

      kvsctl whoami --profile prod --region eu-west-1 --query account
    """
    from kvsctl.errors import AwsError
    from kvsctl.render.account import WhoamiView
    from kvsctl.services.whoami import who_am_i

    identity = who_am_i(g.factory())
    g.emit(WhoamiView(identity))
    if not identity.ok:
        failed = [c for c in identity.checks if not c.ok]
        raise AwsError(
            f"{' and '.join(c.service for c in failed)} did not answer: {failed[0].detail}",
            hint="Check --region and --endpoint-url, the network (proxy, VPC endpoints), and that the "
            "credentials may call kinesisvideo:ListStreams and kms:ListAliases.",
            code="endpoint_check_failed",
        )
    return 0
