"""Request options (run contract §6): credentials split off, runtime options validated.

Credentials are every option key any provider uses for authentication. They are handed to the
job's execution and never stored in plain text. Error messages name keys, never values: not a
credential's, and not a refused option's either (a token pasted into the wrong option is still
a token), only what kind of value it was.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from qdispatch_core.domain.devices import Device, OptionSpec
from qdispatch_core.errors import BadRequest
from qdispatch_core.rules._shapes import as_finite, kind, quote
from qdispatch_core.rules.suggest import did_you_mean

CREDENTIAL_KEYS: dict[str, tuple[str, ...]] = {
    "ibm": ("ibm_quantum_token", "ibm_quantum_instance"),
    "braket": (
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_default_region",
        "aws_session_token",
    ),
    "ionq": ("ionq_api_key",),
}
SECRET_OPTION_KEYS = frozenset(k for keys in CREDENTIAL_KEYS.values() for k in keys)


def redact(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options with every credential removed: what may be stored, logged or returned."""
    return {k: v for k, v in options.items() if k not in SECRET_OPTION_KEYS}


def _integer(value: Any) -> int | None:
    """An integer option's value: an int (not a bool), or a float with no fractional part."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = as_finite(value)
    return int(number) if number is not None and number.is_integer() else None


def _check_value(spec: OptionSpec, value: Any) -> Any:
    where = f"options[{quote(spec.name)}]"
    if spec.choices is not None:
        if not _hashable_choice(value, spec.choices):
            raise BadRequest(
                f"{where}: expected one of {', '.join(map(repr, spec.choices))}, "
                f"got {kind(value)} that is none of them",
                field=where,
            )
        return value
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise BadRequest(f"{where}: expected true or false, got {kind(value)}", field=where)
        return value
    if spec.kind == "str":
        if not isinstance(value, str):
            raise BadRequest(f"{where}: expected a string, got {kind(value)}", field=where)
        return value
    if spec.kind == "int":
        number: float | None = _integer(value)
        if number is None:
            raise BadRequest(f"{where}: expected an integer, got {kind(value)}", field=where)
    else:
        number = as_finite(value)
        if number is None:
            raise BadRequest(f"{where}: expected a finite number, got {kind(value)}", field=where)
    low = spec.minimum if spec.minimum is not None else -math.inf
    high = spec.maximum if spec.maximum is not None else math.inf
    if not low <= number <= high:
        raise BadRequest(
            f"{where}: expected a value in [{low:g}, {high:g}], got {kind(value)} outside it",
            field=where,
        )
    return number


def _hashable_choice(value: Any, choices: Any) -> bool:
    # `in` compares with ==; True == 1 would let a boolean pass for the choice 1.
    return any(type(value) is type(c) and value == c for c in choices)


def _accepted(device: Device) -> str:
    names = [o.describe() for o in device.options] + list(device.credential_options)
    return ", ".join(names) if names else "none"


def split_options(options: Any, device: Device) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate `options` for `device`: (runtime options, credentials). Unknown keys are a 400."""
    if options is None:
        return {}, {}
    if not isinstance(options, Mapping):
        raise BadRequest(
            f"options: expected an object of key/value pairs, got {type(options).__name__}",
            field="options",
        )
    runtime: dict[str, Any] = {}
    credentials: dict[str, str] = {}
    for key, value in options.items():
        if key in device.credential_options:
            if not isinstance(value, str) or not value:
                raise BadRequest(
                    f"options[{key!r}]: expected a non-empty string, got {kind(value)}",
                    field=f"options[{key!r}]",
                )
            credentials[key] = value
            continue
        spec = device.option(key) if isinstance(key, str) else None
        if spec is None:
            hint = " (a credential of another provider)" if key in SECRET_OPTION_KEYS else ""
            known = [o.name for o in device.options] + list(device.credential_options)
            close = did_you_mean(key, known) if isinstance(key, str) and not hint else ""
            raise BadRequest(
                f"options[{quote(key)}]: unknown option for device {device.id}{hint}{close} "
                f"(accepted: {_accepted(device)})",
                field=f"options[{quote(key)}]",
            )
        runtime[key] = _check_value(spec, value)
    return runtime, credentials
