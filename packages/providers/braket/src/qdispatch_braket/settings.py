"""A job's runtime options (already validated against the device's OptionSpecs), resolved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qdispatch_braket.programs import DEFAULT_OPTIMIZATION_LEVEL, NOISELESS, Noise

DEFAULT_S3_PREFIX = "qdispatch"


@dataclass(frozen=True, slots=True)
class RunSettings:
    optimization_level: int = DEFAULT_OPTIMIZATION_LEVEL
    seed_transpiler: int | None = None
    noise: Noise = NOISELESS
    s3_bucket: str | None = None
    s3_prefix: str | None = None

    @classmethod
    def resolve(cls, options: Mapping[str, Any]) -> RunSettings:
        return cls(
            optimization_level=int(options.get("optimization_level", DEFAULT_OPTIMIZATION_LEVEL)),
            seed_transpiler=options.get("seed_transpiler"),
            noise=Noise(
                float(options.get("readout_error", 0.0)),
                float(options.get("depolarizing_error", 0.0)),
            ),
            s3_bucket=options.get("s3_bucket") or None,
            s3_prefix=options.get("s3_prefix") or None,
        )
