"""`python -m qdispatch_mcp [--transport stdio|http] [--host H] [--port P] [--db URL]`.

`qdispatch mcp` runs this with the same arguments. On stdio, stdout carries the protocol, so
every log line goes to stderr.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from qdispatch import App, Settings
from qdispatch.logs import configure_logging


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="qdispatch mcp",
        description="Serve qdispatch's MCP tools: on stdio for the local user (the default), "
        "or on streamable HTTP where every request needs 'Authorization: Bearer <API key>'.",
    )
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP: address to bind")
    parser.add_argument("--port", type=int, default=8765, help="HTTP: port to listen on")
    parser.add_argument("--path", default="/mcp", help="HTTP: the endpoint's path")
    parser.add_argument(
        "--dashboard",
        action="store_true",
        help="HTTP: serve the web dashboard beside the MCP endpoint (API keys, per user)",
    )
    parser.add_argument(
        "--db", help="database URL (default: QDISPATCH_DATABASE_URL or the local SQLite file)"
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="qdispatch's own loggers; other libraries log from WARNING whatever this says",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    # Before anything else logs, and before the SDK's own (rich) set-up, which then leaves the
    # root logger alone: one line per record on stderr, other libraries at WARNING, live
    # credentials masked (qdispatch.logs).
    configure_logging(args.log_level)

    def app_factory() -> App:
        return App(Settings.from_env(database_url=args.db))

    if args.transport == "http":
        from qdispatch_mcp.http import serve_http

        serve_http(
            app_factory,
            host=args.host,
            port=args.port,
            path=args.path,
            dashboard=args.dashboard,
        )
    else:
        from qdispatch_mcp.server import build_server
        from qdispatch_mcp.stdio import run_stdio

        run_stdio(build_server(app_factory))


if __name__ == "__main__":
    main()
