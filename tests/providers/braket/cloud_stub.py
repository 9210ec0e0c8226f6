"""Amazon Braket's cloud, offline: the real AwsDevice / AwsQuantumTask code against a Braket
client stubbed with botocore's Stubber, and S3 played by moto.

Each CreateQuantumTask the SDK sends is run on the Braket SDK's own local simulator (optionally
with readout noise, standing in for a noisy QPU), and its results.json is written to S3 where
the service would write it, in the service's format. Status sequences are queued per task.
"""

from __future__ import annotations

import datetime
import itertools
import json
import re
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import boto3
import numpy as np
from botocore.stub import ANY, Stubber
from braket.devices import LocalSimulator
from moto import mock_aws

ACCOUNT = "123456789012"
BUCKET = "qdispatch-test-results"
PREFIX = "jobs"
NOW = datetime.datetime(2026, 11, 24, tzinfo=datetime.UTC)
GET_TASK = "get_quantum_task"
_ids = itertools.count(1)


def task_arn(region: str) -> str:
    return (
        f"arn:aws:braket:{region}:{ACCOUNT}:quantum-task/00000000-0000-4000-8000-{next(_ids):012d}"
    )


def service_json(raw: Any) -> str:
    """A simulator's GateModelTaskResult as the service writes it: complex numbers as
    [re, im], no empty measurement lists (shots=0 results carry result types only)."""

    def encode(o: Any) -> Any:
        if isinstance(o, np.ndarray):
            return encode(o.tolist())
        if isinstance(o, complex | np.complexfloating):
            return [float(o.real), float(o.imag)]
        if isinstance(o, np.floating | np.integer):
            return o.item()
        if isinstance(o, list):
            return [encode(x) for x in o]
        if isinstance(o, dict):
            return {k: encode(v) for k, v in o.items()}
        return o

    if type(raw).__name__ == "ProgramSetTaskResult":
        return raw.json()
    data = json.loads(raw.json(exclude={"resultTypes"}, exclude_none=True))
    for key in ("measurements", "measuredQubits"):
        if not data.get(key):
            data.pop(key, None)
    data["resultTypes"] = [
        {"type": json.loads(rt.type.json()), "value": encode(rt.value)}
        for rt in (raw.resultTypes or [])
    ]
    return json.dumps(data)


def local_capabilities(
    *,
    header: str,
    paradigm: dict[str, Any],
    operations: Sequence[str],
    program_sets: bool = True,
    physical_qubits: bool = False,
    shots_range: tuple[int, int] = (1, 100_000),
    result_types: Sequence[dict[str, Any]] = (),
    extra_service: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    action: dict[str, Any] = {
        "braket.ir.openqasm.program": {
            "actionType": "braket.ir.openqasm.program",
            "version": ["1"],
            "supportedOperations": list(operations),
            "supportedResultTypes": list(result_types)
            or [
                {
                    "name": "Sample",
                    "observables": ["x", "y", "z", "h", "i"],
                    "minShots": 1,
                    "maxShots": shots_range[1],
                }
            ],
            "supportPhysicalQubits": physical_qubits,
        }
    }
    if program_sets:
        action["braket.ir.openqasm.program_set"] = {
            "actionType": "braket.ir.openqasm.program_set",
            "version": ["1"],
            "maximumExecutables": 100,
            "maximumTotalShots": 200_000,
        }
    return {
        "braketSchemaHeader": {"name": header, "version": "1"},
        "service": {
            "braketSchemaHeader": {
                "name": "braket.device_schema.device_service_properties",
                "version": "1",
            },
            "executionWindows": [
                {"executionDay": "Everyday", "windowStartHour": "00:00", "windowEndHour": "23:59"}
            ],
            "shotsRange": list(shots_range),
            "updatedAt": "2026-11-24T00:00:00",
            **(extra_service or {}),
        },
        "action": action,
        "paradigm": paradigm,
        "deviceParameters": {},
    }


def qpu_paradigm(qubits: int, edges: Sequence[tuple[int, int]] | None) -> dict[str, Any]:
    graph: dict[str, list[str]] = {}
    for a, b in edges or ():
        graph.setdefault(str(a), []).append(str(b))
    return {
        "braketSchemaHeader": {
            "name": "braket.device_schema.gate_model_qpu_paradigm_properties",
            "version": "1",
        },
        "qubitCount": qubits,
        "nativeGateSet": ["cz", "prx"],
        "connectivity": {"fullyConnected": edges is None, "connectivityGraph": graph},
    }


def simulator_paradigm(qubits: int) -> dict[str, Any]:
    return {
        "braketSchemaHeader": {
            "name": "braket.device_schema.simulators.gate_model_simulator_paradigm_properties",
            "version": "1",
        },
        "qubitCount": qubits,
    }


_MEASURE = re.compile(r"^(b\[\d+\] = measure (\S+);)$", re.MULTILINE)


def with_readout_noise(source: str, flip: float) -> str:
    """The stand-in QPU's imperfection: every measured bit flips with probability `flip`."""
    return _MEASURE.sub(lambda m: f"#pragma braket noise bit_flip({flip}) {m[2]}\n{m[1]}", source)


class BraketCloud:
    """One stubbed Braket client (in one region) and the S3 bucket its tasks write to."""

    def __init__(
        self, region: str, readout_flip: float = 0.0, duration_ms: int | None = None
    ) -> None:
        self.region = region
        self.readout_flip = readout_flip
        self.duration_ms = duration_ms
        self.client = boto3.client("braket", region_name=region)
        self.stub = Stubber(self.client)
        self.s3 = boto3.client("s3", region_name=region)
        self.created: list[dict[str, Any]] = []  # CreateQuantumTask parameters, as sent
        self._arns: deque[str] = deque()
        self.tasks: dict[str, dict[str, Any]] = {}
        self.client.meta.events.register(
            "provide-client-params.braket.CreateQuantumTask", self._on_create
        )
        self.stub.activate()

    # -- what the fake service answers ---------------------------------------------------

    def device(
        self,
        arn: str,
        name: str,
        provider: str,
        kind: str,
        capabilities: dict,
        status: str = "ONLINE",
    ) -> None:
        self.stub.add_response(
            "get_device",
            {
                "deviceArn": arn,
                "deviceName": name,
                "providerName": provider,
                "deviceType": kind,
                "deviceStatus": status,
                "deviceCapabilities": json.dumps(capabilities),
            },
            {"deviceArn": arn},
        )

    def expect_create(self, count: int = 1) -> list[str]:
        arns = [task_arn(self.region) for _ in range(count)]
        for arn in arns:
            self._arns.append(arn)
            self.stub.add_response(
                "create_quantum_task",
                {"quantumTaskArn": arn},
                {
                    "deviceArn": ANY,
                    "shots": ANY,
                    "outputS3Bucket": BUCKET,
                    "outputS3KeyPrefix": PREFIX,
                    "action": ANY,
                },
            )
        return arns

    def expect_create_with_parameters(self, count: int = 1) -> list[str]:
        arns = [task_arn(self.region) for _ in range(count)]
        for arn in arns:
            self._arns.append(arn)
            self.stub.add_response(
                "create_quantum_task",
                {"quantumTaskArn": arn},
                {
                    "deviceArn": ANY,
                    "shots": ANY,
                    "outputS3Bucket": BUCKET,
                    "outputS3KeyPrefix": PREFIX,
                    "action": ANY,
                    "deviceParameters": ANY,
                },
            )
        return arns

    def states(self, arn: str, *states: str, reason: str | None = None) -> None:
        """Queue GetQuantumTask answers for `arn`, one per call."""
        for state in states:
            self.stub.add_response(
                GET_TASK,
                self.metadata(arn, state, reason),
                {
                    "quantumTaskArn": arn,
                    "additionalAttributeNames": ["QueueInfo"],
                },
            )

    def cancelled(self, arn: str) -> None:
        self.stub.add_response(
            "cancel_quantum_task",
            {"quantumTaskArn": arn, "cancellationStatus": "CANCELLING"},
            {"quantumTaskArn": arn},
        )

    def error(self, method: str, code: str, message: str, status: int = 400) -> None:
        self.stub.add_client_error(
            method, service_error_code=code, service_message=message, http_status_code=status
        )

    def metadata(self, arn: str, state: str, reason: str | None = None) -> dict[str, Any]:
        task = self.tasks.get(arn, {})
        data = {
            "quantumTaskArn": arn,
            "status": state,
            "deviceArn": task.get(
                "deviceArn", "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
            ),
            "deviceParameters": "{}",
            "shots": task.get("shots", 0),
            "outputS3Bucket": BUCKET,
            "outputS3Directory": f"{PREFIX}/{arn.rsplit('/', 1)[1]}",
            "createdAt": NOW,
            # Without it the SDK fails on FAILED tasks (KeyError on actionType).
            "actionMetadata": {"actionType": task.get("actionType", "braket.ir.openqasm.program")},
        }
        if reason:
            data["failureReason"] = reason
        return data

    # -- the stand-in's execution --------------------------------------------------------

    def _on_create(self, params: dict[str, Any], **_: Any) -> None:
        if not self._arns:  # the stub answers this call with an error
            return
        arn = self._arns.popleft()
        self.created.append(dict(params))
        action = json.loads(params["action"])
        self.tasks[arn] = {
            "deviceArn": params["deviceArn"],
            "shots": params["shots"],
            "actionType": action["braketSchemaHeader"]["name"],
        }
        raw = self._simulate(action, params["shots"])
        key = f"{PREFIX}/{arn.rsplit('/', 1)[1]}/results.json"
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=service_json(raw).encode())

    def _noisy(self, source: str) -> str:
        return with_readout_noise(source, self.readout_flip) if self.readout_flip else source

    def _simulate(self, action: dict[str, Any], shots: int) -> Any:
        from braket.ir.openqasm import Program, ProgramSet

        noisy = bool(self.readout_flip)
        simulator = LocalSimulator("braket_dm" if noisy else "braket_sv")._delegate
        if action["braketSchemaHeader"]["name"] == "braket.ir.openqasm.program_set":
            programs = [
                Program(source=self._noisy(p["source"]), inputs=p.get("inputs") or {})
                for p in action["programs"]
            ]
            return simulator.run(ProgramSet(programs=programs), shots=shots)
        program = Program(source=self._noisy(action["source"]), inputs=action.get("inputs") or {})
        raw = simulator.run(program, shots=shots)
        if self.duration_ms is not None:
            from braket.task_result import AdditionalMetadata, SimulatorMetadata

            raw.additionalMetadata = AdditionalMetadata(
                action=raw.additionalMetadata.action,
                simulatorMetadata=SimulatorMetadata(executionDuration=self.duration_ms),
            )
        return raw


@contextmanager
def braket_cloud(region: str, **kwargs: Any) -> Iterator[BraketCloud]:
    """moto's AWS (S3, STS) with a results bucket, and a stubbed Braket client in `region`."""
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        cloud = BraketCloud(region, **kwargs)
        yield cloud
        cloud.stub.deactivate()


def session_factory(clouds: Mapping[str, BraketCloud]):
    """A BraketBackend session factory: the SDK's AwsSession on the stubbed client of the
    requested region, so a wrong region fails loudly instead of reaching AWS."""
    from braket.aws import AwsSession

    def factory(credentials: Mapping[str, str], region: str) -> Any:
        cloud = clouds[region]
        return AwsSession(
            boto_session=boto3.Session(region_name=region), braket_client=cloud.client
        )

    return factory
