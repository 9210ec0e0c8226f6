"""Provider credentials for `qdispatch run`, kept off the command line.

`--option ibm_quantum_token=…` works, but the token then sits in `ps` output and in the shell's
history. The documented ways are:

- an environment variable named after the option key in capitals (`IBM_QUANTUM_TOKEN`,
  `AWS_ACCESS_KEY_ID`, `IONQ_API_KEY`, …);
- `--credentials-file FILE` (or `$QDISPATCH_CREDENTIALS_FILE`): a file only its owner can read
  (mode 0600 or stricter; anything else is refused), holding `KEY=VALUE` lines (`#` comments,
  blank lines and an `export ` prefix allowed, values optionally quoted) or one JSON object.
  Keys are option keys or their environment names.

Only the keys the chosen device needs are taken (a file may hold several providers'); an
explicit `--option` wins over the file, the file over the environment. Values are sent with the
job, which seals them (never stored in plain text). No message here ever quotes a value.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path

import typer

FILE_ENVIRONMENT = "QDISPATCH_CREDENTIALS_FILE"
OPTION = "--credentials-file"


def environment_name(key: str) -> str:
    """The environment variable a credential option is read from: the key in capitals."""
    return key.upper()


def from_environment(keys: Sequence[str], environ: Mapping[str, str] | None = None) -> dict:
    environ = os.environ if environ is None else environ
    return {k: environ[environment_name(k)] for k in keys if environ.get(environment_name(k))}


def _refuse(message: str) -> typer.BadParameter:
    return typer.BadParameter(message, param_hint=OPTION)


def _check_private(path: Path) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _refuse(f"no file {str(path)!r}") from None
    except OSError as exc:
        raise _refuse(f"cannot read {str(path)!r}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(f"{str(path)!r} is not a regular file")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise _refuse(
            f"{str(path)!r} can be read or written by other users (mode {mode:04o}); a "
            f"credentials file must be private to you: chmod 600 {path}"
        )


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _parse_lines(text: str, path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").lstrip()
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            # The line may be a bare token: say where, never what.
            raise _refuse(f"line {number} of {str(path)!r} is not KEY=VALUE")
        found[key.strip()] = _unquote(value)
    return found


def _parse_json(text: str, path: Path) -> dict[str, str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _refuse(
            f"{str(path)!r} is not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise _refuse(f"{str(path)!r} must hold one JSON object of text values")
    return data


def read_file(path: Path, device_keys: Sequence[str] = ()) -> dict[str, str]:
    """The credentials in `path`, by option key; a usage error (exit 2) for a file others can
    read, an unreadable or malformed file, or a key that is no credential (of any provider, or
    of the device at hand)."""
    from qdispatch_core.rules.options import SECRET_OPTION_KEYS

    known = SECRET_OPTION_KEYS | set(device_keys)
    _check_private(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise _refuse(f"cannot read {str(path)!r} as UTF-8 text") from None
    raw = _parse_json(text, path) if text.lstrip().startswith("{") else _parse_lines(text, path)
    by_environment = {environment_name(k): k for k in known}
    credentials: dict[str, str] = {}
    for key, value in raw.items():
        option = key if key in known else by_environment.get(key)
        if option is None:
            accepted = ", ".join(sorted(known))
            raise _refuse(
                f"{str(path)!r} holds {key[:40]!r}, which is no credential; accepted keys: "
                f"{accepted} (or the same in capitals)"
            )
        credentials[option] = value
    return credentials


def file_path(given: Path | None) -> Path | None:
    if given is not None:
        return given
    configured = os.environ.get(FILE_ENVIRONMENT)
    return Path(configured) if configured else None


def for_device(
    needed: Sequence[str], given: Mapping[str, object], credentials_file: Path | None
) -> dict[str, str]:
    """The credentials to add to a run's options: the device's keys that `--option` did not
    give, from the file, else from the environment."""
    path = file_path(credentials_file)
    from_file = read_file(path, needed) if path is not None else {}  # checked even if unneeded
    missing = [k for k in needed if k not in given]
    found = from_environment(missing)
    found.update({k: from_file[k] for k in missing if from_file.get(k)})
    return found
