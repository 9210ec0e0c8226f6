"""Live credentials are masked in every log record a handler with RedactingFilter receives."""

from __future__ import annotations

import io
import logging
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qdispatch_core.redaction import (
    MASK,
    MIN_SECRET_LENGTH,
    RedactingFilter,
    SecretRegistry,
    live_secrets,
)

SECRET = "AKIAPLANTED7Q3XK2M9Z"


@pytest.fixture
def logged():
    """A logger whose handler masks `registry`'s values; returns (logger, registry, output)."""
    registry = SecretRegistry()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactingFilter(registry))
    logger = logging.getLogger(f"test.redaction.{id(registry)}")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield logger, registry, out
    logger.removeHandler(handler)


def test_a_live_secret_is_masked_in_messages_arguments_and_tracebacks(logged):
    logger, registry, out = logged
    with live_secrets({"aws_access_key_id": SECRET}.values(), registry):
        logger.debug("headers: %s", {"Authorization": f"AWS4 Credential={SECRET}/x"})
        logger.info(f"key {SECRET} in an f-string")
        try:
            raise RuntimeError(f"refused {SECRET}")
        except RuntimeError:
            logger.exception("failed")
    said = out.getvalue()
    assert SECRET not in said
    assert said.count(MASK) == 3
    assert "RuntimeError: refused ***" in said


def test_after_the_block_the_value_is_no_longer_masked(logged):
    logger, registry, out = logged
    with live_secrets([SECRET], registry):
        pass
    logger.info("now %s", SECRET)
    assert SECRET in out.getvalue() and registry.values == ()


def test_two_holders_of_one_value_keep_it_masked_until_both_end(logged):
    logger, registry, out = logged
    first, second = threading.Event(), threading.Event()

    def holder(done: threading.Event) -> None:
        with live_secrets([SECRET], registry):
            done.wait(5)

    threads = [threading.Thread(target=holder, args=(e,)) for e in (first, second)]
    for t in threads:
        t.start()
    while len(registry._counts) == 0 or registry._counts[SECRET] < 2:
        pass
    first.set()
    threads[0].join()
    logger.info("still %s", SECRET)
    second.set()
    threads[1].join()
    assert SECRET not in out.getvalue() and registry.values == ()


def test_short_and_non_text_values_are_not_registered():
    registry = SecretRegistry()
    with live_secrets(["us-east-1"[:7], 12345678, None, "x" * MIN_SECRET_LENGTH], registry):
        assert registry.values == ("x" * MIN_SECRET_LENGTH,)


def test_a_secret_containing_another_is_masked_whole():
    registry = SecretRegistry()
    registry.add(["abcdefgh", "abcdefgh-and-more"])
    assert registry.scrub("is abcdefgh-and-more") == f"is {MASK}"


@given(st.text(min_size=MIN_SECRET_LENGTH, max_size=40), st.text(max_size=40), st.text(max_size=40))
def test_no_registered_value_survives_scrubbing(secret, before, after):
    registry = SecretRegistry()
    registry.add([secret])
    assert secret not in registry.scrub(before + secret + after) or secret in MASK


def test_a_record_without_live_secrets_is_left_untouched(logged):
    logger, _, out = logged
    logger.info("plain %s %d", "text", 3)
    assert out.getvalue() == "INFO plain text 3\n"
