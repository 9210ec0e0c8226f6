"""The `qdispatch` command: every use case at a terminal, with tables for people and `--json`
for scripts.

Modules import only Typer and the standard library at load time; the core and the app are
imported inside command functions, so `qdispatch --help` stays fast.
"""
