"""`qdispatch run`: submit circuits, and optionally wait for the results."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qdispatch_cli import errors, inputs, lookup, output, session, waiting
from qdispatch_cli.options import Db, Json

if TYPE_CHECKING:
    from qdispatch import App
    from qdispatch_core.domain import Device, User
    from qdispatch_core.schemas import RunResponse

OBSERVABLE_HELP = (
    "A Pauli observable; repeat for several. Readable form 'ZZ:1.0,XX:0.5' (PAULI:COEFFICIENT "
    "terms, coefficient 1 when left out; the rightmost letter acts on qubit 0) or the "
    'contract\'s JSON \'[["ZZ","XX"],[1.0,0.5]]\' (or @file.json). Without a prefix it is '
    "measured on every circuit; prefix N= for circuit N only ('2=XX:1'). A single JSON value "
    "that is not one observable is the request's whole `observables` field. Results become "
    "expectation values with standard errors."
)


def run(
    device: Annotated[
        str,
        typer.Option(
            "--device",
            "-d",
            metavar="ID",
            help="Device id from `qdispatch devices`.",
            show_default=False,
        ),
    ],
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="FILE.qasm",
            help="OpenQASM 2.0 or 3.0 files ('-' reads standard input); they run after any "
            "--circuit-id circuits, in the order given.",
            show_default=False,
        ),
    ] = None,
    circuit_id: Annotated[
        list[str] | None,
        typer.Option(
            "--circuit-id",
            metavar="ID",
            help="A stored circuit's id; repeat for several; they run first.",
        ),
    ] = None,
    shots: Annotated[
        int | None,
        typer.Option(
            metavar="N", help="Shots per executable (default 1024); ignored with --statevector."
        ),
    ] = None,
    statevector: Annotated[
        bool,
        typer.Option("--statevector", help="Exact simulation (StatevectorRun): simulators only."),
    ] = False,
    parameters: Annotated[
        str | None,
        typer.Option(
            metavar="JSON|@FILE",
            help="Parameter sets as JSON, or @file.json: [0.1, 0.2] or [[0.1, 0.2], [0.3, 0.4]] "
            'or {"theta": 0.1} for one circuit; one entry per circuit for several.',
        ),
    ] = None,
    observable: Annotated[
        list[str] | None, typer.Option("--observable", "-o", metavar="SPEC", help=OBSERVABLE_HELP)
    ] = None,
    mitigate: Annotated[
        bool, typer.Option("--mitigate", help="Apply the error mitigation that fits the device.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Validate, store, transpile and estimate the cost; execute and charge nothing.",
        ),
    ] = False,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            metavar="KEY=VALUE",
            help="A device option, e.g. seed_simulator=7 or optimization_level=1; values that "
            "read as JSON (numbers, true/false) are, anything else is a string. Credentials "
            "are better given by --credentials-file or environment variables.",
        ),
    ] = None,
    credentials_file: Annotated[
        Path | None,
        typer.Option(
            "--credentials-file",
            metavar="FILE",
            help="Provider credentials, kept off the command line: a file only you can read "
            "(chmod 600) of KEY=VALUE lines or one JSON object, e.g. "
            "ibm_quantum_token=… (default: $QDISPATCH_CREDENTIALS_FILE). Environment "
            "variables named after the keys in capitals (IBM_QUANTUM_TOKEN, AWS_ACCESS_KEY_ID, "
            "IONQ_API_KEY, …) work too.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    experiment: Annotated[
        str, typer.Option(metavar="NAME|ID", help="Experiment name (created when new) or id.")
    ] = lookup.DEFAULT_EXPERIMENT,
    name: Annotated[str, typer.Option(metavar="TEXT", help="Job name.")] = "",
    description: Annotated[str, typer.Option(metavar="TEXT", help="Job description.")] = "",
    wait: Annotated[
        bool,
        typer.Option("--wait", "-w", help="Run here, show live progress, then print the results."),
    ] = False,
    as_json: Json = False,
    db: Db = None,
) -> None:
    """Submit circuits to a device as a job.

    Returns at once with the job id (a background worker runs it), or with --wait shows live
    progress and the results. Examples:

    \b
      qdispatch run bell.qasm --device aer_simulator --wait
      qdispatch run ansatz.qasm -d aer_simulator --parameters '[[0.1], [0.2]]' -o ZZ:1,XX:0.5
      qdispatch run a.qasm b.qasm -d aer_simulator -o ZZ:1 -o '2=XX:1'   (ZZ on both, XX on b)
    """
    sources = [inputs.read_qasm(f) for f in files or []]
    names = [inputs.circuit_name(f) for f in files or []]
    stored = list(circuit_id or [])
    request = {
        "circuit_ids": stored,
        "circuits_qasm": sources,
        "device_id": device,
        "run_type": "StatevectorRun" if statevector else "Run",
        "parameters": inputs.load_json(parameters, "--parameters") if parameters else None,
        "observables": inputs.build_observables(observable or [], len(stored) + len(sources)),
        "options": inputs.parse_options(option or []),
        "use_mitigation": mitigate,
        "dry_run": dry_run,
        "name": name,
        "description": description,
        **({"shots": shots} if shots is not None else {}),
    }
    with session.open_app(db) as app:
        user = session.current_user(app)
        target = with_credentials(app, request, credentials_file)
        if wait and target.local and not dry_run:
            warm_simulations(app)
        fields = [(f"circuits_qasm[{i}]", f) for i, f in enumerate(files or [])]
        with inputs.naming_files(fields):
            response = submit(app, user, request, experiment, names)
        done = response.status in output.FINAL_STATUSES  # a dry run is, at submission
        if done and (wait or not as_json):
            finish(app, user, response.job_id, as_json)
        elif wait:
            run_here(app, user, response.job_id, as_json)
        else:
            submitted(app, response, as_json)


def warm_simulations(app: App) -> None:
    """Start the simulation process (and its forkserver, which imports Qiskit and Aer) now, so
    those imports run on the other core while this process parses and stores the job: a
    one-shot `run --wait` on a local simulator otherwise waited for them after submitting
    (issue 17's `cli_one_shot`)."""
    warm = getattr(app.services.executor, "warm", None)
    if warm is not None:
        warm()


def with_credentials(app: App, request: dict[str, Any], credentials_file: Path | None) -> Device:
    """Add the device's credentials from the credentials file or the environment to the
    request's options (an explicit --option wins); returns the device."""
    from qdispatch_cli import credentials
    from qdispatch_core import usecases

    device = usecases.get_device(app.services, request["device_id"])
    found = credentials.for_device(device.credential_options, request["options"], credentials_file)
    request["options"] = {**found, **request["options"]}
    return device


def submit(
    app: App, user: User, request: dict[str, Any], experiment: str, names: list[str]
) -> RunResponse:
    """The command's one `RunRequest`, built from its arguments (a refused field is the
    contract's 400, named after the file it came from), then submitted."""
    from qdispatch_core import usecases
    from qdispatch_core.schemas import RunRequest, parse

    found = lookup.experiment(app.services, user, experiment, create=True)
    typed = parse(RunRequest, {**request, "experiment_id": found.id})
    return usecases.submit_run(app.services, user, typed, circuit_names=names)


def submitted(app: App, response: RunResponse, as_json: bool) -> None:
    """Without --wait: make sure a worker will run it, then say what to do next."""
    if response.status in output.FINAL_STATUSES:  # `--dry-run --json`: nothing left to run
        output.print_json(response)
        return
    worker = waiting.keep_running(app)
    if as_json:
        output.print_json(response)
        return
    from qdispatch_cli.render import money

    console = output.out()
    console.print(
        f"Submitted job [bold]{response.job_id}[/] to {response.device_id}; "
        f"estimated cost {money(response.estimated_cost)}."
    )
    console.print(f"It runs in the background: {worker}.", soft_wrap=True)
    console.print(f"Next: [bold]qdispatch jobs wait {response.job_id}[/]")


def run_here(app: App, user: User, job_id: str, as_json: bool) -> None:
    """--wait: this process's worker runs the job while the live line shows its progress."""
    worker = app.worker()
    worker.notify()
    try:
        job = waiting.follow(app, user, job_id, live=not as_json)
    except KeyboardInterrupt:
        worker.stop(timeout=0)  # leave the job to the background worker rather than block
        what = waiting.keep_running(app)
        output.error(
            f"stopped waiting; job {job_id} goes on ({what}; it takes the job over once this "
            f"process's lease runs out, within {app.settings.lease_seconds:g} s). "
            f"Follow it with: qdispatch jobs wait {job_id}"
        )
        raise typer.Exit(errors.EXIT_INTERRUPTED) from None
    show(app, user, job, as_json)


def finish(app: App, user: User, job_id: str, as_json: bool) -> None:
    show(app, user, waiting.read(app, user, job_id), as_json)


def show(app: App, user: User, job: Any, as_json: bool) -> None:
    """The whole job, then exit 3 when it did not succeed."""
    from qdispatch_cli.commands.jobs import render_job

    render_job(app, user, job, as_json)
    if job.status in ("Error", "Cancelled"):
        raise typer.Exit(errors.EXIT_JOB_FAILED)
