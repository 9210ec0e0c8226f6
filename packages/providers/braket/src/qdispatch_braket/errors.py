"""Braket, botocore and SDK failures as ProviderErrors with messages a user can act on.

Messages name what went wrong and what to do; they never carry credentials (the worker scrubs
them again, as a safety net).
"""

from __future__ import annotations

from qdispatch_core.errors import BadRequest, ProviderError, ProviderUnavailable

# Braket API error codes -> what the user should do about them.
ADVICE: dict[str, str] = {
    "AccessDeniedException": "the AWS credentials may not use Amazon Braket here: check the "
    "IAM policy (AmazonBraketFullAccess or equivalent) and that Braket is enabled in the region",
    "UnrecognizedClientException": "the AWS access key is not valid: check aws_access_key_id",
    "InvalidSignatureException": "the AWS secret key does not match: check aws_secret_access_key",
    "ExpiredTokenException": "the AWS session token has expired: refresh aws_session_token",
    "ValidationException": "Amazon Braket rejected the request",
    "DeviceOfflineException": "the device is offline: try again later or pick another device",
    "DeviceRetiredException": "the device is retired: pick another device",
    "ServiceQuotaExceededException": "an Amazon Braket quota is exhausted (concurrent tasks or "
    "spending limit): wait for running tasks or raise the quota",
    "ThrottlingException": "Amazon Braket is throttling requests",
    "ResourceNotFoundException": "Amazon Braket does not know this resource",
    "InternalServiceException": "Amazon Braket had an internal error",
    "NoSuchBucket": "the S3 bucket for results does not exist: create it or set options "
    "s3_bucket to one you own",
    "NoSuchKey": "the task's results are not in S3 (yet): they may have been deleted",
}


# Passing troubles: while a job is followed, the worker asks again for a while.
TRANSIENT_CODES = frozenset(
    {"ThrottlingException", "InternalServiceException", "ServiceUnavailable", "RequestTimeout"}
)
TRANSIENT_ERRORS = frozenset({"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"})


def client_error_code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def _client_message(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Message") or "").strip()


def as_provider_error(exc: BaseException, doing: str) -> ProviderError:
    """`doing`: what qdispatch was doing, e.g. 'creating a quantum task on aws_sv1'."""
    if isinstance(exc, ProviderError | BadRequest):
        return exc if isinstance(exc, ProviderError) else ProviderError(exc.message)
    name = type(exc).__name__
    code = client_error_code(exc)
    if code is not None:
        advice = ADVICE.get(code, "Amazon Braket refused the request")
        detail = _client_message(exc)
        kind = ProviderUnavailable if code in TRANSIENT_CODES else ProviderError
        return kind(f"{doing} failed: {advice} ({code}{': ' + detail if detail else ''})")
    if name in ("NoCredentialsError", "PartialCredentialsError"):
        return ProviderError(
            f"{doing} failed: no AWS credentials: pass aws_access_key_id and "
            "aws_secret_access_key in options, or configure the AWS CLI (environment or profile)"
        )
    if name in TRANSIENT_ERRORS:
        return ProviderUnavailable(f"{doing} failed: cannot reach AWS ({exc}); check the network")
    if name == "NoRegionError":
        return ProviderError(
            f"{doing} failed: no AWS region: pass aws_default_region in options or set "
            "AWS_DEFAULT_REGION"
        )
    return ProviderError(f"{doing} failed ({name}): {exc}")
