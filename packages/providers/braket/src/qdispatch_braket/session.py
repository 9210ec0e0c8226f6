"""AWS sessions for Braket: credentials from the job's options or the standard AWS chain.

Credentials are passed straight into a boto3 Session and go nowhere else: never logged, never
in messages. Checking whether the chain has credentials reads environment variables and the
shared config files only; it never asks the EC2/container metadata services (a network probe
on every submission), so on an instance role give the keys explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from qdispatch_braket.sdk import require

DEFAULT_REGION = "us-east-1"
KEY_PAIR = ("aws_access_key_id", "aws_secret_access_key")
# The chain's providers that only read local files or the environment.
_LOCAL_PROVIDERS = ("env", "shared-credentials-file", "config-file", "boto-config")
# Profile settings that obtain credentials some other way (roles, SSO, processes).
_INDIRECT_SETTINGS = (
    "role_arn",
    "credential_source",
    "credential_process",
    "sso_session",
    "sso_start_url",
    "web_identity_token_file",
)
_INDIRECT_ENV = (
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)

SessionFactory = Callable[[Mapping[str, str], str], Any]  # (credentials, region) -> AwsSession


def missing_keys(credentials: Mapping[str, str]) -> tuple[str, ...]:
    """The credential keys still needed: none when the options carry the key pair or the AWS
    chain (environment, profile files) has credentials."""
    given = [k for k in KEY_PAIR if credentials.get(k)]
    if len(given) == 1:  # half a pair is a mistake, not a reason to fall back to the chain
        return tuple(k for k in KEY_PAIR if k not in given)
    if given or chain_has_credentials():
        return ()
    return KEY_PAIR


def chain_has_credentials() -> bool:
    if any(os.environ.get(k) for k in _INDIRECT_ENV):
        return True
    botocore_session = require("botocore.session")
    session = botocore_session.Session()
    resolver = session.get_component("credential_provider")
    providers = [p for p in resolver.providers if p.METHOD in _LOCAL_PROVIDERS]
    for provider in providers:
        try:
            if provider.load() is not None:
                return True
        except Exception:  # a malformed file: the chain would fail too
            continue
    try:
        scoped = session.get_scoped_config()
    except Exception:  # e.g. AWS_PROFILE names a profile that does not exist
        return False
    return any(k in scoped for k in _INDIRECT_SETTINGS)


def region_for(device_region: str | None, credentials: Mapping[str, str]) -> str:
    """A regional device must be reached in its own region (another region makes the SDK copy
    the session); regionless ones (SV1, DM1) use the caller's region."""
    if device_region:
        return device_region
    if credentials.get("aws_default_region"):
        return credentials["aws_default_region"]
    boto3 = require("boto3")
    return boto3.session.Session().region_name or DEFAULT_REGION


def boto_session(credentials: Mapping[str, str], region: str) -> Any:
    boto3 = require("boto3")
    if credentials.get("aws_access_key_id") and credentials.get("aws_secret_access_key"):
        return boto3.Session(
            aws_access_key_id=credentials["aws_access_key_id"],
            aws_secret_access_key=credentials["aws_secret_access_key"],
            aws_session_token=credentials.get("aws_session_token") or None,
            region_name=region,
        )
    return boto3.Session(region_name=region)


def default_session_factory(credentials: Mapping[str, str], region: str) -> Any:
    """A Braket AwsSession in `region` with these credentials (or the chain's)."""
    aws = require("braket.aws")
    return aws.AwsSession(boto_session=boto_session(credentials, region))


def task_region(task_arn: str) -> str:
    """'arn:aws:braket:us-west-1:123456789012:quantum-task/...' -> 'us-west-1'."""
    parts = task_arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "braket" or not parts[3]:
        raise ValueError(task_arn)
    return parts[3]
