"""Write the shell completion scripts of kvsctl's command tree to completions/ (or a folder given):
`python -m kvsctl.cli.completions`. The scripts themselves come from kvsctl.cli.shellcomplete."""

from __future__ import annotations

import sys
from pathlib import Path


def render_all() -> dict[str, str]:
    import typer

    from kvsctl.cli import shellcomplete
    from kvsctl.cli.app import app

    return shellcomplete.render_all(typer.main.get_command(app))


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "completions"
    out.mkdir(parents=True, exist_ok=True)
    for name, text in render_all().items():
        (out / name).write_text(text)
        sys.stdout.write(f"wrote {out / name}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
