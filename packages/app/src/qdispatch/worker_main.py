"""The standalone worker process (`qdispatch worker`, `python -m qdispatch.worker_main`).

Apart from qdispatch.worker so that the worker does not import the composition root that
builds it: bootstrap imports worker, and only this entry point imports both.
"""

from __future__ import annotations

from dataclasses import replace

from qdispatch.worker import configure_logging


def main(argv: list[str] | None = None) -> None:
    """`python -m qdispatch.worker_main [--threads N] [--idle-exit S]`: the standalone worker."""
    import argparse

    from qdispatch.bootstrap import App
    from qdispatch.settings import Settings

    parser = argparse.ArgumentParser(prog="qdispatch-worker", description=main.__doc__)
    parser.add_argument(
        "--db", help="database URL (default: QDISPATCH_DATABASE_URL or the local SQLite file)"
    )
    parser.add_argument("--threads", type=int, help="jobs run at once")
    parser.add_argument("--idle-exit", type=float, help="exit after this many idle seconds")
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run simulations on this Dask scheduler (default: QDISPATCH_DASK_ADDRESS)",
    )
    parser.add_argument(
        "--background",
        action="store_true",
        help="the detached worker the CLI starts: hold the lock, or exit",
    )
    args = parser.parse_args(argv)
    configure_logging()
    settings = Settings.from_env(database_url=args.db)
    if args.dask:
        settings = replace(settings, dask_address=args.dask)
    if settings.dask_address:
        from qdispatch.dask_executor import require_dask
        from qdispatch_core.errors import QDispatchError

        try:
            require_dask()
        except QDispatchError as exc:
            raise SystemExit(f"qdispatch worker --dask: {exc}") from None
    if args.background:
        from qdispatch.background import hold_worker_lock

        if hold_worker_lock(settings) is None:  # another background worker is running
            return
    with App(settings) as app:
        worker = app.worker(start=False, threads=args.threads)
        worker.serve_forever(idle_exit=args.idle_exit)


if __name__ == "__main__":
    main()
