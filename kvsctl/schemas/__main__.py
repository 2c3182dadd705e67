"""`python -m kvsctl.schemas`: rewrite the shipped JSON Schemas from build.py."""

from kvsctl.schemas import write_all

for path in write_all():
    print(f"wrote {path}")
