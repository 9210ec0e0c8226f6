"""The progress bar `JobHandle.wait()` shows: tqdm's `auto` front end (a widget in notebooks,
text on a terminal), moving with the job's executables done / total.

It appears only when the wait lasts (jobs that finish at once leave no bar behind), and by
default only where someone watches: in a notebook kernel or with a terminal on stderr.
"""

from __future__ import annotations

import sys
import time
from typing import Any

SHOW_AFTER_SECONDS = 0.3


def interactive() -> bool:
    """A Jupyter kernel, or a terminal on stderr."""
    shell = sys.modules.get("IPython")
    if shell is not None and "ipykernel" in sys.modules:
        get = getattr(shell, "get_ipython", None)
        if get is not None and get() is not None:
            return True
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


class WaitProgress:
    """Follows one job while `wait()` polls it; a no-op when disabled."""

    def __init__(self, job_id: str, enabled: bool | None) -> None:
        self.job_id = job_id
        self.enabled = interactive() if enabled is None else enabled
        self._started = time.monotonic()
        self._bar: Any = None

    def update(self, job: Any) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            if time.monotonic() - self._started < SHOW_AFTER_SECONDS:
                return
            self._bar = self._open(job)
        total = job.progress.total or None
        if total is not None and self._bar.total != total:
            self._bar.total = total
        self._bar.n = job.progress.done
        self._bar.set_postfix_str(job.status, refresh=False)
        self._bar.refresh()

    def close(self, job: Any | None = None) -> None:
        if self._bar is None:
            return
        if job is not None:
            self.update(job)
        self._bar.close()
        self._bar = None

    def _open(self, job: Any) -> Any:
        import warnings

        with warnings.catch_warnings():
            # tqdm.auto warns (and falls back to text) where ipywidgets is missing
            warnings.simplefilter("ignore")
            from tqdm.auto import tqdm

        return tqdm(
            total=job.progress.total or None,
            desc=self.job_id,
            unit="executable",
            leave=True,
            dynamic_ncols=True,
        )
