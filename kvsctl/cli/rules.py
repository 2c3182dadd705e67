"""`kvsctl rules`: the rule registry — every check kvsctl makes, with its id, name and severity."""

from __future__ import annotations

import typer

from kvsctl.cli.options import GlobalOptions, with_global_options


def register(root: typer.Typer) -> None:
    root.command("rules")(rules)


@with_global_options(aws=False)
def rules(*, g: GlobalOptions) -> int:
    """List every rule kvsctl checks: id, name, severity and title (-o json adds the description,
    remediation, help URL, security severity and tags). Offline.

    Examples:

      kvsctl rules

      kvsctl rules -o json | jq '.rules[] | select(.severity == "error") | .id'
    """
    from kvsctl.render.rules import RulesView

    g.emit(RulesView())
    return 0
