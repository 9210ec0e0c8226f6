"""A recorded IBM Quantum Platform for the real `QiskitRuntimeService` client.

Every HTTP call the runtime makes is answered through `responses`, as the runtime's own tests
mock its transport: an IAM token (a real JWT, which the client decodes), the instance search
and plan catalog, backends described by the runtime's own fake-backend files
(`conf_*.json`/`props_*.json`, renamed), and jobs whose results are the submitted PUBs run on
that fake backend (sampler jobs by qiskit's BackendSamplerV2, estimator jobs by the runtime's
client-side Estimator at the submitted resilience level) and encoded with the runtime's own
`RuntimeEncoder`. Nothing here is hand-typed JSON of a result.

Job states follow a script per job (QUEUED → RUNNING → DONE by default): each status request
moves one step along it.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
import responses

API = "https://quantum.cloud.ibm.com/api/v1"
IAM = "https://iam.cloud.ibm.com/identity/token"
SEARCH = re.compile(r"https://api\.global-search-tagging\.cloud\.ibm\.com/v3/resources/search.*")
CATALOG = re.compile(r"https://globalcatalog\.cloud\.ibm\.com/api/v1/.*")
CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/abc123:inst-1::"
TOKEN = "ibm-api-key-PLANTED-4f2b9c"  # a planted secret: it must never show up anywhere


JSON = {"Content-Type": "application/json"}


def _json(status: int, body: Any) -> tuple[int, dict, str]:
    return status, JSON, json.dumps(body)


def fake_files(fake_class: str) -> tuple[dict, dict]:
    """The configuration and properties the runtime ships for one of its fake backends."""
    from qiskit_ibm_runtime import fake_provider

    module = __import__(type(getattr(fake_provider, fake_class)()).__module__, fromlist=["x"])
    here = Path(module.__file__).parent
    conf = json.loads(next(here.glob("conf_*.json")).read_text())
    props = json.loads(next(here.glob("props_*.json")).read_text())
    return conf, props


@dataclass
class MockJob:
    id: str
    backend: str
    program: str
    body: dict  # the submitted payload, as the client encoded it
    script: list[str]  # API states, advanced by each status request
    step: int = 0
    reason: str | None = None
    usage_seconds: float = 2.5
    cancelled: bool = False
    result_text: str | None = None

    @property
    def state(self) -> str:
        return self.script[min(self.step, len(self.script) - 1)]


@dataclass
class IbmCloud:
    """Install with `IbmCloud(rsps, {"ibm_manila": "FakeManilaV2"})` inside a RequestsMock."""

    rsps: responses.RequestsMock
    backends: dict[str, str]
    script: Sequence[str] = ("Queued", "Running", "Completed")
    seed: int = 11
    jobs: dict[str, MockJob] = field(default_factory=dict)
    submitted: list[dict] = field(default_factory=list)
    on_submit: Callable[[MockJob], None] | None = None
    operational: bool = True
    estimated_levels: list[int] = field(default_factory=list)  # per estimator result computed

    def __post_init__(self) -> None:
        self._files = {name: fake_files(cls) for name, cls in self.backends.items()}
        r = self.rsps
        r.add_callback(responses.POST, IAM, callback=self._token)
        r.add_callback(responses.POST, SEARCH, callback=self._search)
        r.add(
            responses.GET,
            CATALOG,
            json={
                "overview_ui": {"en": {"display_name": "Pay-As-You-Go"}},
                "metadata": {"pricing": {"type": "paid"}},
            },
        )
        r.add_callback(responses.GET, re.compile(API + r"/backends(\?.*)?$"), callback=self._list)
        r.add_callback(
            responses.GET,
            re.compile(API + r"/backends/([^/]+)/(configuration|properties|status)(\?.*)?$"),
            callback=self._backend,
        )
        r.add(
            responses.GET,
            re.compile(API + r"/instances/usage.*"),
            json={
                "usage_consumed_seconds": 10,
                "usage_limit_seconds": 6000,
                "usage_limit_reached": False,
                "usage_remaining_seconds": 5990,
            },
        )
        r.add_callback(responses.POST, API + "/jobs", callback=self._submit)
        r.add_callback(
            responses.GET, re.compile(API + r"/jobs/([^/?]+)(\?.*)?$"), callback=self._job
        )
        r.add_callback(
            responses.GET, re.compile(API + r"/jobs/([^/?]+)/results$"), callback=self._results
        )
        r.add_callback(
            responses.GET, re.compile(API + r"/jobs/([^/?]+)/metrics$"), callback=self._metrics
        )
        r.add_callback(
            responses.POST, re.compile(API + r"/jobs/([^/?]+)/cancel$"), callback=self._cancel
        )

    # -- authentication and account ------------------------------------------------------------

    @staticmethod
    def _token(request: Any) -> tuple[int, dict, str]:
        form = parse_qs(request.body if isinstance(request.body, str) else "")
        if form.get("apikey") != [TOKEN]:
            return _json(400, {"errorMessage": "Provided API key could not be found."})
        now = int(time.time())
        body = {
            "access_token": jwt.encode({"exp": now + 3600, "iat": now}, "k" * 32, "HS256"),
            "refresh_token": "not-used",
            "token_type": "Bearer",
            "expires_in": 3600,
            "expiration": now + 3600,
        }
        return _json(200, body)

    @staticmethod
    def _search(request: Any) -> tuple[int, dict, str]:
        item = {
            "crn": CRN,
            "name": "my-instance",
            "service_plan_unique_id": "plan-1",
            "doc": {"extensions": {"x": 1}},
            "tags": [],
        }
        return _json(200, {"items": [item]})

    # -- backends ------------------------------------------------------------------------------

    def _list(self, request: Any) -> tuple[int, dict, str]:
        devices = [{"name": name, "status": {"name": "online"}} for name in self._files]
        return _json(200, {"devices": devices})

    def _backend(self, request: Any) -> tuple[int, dict, str]:
        match = re.search(r"/backends/([^/]+)/(\w+)", request.url)
        name, what = match[1], match[2]
        if name not in self._files:
            return _json(404, {"errors": [{"message": f"no backend {name}"}]})
        conf, props = self._files[name]
        if what == "status":
            body = {
                "state": self.operational,
                "status": "active" if self.operational else "maintenance",
                "message": "",
                "length_queue": 3,
                "backend_version": "1.0",
            }
        else:
            body = dict(conf if what == "configuration" else props, backend_name=name)
        return _json(200, body)

    # -- jobs ----------------------------------------------------------------------------------

    def _submit(self, request: Any) -> tuple[int, dict, str]:
        body = json.loads(request.body)
        job = MockJob(
            f"d{uuid.uuid4().hex[:18]}",
            body["backend"],
            body["program_id"],
            body,
            list(self.script),
        )
        self.jobs[job.id] = job
        self.submitted.append(body)
        if self.on_submit is not None:
            self.on_submit(job)
        return _json(200, {"id": job.id, "backend": job.backend})

    def _find(self, request: Any) -> MockJob | None:
        return self.jobs.get(re.search(r"/jobs/([^/?]+)", request.url)[1])

    def _job(self, request: Any) -> tuple[int, dict, str]:
        job = self._find(request)
        if job is None:
            return _json(404, {"errors": [{"message": "Job not found", "code": 1291}]})
        state = job.state
        if "exclude_params" in request.url:  # a status lookup (not a read of the inputs)
            job.step += 1
        answer: dict[str, Any] = {
            "id": job.id,
            "backend": job.backend,
            "program": {"id": job.program},
            "state": {"status": state},
            "status": state,
            "created": "2026-11-24T08:00:00Z",
            "tags": [],
            "private": False,
        }
        if state == "Failed" and job.reason:
            answer["state"]["reason"] = job.reason
        if "exclude_params" not in request.url:
            answer["params"] = job.body["params"]
        return _json(200, answer)

    def _results(self, request: Any) -> tuple[int, dict, str]:
        job = self._find(request)
        if job is None:
            return 404, {}, "{}"
        if job.state == "Failed":
            return 200, {}, f"Traceback (most recent call last):\nError: {job.reason}"
        if job.result_text is None:
            job.result_text = self.run_on_fake(job)
        return 200, JSON, job.result_text

    def run_on_fake(self, job: MockJob) -> str:
        """The submitted PUBs run on the backend's fake twin by the job's program, encoded as
        IBM sends them."""
        from qiskit_ibm_runtime import RuntimeDecoder, RuntimeEncoder, fake_provider

        params = json.loads(json.dumps(job.body["params"]), cls=RuntimeDecoder)
        backend = getattr(fake_provider, self.backends[job.backend])()
        run = self._estimate if job.program == "estimator" else self._sample
        return json.dumps(run(params, backend), cls=RuntimeEncoder)

    def _sample(self, params: dict, backend: Any) -> Any:
        from qiskit.primitives import BackendSamplerV2

        sampler = BackendSamplerV2(backend=backend, options={"seed_simulator": self.seed})
        shots = params.get("options", {}).get("default_shots") or params.get("shots")
        return sampler.run(params["pubs"], shots=shots).result()

    def _estimate(self, params: dict, backend: Any) -> Any:
        """What IBM's estimator program returns, computed on the fake twin by the runtime's
        client-side Estimator, which (unlike its local testing mode) applies the submitted
        resilience level: TREX at 1, TREX + ZNE at 2. Its values and standard errors are
        repackaged as the server's V2 result: PubResult(DataBin(evs, stds,
        ensemble_standard_error)), and the resilience it applied in the result's metadata."""
        import warnings

        from qiskit.primitives import DataBin, PrimitiveResult, PubResult
        from qiskit_ibm_runtime.executor_estimator import Estimator

        level = params.get("resilience_level", 1)  # IBM's default when a job leaves it out
        shots = params["options"]["default_shots"]
        pubs = [tuple(x for x in pub[:3] if x is not None) for pub in params["pubs"]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator = Estimator(
                mode=backend, options={"resilience_level": level, "default_shots": shots}
            )
            estimator.options.simulator.seed_simulator = self.seed
            computed = estimator.run(pubs).result()
        self.estimated_levels.append(level)
        results = [
            PubResult(
                DataBin(
                    evs=r.data.evs,
                    stds=r.data.stds,
                    ensemble_standard_error=r.data.stds,
                    shape=r.data.evs.shape,
                ),
                metadata={"shots": shots, "circuit_metadata": {}},
            )
            for r in computed
        ]
        applied = computed.metadata["options"]["resilience"]
        resilience = {k: applied[k] for k in ("measure_mitigation", "zne_mitigation")}
        return PrimitiveResult(results, metadata={"resilience": resilience, "version": 2})

    def _metrics(self, request: Any) -> tuple[int, dict, str]:
        job = self._find(request)
        done = job is not None and job.state in ("Completed", "Failed", "Cancelled")
        usage = {
            "quantum_seconds": job.usage_seconds,
            "seconds": job.usage_seconds,
            "qpu_charge_time_seconds": job.usage_seconds,
            "status": "complete" if done else "pending",
        }
        now = datetime.now(UTC).isoformat()
        stamps = {"created": now, "running": now, "finished": now if done else None}
        return _json(200, {"usage": usage, "timestamps": stamps})

    def _cancel(self, request: Any) -> tuple[int, dict, str]:
        job = self._find(request)
        if job is None:
            return 404, {}, "{}"
        if job.state in ("Completed", "Failed", "Cancelled"):
            return _json(409, {"errors": [{"message": "Job cannot be cancelled", "code": 1305}]})
        job.cancelled = True
        job.script = [*job.script[: job.step], "Cancelled"]
        return 204, {}, ""
