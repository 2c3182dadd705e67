"""The command line: thin commands that parse, call one service, render and return an exit code."""
