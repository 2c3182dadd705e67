"""Spec files: streams as code. Parsing (pure, with file:line errors) and planning for preflight/apply."""
