"""Request options (run contract §6): credentials split off, runtime options validated.

Credentials are every option key any provider uses for authentication. They are handed to the
job's execution and never stored in plain text; error messages name keys, never values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from qdispatch_core.domain.devices import Device, OptionSpec
from qdispatch_core.errors import BadRequest
from qdispatch_core.rules._shapes import describe, is_number
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


def _check_value(spec: OptionSpec, value: Any) -> Any:
    where = f"options[{spec.name!r}]"
    if spec.choices is not None:
        if value not in spec.choices:
            raise BadRequest(
                f"{where}: expected one of {', '.join(map(repr, spec.choices))}, "
                f"got {describe(value)}",
                field=where,
            )
        return value
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise BadRequest(f"{where}: expected true or false, got {describe(value)}", field=where)
        return value
    if spec.kind == "str":
        if not isinstance(value, str):
            raise BadRequest(f"{where}: expected a string, got {describe(value)}", field=where)
        return value
    if spec.kind == "int":
        if not (is_number(value) and float(value).is_integer()):
            raise BadRequest(f"{where}: expected an integer, got {describe(value)}", field=where)
        value = int(value)
    elif not (is_number(value) and math.isfinite(float(value))):
        raise BadRequest(f"{where}: expected a finite number, got {describe(value)}", field=where)
    else:
        value = float(value)
    low = spec.minimum if spec.minimum is not None else -math.inf
    high = spec.maximum if spec.maximum is not None else math.inf
    if not low <= value <= high:
        raise BadRequest(
            f"{where}: expected a value in [{low:g}, {high:g}], got {value}", field=where
        )
    return value


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
                    f"options[{key!r}]: expected a non-empty string", field=f"options[{key!r}]"
                )
            credentials[key] = value
            continue
        spec = device.option(key) if isinstance(key, str) else None
        if spec is None:
            hint = " (a credential of another provider)" if key in SECRET_OPTION_KEYS else ""
            known = [o.name for o in device.options] + list(device.credential_options)
            close = did_you_mean(key, known) if isinstance(key, str) and not hint else ""
            raise BadRequest(
                f"options[{key!r}]: unknown option for device {device.id}{hint}{close} "
                f"(accepted: {_accepted(device)})",
                field=f"options[{key!r}]",
            )
        runtime[key] = _check_value(spec, value)
    return runtime, credentials
