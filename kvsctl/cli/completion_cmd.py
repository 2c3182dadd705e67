"""`kvsctl completion bash|zsh|fish [--install]`: print the shell completion script (the files under
completions/ are these same scripts), or put it where the shell looks."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer


class Shell(str, Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def register(root: typer.Typer) -> None:
    root.command("completion")(completion)


def completion(
    ctx: typer.Context,
    shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish.", show_default=False)],
    install: Annotated[bool, typer.Option("--install", help="Write the script where the shell looks for it.")] = False,
) -> int:
    """Print the completion script for a shell, or install it.

    Examples:

      source <(kvsctl completion bash)

      kvsctl completion zsh --install

      kvsctl completion fish > ~/.config/fish/completions/kvsctl.fish
    """
    from kvsctl.cli.shellcomplete import SCRIPTS, install_path, render_all

    text = render_all(ctx.find_root().command)[SCRIPTS[shell.value]]  # this very CLI
    if not install:
        sys.stdout.write(text)
        return 0
    target = install_path(shell.value)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    sys.stderr.write(f"wrote {target}\n")
    if shell is Shell.zsh:
        sys.stderr.write("add to ~/.zshrc (before compinit): fpath=(~/.zfunc $fpath)\n")
    else:
        sys.stderr.write("open a new shell to use it\n")
    return 0
