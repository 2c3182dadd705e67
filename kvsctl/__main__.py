"""`python -m kvsctl`."""

from kvsctl.cli.app import run

if __name__ == "__main__":
    run()
