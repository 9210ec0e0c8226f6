"""Which IBM Quantum account a call uses, and one `QiskitRuntimeService` per account.

Credentials come from the job's options (`ibm_quantum_token` + `ibm_quantum_instance`) or,
when those are absent, from the runtime's own sources: the QISKIT_IBM_TOKEN environment
variable or an account saved with `QiskitRuntimeService.save_account` (~/.qiskit/qiskit-ibm.json).
Detecting those sources reads the environment and one small file; it imports nothing.

A service is created once per account (authentication takes several HTTP requests) and kept
under a fingerprint of the credentials, never under the credentials themselves.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOKEN_KEY = "ibm_quantum_token"
INSTANCE_KEY = "ibm_quantum_instance"
CREDENTIAL_KEYS = (TOKEN_KEY, INSTANCE_KEY)
CHANNEL = "ibm_quantum_platform"
TOKEN_ENV = "QISKIT_IBM_TOKEN"


def saved_accounts_file() -> Path:
    # Where the runtime's AccountManager reads saved accounts (expanduser at call time, so a
    # test or a service user with another HOME sees its own).
    return Path(os.path.expanduser("~")) / ".qiskit" / "qiskit-ibm.json"


def sdk_account_available() -> bool:
    """True when the runtime would find an account without being given one."""
    if os.environ.get(TOKEN_ENV):
        return True
    path = saved_accounts_file()
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(saved, dict) and any(isinstance(v, dict) for v in saved.values())


@dataclass(frozen=True, slots=True)
class Account:
    """Explicit credentials, or None for both: the runtime's environment or saved account."""

    token: str | None
    instance: str | None

    @property
    def explicit(self) -> bool:
        return self.token is not None

    @property
    def fingerprint(self) -> str:
        import hashlib  # loads OpenSSL: not for `qdispatch devices`, which fingerprints nothing

        if not self.explicit:
            env = os.environ.get(TOKEN_ENV, "")
            basis = f"sdk|{hashlib.sha256(env.encode()).hexdigest()}|{saved_accounts_file()}"
        else:
            basis = f"explicit|{self.token}|{self.instance}"
        return hashlib.sha256(basis.encode()).hexdigest()[:16]

    def __repr__(self) -> str:  # never show the token, even in a traceback
        kind = "explicit" if self.explicit else "sdk"
        return f"Account({kind}, fingerprint={self.fingerprint})"


def missing_keys(credentials: Mapping[str, str] | None) -> tuple[str, ...]:
    """Credential keys still needed; none when the runtime has its own account."""
    given = {k for k in CREDENTIAL_KEYS if (credentials or {}).get(k)}
    if given == set(CREDENTIAL_KEYS):
        return ()
    if not given and sdk_account_available():
        return ()
    return tuple(k for k in CREDENTIAL_KEYS if k not in given)


def account_for(credentials: Mapping[str, str] | None) -> Account | None:
    """The account a call should use, or None when no credentials are available anywhere."""
    if missing_keys(credentials):
        return None
    creds = credentials or {}
    if creds.get(TOKEN_KEY):
        return Account(creds[TOKEN_KEY], creds[INSTANCE_KEY])
    return Account(None, None)


class Services:
    """`QiskitRuntimeService` objects by account fingerprint (imports the runtime lazily)."""

    def __init__(self) -> None:
        self._services: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, account: Account) -> Any:
        key = account.fingerprint
        with self._lock:
            service = self._services.get(key)
        if service is not None:
            return service
        service = self._create(account)
        with self._lock:
            return self._services.setdefault(key, service)

    @staticmethod
    def _create(account: Account) -> Any:
        from qdispatch_ibm.errors import translated
        from qdispatch_ibm.sdk import quiet_sdk, require

        runtime = require("qiskit_ibm_runtime")
        with translated("connecting to IBM Quantum"), quiet_sdk():
            if account.explicit:
                return runtime.QiskitRuntimeService(
                    channel=CHANNEL, token=account.token, instance=account.instance
                )
            return runtime.QiskitRuntimeService()

    def forget(self, account: Account) -> None:
        with self._lock:
            self._services.pop(account.fingerprint, None)
