"""`python -m qdispatch_web [--host H] [--port P] [--open] [--team] [--db URL]`.

`qdispatch dashboard` runs this with the same arguments.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Sequence

from qdispatch import App, Settings
from qdispatch.access import AccessLog, Scope
from qdispatch.logs import configure_logging
from qdispatch_web.app import for_host, is_loopback


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="qdispatch dashboard",
        description="Serve the dashboard: experiments, jobs, results and costs in a browser. "
        "On a loopback address it shows the local user's work; on any other address (or with "
        "--team) every visitor logs in with an API key and sees only their own.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    parser.add_argument("--open", action="store_true", help="open it in a web browser")
    parser.add_argument(
        "--team", action="store_true", help="ask for API keys even on a loopback address"
    )
    parser.add_argument(
        "--db", help="database URL (default: QDISPATCH_DATABASE_URL or the local SQLite file)"
    )
    parser.add_argument(
        "--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR")
    )
    return parser.parse_args(argv)


def url_of(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/"


def open_when_listening(host: str, port: int, url: str, timeout: float = 30.0) -> None:
    """Open the browser once the server accepts connections (not before: it would show an
    error page)."""

    def wait_and_open() -> None:
        deadline = time.monotonic() + timeout
        target = "127.0.0.1" if host in ("0.0.0.0", "") else host.strip("[]")
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((target, port), timeout=1):
                    webbrowser.open(url)
                    return
            except OSError:
                time.sleep(0.2)

    threading.Thread(target=wait_and_open, daemon=True, name="open-browser").start()


def user_of(scope: Scope) -> str | None:
    """The visitor the dashboard's gate let in (see middleware.Gate), for the access log."""
    user = scope.get("state", {}).get("user")
    return getattr(user, "id", None)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    # One line per record on stderr, live credentials masked, other libraries at WARNING.
    configure_logging(args.log_level)
    import uvicorn

    app = App(Settings.from_env(database_url=args.db))
    web = for_host(app, args.host, team=args.team, close_app=True)
    url = url_of(args.host, args.port)
    mode = "local user" if is_loopback(args.host) and not args.team else "API keys (team)"
    print(f"qdispatch dashboard on {url} ({mode}); Ctrl-C stops it", file=sys.stderr, flush=True)
    if args.open:
        open_when_listening(args.host, args.port, url)
    # uvicorn's own access log would write whole URLs (query strings) to stdout: ours instead.
    served = AccessLog(web, logger="qdispatch_web.access", user_of=user_of)
    uvicorn.run(served, host=args.host, port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
