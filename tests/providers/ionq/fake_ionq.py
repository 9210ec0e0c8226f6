"""A local IonQ: the v0.4 job API that cirq-ionq and qdispatch's IonQ provider speak, served by
the standard library's HTTP server on 127.0.0.1, computing answers with cirq's simulator.

Each created job's circuit(s) are read back from IonQ's JSON (`ionq.circuit.v1` and
`ionq.multi-circuit.v1`, QIS gates) into cirq and simulated, so results depend on what was sent:
probabilities keyed by integers with qubit 0 least significant, as IonQ's. The ideal simulator
answers exact probabilities; a noisy model or a QPU applies a readout error and samples `shots`,
answering frequencies (unsampled when debiasing is on). Every request is recorded, and every
request must carry `Authorization: apiKey <the key>`, else 401. The estimate endpoint can be
made to fail (`estimate_error`, a status code) or to hold its answer until an event is set
(`estimate_held`).

Noise, readout only (gates are perfect here):
- the simulator with a noise model misreads each qubit independently, with the model's rates in
  NOISE_MODEL_READOUT (P(read 1 | 0) and P(read 0 | 1) differ, and they differ between qubits:
  see `readout_rates`), then samples `shots` seeded by the job's `noise.seed` (0 without one)
  and the circuit's place in the job. The rates are several times IonQ's real readout errors,
  so that a few thousand shots show them, and a correction that swapped the two rates or two
  qubits would miss;
- a QPU misreads every qubit with the symmetric rate `readout_error` given to the server.
"""

from __future__ import annotations

import json
import math
import re
import threading
import uuid
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import cirq
import numpy as np

API = "/v0.4"
TERMINAL = ("completed", "canceled", "failed", "deleted")
ONE_QUBIT = {
    "x": cirq.X,
    "y": cirq.Y,
    "z": cirq.Z,
    "h": cirq.H,
    "s": cirq.S,
    "si": cirq.S**-1,
    "t": cirq.T,
    "ti": cirq.T**-1,
    "v": cirq.X**0.5,
    "vi": cirq.X**-0.5,
}
ROTATIONS = {"rx": cirq.rx, "ry": cirq.ry, "rz": cirq.rz}
PARITY = {"xx": cirq.XXPowGate, "yy": cirq.YYPowGate, "zz": cirq.ZZPowGate}
# Per noise model: (P(read 1 | prepared 0), P(read 0 | prepared 1)) of qubit 0; see readout_rates
NOISE_MODEL_READOUT = {
    "aria-1": (0.03, 0.06),
    "aria-2": (0.03, 0.06),
    "forte-1": (0.02, 0.04),
    "forte-enterprise-1": (0.02, 0.04),
}
DEFAULT_BACKENDS = (
    {"backend": "simulator", "status": "available", "qubits": 29},
    {"backend": "qpu.forte-1", "status": "available", "qubits": 36},
    {"backend": "qpu.forte-enterprise-1", "status": "unavailable", "qubits": 36},
    {"backend": "qpu.aria-1", "status": "retired", "qubits": 25},
    {"backend": "qpu.tempo-1", "status": "calibrating", "qubits": 64},
)


class BadInput(Exception):
    pass


def _gate(op: Mapping[str, Any]) -> cirq.Operation:
    name = op.get("gate")
    targets = op.get("targets", [op["target"]] if "target" in op else [])
    controls = op.get("controls", [op["control"]] if "control" in op else [])
    qubits = [cirq.LineQubit(int(q)) for q in (*controls, *targets)]
    if name in ONE_QUBIT and len(qubits) == 1:
        return ONE_QUBIT[name].on(*qubits)
    if name in ROTATIONS and len(qubits) == 1:
        return ROTATIONS[name](float(op["rotation"])).on(*qubits)
    if name == "cnot" and len(qubits) == 2:
        return cirq.CNOT.on(*qubits)
    if name == "swap" and len(qubits) == 2:
        return cirq.SWAP.on(*qubits)
    if name in PARITY and len(qubits) == 2:
        return PARITY[name](exponent=float(op["rotation"]) / math.pi).on(*qubits)
    raise BadInput(f"unsupported gate {json.dumps(op)}")


def read_circuit(gates: Iterable[Mapping[str, Any]]) -> cirq.Circuit:
    """IonQ QIS JSON back into a cirq circuit (the inverse of cirq-ionq's serializer)."""
    return cirq.Circuit(_gate(op) for op in gates)


def exact_probabilities(circuit: cirq.Circuit, qubits: int) -> np.ndarray:
    """p[k], where bit q of k is qubit q (IonQ's order)."""
    order = cirq.LineQubit.range(qubits)
    state = cirq.final_state_vector(
        circuit + cirq.Circuit(cirq.I.on_each(*order)), qubit_order=order, dtype=np.complex128
    )
    big_endian = np.abs(state) ** 2  # cirq: qubit 0 is the most significant bit
    return big_endian.reshape([2] * qubits).transpose(range(qubits)[::-1]).reshape(-1)


def readout_rates(model: str, qubit: int) -> tuple[float, float]:
    """The model's (P(1|0), P(0|1)) on `qubit`: qubit 0's rates, a quarter larger per qubit up to
    qubit 3, then again from qubit 4."""
    if model not in NOISE_MODEL_READOUT:
        raise BadInput(f"unknown noise model {model!r}")
    e0, e1 = NOISE_MODEL_READOUT[model]
    scale = 1 + 0.25 * (qubit % 4)
    return e0 * scale, e1 * scale


def with_readout_error(p: np.ndarray, rates: list[tuple[float, float]]) -> np.ndarray:
    """p (bit q of the index is qubit q) as read by a readout that misreads qubit q with
    rates[q] = (P(read 1 | 0), P(read 0 | 1)), independently."""
    qubits = len(rates)
    tensor = p.reshape([2] * qubits)  # axis a holds qubit qubits-1-a (qubit 0 is the last axis)
    for qubit, (e0, e1) in enumerate(rates):
        channel = np.array([[1 - e0, e1], [e0, 1 - e1]])  # row: read, column: prepared
        axis = qubits - 1 - qubit
        tensor = np.moveaxis(np.tensordot(channel, tensor, axes=([1], [axis])), 0, axis)
    return tensor.reshape(-1)


def histogram(p: np.ndarray) -> dict[str, float]:
    return {str(k): float(v) for k, v in enumerate(p) if v > 1e-12}


def gate_counts(gates: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    one = two = 0
    for op in gates:
        size = len(op.get("targets", [op.get("target")])) + len(
            op.get("controls", [op["control"]] if "control" in op else [])
        )
        one, two = (one + 1, two) if size == 1 else (one, two + 1)
    return one, two


class FakeIonQ:
    def __init__(
        self,
        api_key: str = "fake-key",
        *,
        states: Iterable[str] = ("submitted", "running", "completed"),
        fail_error: str | None = None,
        readout_error: float = 0.0,
        rates: Mapping[str, float] | None = None,
        backends: Iterable[Mapping[str, Any]] = DEFAULT_BACKENDS,
    ) -> None:
        self.api_key = api_key
        self.states = list(states)
        self.fail_error = fail_error
        self.readout_error = readout_error
        self.rates = dict(rates or {"cost_1q_gate": 0.0001, "cost_2q_gate": 0.001, "minimum": 1.0})
        self.backends = [dict(b) for b in backends]
        self.jobs: dict[str, dict[str, Any]] = {}
        # (method, path, query, headers, body) of every request, in order
        self.requests: list[tuple[str, str, dict, dict, Any]] = []
        self.refuse_posts_after: int | None = None
        self.estimate_error: int | None = None  # GET /jobs/estimate answers this status
        self.estimate_held: threading.Event | None = None  # ... and only once this is set
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- HTTP plumbing ------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, method: str) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                query = parse_qs(url.query)
                held = fake.estimate_held
                if held is not None and url.path == f"{API}/jobs/estimate":
                    held.wait(60)  # outside the lock: other requests are answered meanwhile
                with fake._lock:
                    fake.requests.append((method, url.path, query, dict(self.headers), body))
                    if self.headers.get("Authorization") != f"apiKey {fake.api_key}":
                        code, answer = 401, {"error": "Unauthorized"}
                    else:
                        code, answer = fake.route(method, url.path, query, body)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a held estimate): nobody to answer

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def do_PUT(self) -> None:
                self._answer("PUT")

            def do_DELETE(self) -> None:
                self._answer("DELETE")

        return Handler

    # -- the API ----------------------------------------------------------------------------

    def route(self, method: str, path: str, query: dict, body: Any) -> tuple[int, Any]:
        if not path.startswith(API):
            return 404, {"error": f"no route {path}"}
        path = path[len(API) :]
        if method == "POST" and path == "/jobs":
            return self._create(body)
        if method == "GET" and path == "/jobs":
            return self._list(query, body)
        if method == "GET" and path == "/jobs/estimate":
            if self.estimate_error is not None:
                return self.estimate_error, {"error": "estimate unavailable"}
            return 200, self._estimate(query)
        if method == "GET" and path == "/backends":
            return 200, self.backends
        match = re.fullmatch(r"/jobs/([^/]+)(/.*)?", path)
        job = self.jobs.get(match[1]) if match else None
        if job is None:
            return 404, {"error": "Not Found", "message": "job not found"}
        return self._job_route(method, match[2] or "", job, query)

    def _job_route(self, method: str, sub: str, job: dict, query: dict) -> tuple[int, Any]:
        if method == "GET" and sub == "":
            self._advance(job)
            return 200, self.public(job)
        if method == "PUT" and sub == "/status/cancel":
            job["status"] = "canceled"  # IonQ cancels even a completed job
            return 200, {"id": job["id"], "status": "canceled"}
        if method == "DELETE" and sub == "":
            job["status"] = "deleted"
            return 200, {"id": job["id"], "status": "deleted"}
        if method == "GET" and sub.startswith("/results/probabilities"):
            return self._results(job, aggregated=sub.endswith("/aggregated"))
        if method == "GET" and sub == "/cost":
            return 200, self._cost(job)
        return 404, {"error": f"no route {method} {sub}"}

    def _create(self, body: dict) -> tuple[int, Any]:
        if self.refuse_posts_after is not None and len(self.jobs) >= self.refuse_posts_after:
            return 400, {"error": "Bad Request", "message": "quota exceeded"}
        try:
            job = self._new_job(body)
        except (BadInput, KeyError, TypeError, ValueError) as exc:
            return 400, {"error": "Bad Request", "message": str(exc)}
        self.jobs[job["id"]] = job
        return 200, {"id": job["id"], "status": "ready"}

    def _new_job(self, body: dict) -> dict[str, Any]:
        if not isinstance(body.get("shots"), str):
            raise BadInput("shots must be sent as a string, as cirq-ionq does")
        kind, data = body["type"], body["input"]
        circuits = data["circuits"] if kind == "ionq.multi-circuit.v1" else [data]
        gates = [c["circuit"] for c in circuits]
        qubits = int(data["qubits"])
        shots = int(body["shots"])
        results = [
            self._simulate(read_circuit(g), qubits, shots, body, index)
            for index, g in enumerate(gates)
        ]
        job: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "status": "ready",
            "type": kind,
            "name": body.get("name"),
            "backend": body["backend"],
            "metadata": body.get("metadata", {}),
            "shots": shots,
            "stats": {"qubits": str(qubits)},
            "_body": body,
            "_polls": 0,
            "_results": results,
            "_gates": [gate_counts(g) for g in gates],
        }
        if kind == "ionq.multi-circuit.v1":
            job["children"] = [str(uuid.uuid4()) for _ in circuits]
        return job

    def _simulate(self, circuit: cirq.Circuit, qubits: int, shots: int, body: dict, index: int):
        p = exact_probabilities(circuit, qubits)
        noise = (body.get("noise") or {}).get("model", "ideal")
        if body["backend"] == "simulator":
            if noise == "ideal":
                return histogram(p)
            rates = [readout_rates(noise, q) for q in range(qubits)]
        else:
            rates = [(self.readout_error, self.readout_error)] * qubits
        p = with_readout_error(p, rates)
        settings = body.get("settings") or {}
        if (settings.get("error_mitigation") or {}).get("debiasing"):
            return histogram(p)  # an aggregate, not frequencies
        seed = (body.get("noise") or {}).get("seed", 0)
        drawn = np.random.default_rng([seed, index]).multinomial(shots, p / p.sum())
        return histogram(drawn / shots)

    def _advance(self, job: dict) -> None:
        if job["status"] in TERMINAL:
            return
        job["status"] = self.states[min(job["_polls"], len(self.states) - 1)]
        job["_polls"] += 1
        if job["status"] == "failed" and self.fail_error:
            job["failure"] = {"error": self.fail_error, "code": "InternalError"}

    def _results(self, job: dict, aggregated: bool) -> tuple[int, Any]:
        if job["status"] != "completed":
            return 400, {"error": "Bad Request", "message": f"job is {job['status']}"}
        if aggregated != ("children" in job):
            return 400, {"error": "Bad Request", "message": "wrong results endpoint for job"}
        if aggregated:
            return 200, dict(zip(job["children"], job["_results"], strict=True))
        return 200, job["_results"][0]

    def _price(self, gates: Iterable[tuple[int, int]], shots: int) -> float:
        r = self.rates
        return sum(
            max(r["minimum"], (r["cost_1q_gate"] * one + r["cost_2q_gate"] * two) * shots)
            for one, two in gates
        )

    def _cost(self, job: dict) -> dict[str, Any]:
        free = job["backend"] == "simulator"
        value = 0.0 if free else round(self._price(job["_gates"], job["shots"]), 6)
        usd = {"value": value, "unit": "usd"}
        return {"dry_run": False, "estimated_cost": usd, "cost": usd}

    def _estimate(self, query: dict) -> dict[str, Any]:
        def number(name: str, default: int) -> int:
            return int(query.get(name, [default])[0])

        gates = [(number("1q_gates", 0), number("2q_gates", 0))]
        return {
            "input_values": {k: v[0] for k, v in query.items()},
            "estimated_at": "2026-11-24T00:00:00Z",
            "cost_unit": "usd",
            "rate_information": {
                "job_cost_minimum": self.rates["minimum"],
                "cost_1q_gate": self.rates["cost_1q_gate"],
                "cost_2q_gate": self.rates["cost_2q_gate"],
                "organization": "fake",
            },
            "estimated_cost": self._price(gates, number("shots", 1000)),
        }

    def _list(self, query: dict, body: Any) -> tuple[int, Any]:
        limit = int((body or {}).get("limit", 100))
        wanted = query.get("status", [None])[0]
        jobs = [self.public(j) for j in self.jobs.values() if wanted in (None, j["status"])]
        start = int(query.get("next", ["0"])[0])
        page = jobs[start : start + limit]
        answer: dict[str, Any] = {"jobs": page}
        if start + limit < len(jobs):
            answer["next"] = str(start + limit)
        return 200, answer

    @staticmethod
    def public(job: dict) -> dict[str, Any]:
        return {k: v for k, v in job.items() if not k.startswith("_")}

    # -- for assertions -------------------------------------------------------------------

    def bodies(self, method: str = "POST", path: str = f"{API}/jobs") -> list[Any]:
        return [r[4] for r in self.requests if r[0] == method and r[1] == path]

    def authorizations(self) -> set[str]:
        return {r[3].get("Authorization", "") for r in self.requests}
