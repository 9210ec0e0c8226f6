"""One logging set-up for every process (qdispatch.logs), and the limits read from settings."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

import pytest

from qdispatch.logs import LevelPolicy, make_handler
from qdispatch.settings import MCP_RESULT_BYTES_MAX, Settings
from qdispatch_core.redaction import live_secrets


def record(name: str, level: int, message: str = "m") -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, message, None, None)


@pytest.mark.parametrize(
    ("name", "level", "shown_at_debug", "shown_at_info"),
    [
        ("qdispatch.worker", logging.DEBUG, True, False),
        ("qdispatch_mcp.access", logging.INFO, True, True),
        ("uvicorn.error", logging.INFO, True, True),
        ("uvicorn.error", logging.DEBUG, False, False),
        ("botocore.endpoint", logging.DEBUG, False, False),
        ("sse_starlette.sse", logging.DEBUG, False, False),
        ("httpx", logging.INFO, False, False),
        ("mcp.server.streamable_http_manager", logging.INFO, False, False),
        ("qiskit.transpiler", logging.INFO, False, False),
        ("botocore.credentials", logging.WARNING, True, True),
    ],
)
def test_other_libraries_stay_at_warning_even_at_debug(name, level, shown_at_debug, shown_at_info):
    assert LevelPolicy(logging.DEBUG).filter(record(name, level)) is shown_at_debug
    assert LevelPolicy(logging.INFO).filter(record(name, level)) is shown_at_info


def test_the_handler_masks_live_credentials():
    out = io.StringIO()
    handler = make_handler("DEBUG", out)
    secret = "ionq-PLANTED-0a1b2c3d4e"
    with live_secrets([secret]):
        handler.handle(record("qdispatch.worker", logging.INFO, f"job failed: key {secret}"))
    assert secret not in out.getvalue() and "key ***" in out.getvalue()


def test_a_process_logs_only_to_stderr_and_only_ours_below_warning():
    script = (
        "import logging\n"
        "from qdispatch.logs import configure_logging\n"
        "configure_logging('DEBUG')\n"
        "logging.getLogger('botocore.endpoint').debug('signed headers')\n"
        "logging.getLogger('sse_starlette.sse').debug('chunk')\n"
        "logging.getLogger('qdispatch.worker').debug('ours')\n"
        "logging.getLogger('urllib3').warning('a warning')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "ours" in done.stderr and "a warning" in done.stderr
    assert "signed headers" not in done.stderr and "chunk" not in done.stderr


def test_limits_come_from_the_environment():
    settings = Settings.from_env(
        {
            "QDISPATCH_HOME": "/tmp/x",
            "QDISPATCH_MCP_RESULT_BYTES": "65536",
            "QDISPATCH_MCP_CALLS_PER_USER": "3",
            "QDISPATCH_MCP_CALL_WAIT_SECONDS": "0.5",
            "QDISPATCH_MCP_SESSIONS_PER_USER": "2",
            "QDISPATCH_MCP_AUTH_THREADS": "4",
            "QDISPATCH_MCP_SHUTDOWN_GRACE_SECONDS": "1",
            "QDISPATCH_JOB_CRASH_RETRIES": "0",
        }
    )
    assert settings.mcp_result_bytes == 65536 and settings.mcp_calls_per_user == 3
    assert settings.mcp_call_wait_seconds == 0.5 and settings.mcp_sessions_per_user == 2
    assert settings.mcp_auth_threads == 4 and settings.mcp_shutdown_grace_seconds == 1
    assert settings.job_crash_retries == 0
    defaults = Settings.from_env({"QDISPATCH_HOME": "/tmp/x"})
    assert (defaults.mcp_result_bytes, defaults.job_crash_retries) == (512 * 1024, 2)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("QDISPATCH_MCP_CALLS_PER_USER", "0", "at least 1"),
        ("QDISPATCH_MCP_CALLS_PER_USER", "many", "expected a whole number"),
        ("QDISPATCH_MCP_CALL_WAIT_SECONDS", "nan", "at least 0"),
        ("QDISPATCH_MCP_RESULT_BYTES", str(MCP_RESULT_BYTES_MAX + 1), "at most"),
        ("QDISPATCH_JOB_CRASH_RETRIES", "-1", "at least 0"),
    ],
)
def test_a_bad_limit_stops_the_process_naming_the_variable(variable, value, expected):
    with pytest.raises(ValueError, match=variable) as error:
        Settings.from_env({"QDISPATCH_HOME": "/tmp/x", variable: value})
    assert expected in str(error.value)
