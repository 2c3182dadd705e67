"""`python -m kvsctl.checks [FILE]`: regenerate docs/rules.md from the registry."""

import sys
from pathlib import Path

from kvsctl.checks.rules import markdown

target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "docs" / "rules.md"
target.write_text(markdown(), encoding="utf-8")
