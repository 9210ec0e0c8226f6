"""Devices for people: one line per device, filters, and everything about one device.

Works on the core's `Device` objects (not the pydantic views), so `qdispatch devices` imports
no pydantic; `--json` prints `DeviceView`s as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qdispatch_cli import output

if TYPE_CHECKING:
    from rich.table import Table

    from qdispatch_core.domain import Device, OptionSpec, Pricing

# A rate in the pricing prose: "$0.30 per task", "USD 1.60 per second", "USD 0.000975 per
# 2-qubit gate-shot", "a minimum (USD 12.42 …". The prose is the providers'; the short form is
# derived from it, and a test holds every priced device of every catalog to giving one.
_RATE = re.compile(
    r"(?:\$|USD )(?P<amount>\d+(?:\.\d+)?) per (?:(?P<qubits>\d)-qubit )?"
    r"(?P<unit>second|minute|task|shot|gate-shot|circuit)\b"
)
_UNKNOWN_FEE = re.compile(r"\+ a per-(?P<unit>shot|task) fee")
_MINIMUM = re.compile(r"minimum \((?:\$|USD )(?P<amount>\d+(?:\.\d+)?)")
_UNITS = {"second": "s", "minute": "min", "gate-shot": "gate-shot"}


def short_price(pricing: Pricing | None) -> str:
    """`free`, `$1.60/s`, `$0.30/task + $0.08/shot`, …: the rates in a device's pricing."""
    if pricing is None:
        return "free"
    by_unit: dict[str, list[tuple[str, str]]] = {}
    for rate in _RATE.finditer(pricing.basis):
        unit = _UNITS.get(rate["unit"], rate["unit"])
        by_unit.setdefault(unit, []).append((_amount(rate["amount"]), rate["qubits"] or ""))
    parts = []
    for unit, rates in by_unit.items():
        if len(rates) > 1 and all(q for _, q in rates):  # per 1-qubit and 2-qubit gate
            low, high = rates[0], rates[-1]
            parts.append(f"${low[0]}–${high[0]}/{unit} ({low[1]}q–{high[1]}q)")
        else:
            parts.append(f"${rates[0][0]}/{unit}")
    parts += [f"?/{fee['unit']}" for fee in _UNKNOWN_FEE.finditer(pricing.basis)]
    text = " + ".join(parts) or f"per {pricing.unit}"
    if minimum := _MINIMUM.search(pricing.basis):
        text += f", min ${_amount(minimum['amount'])}"
    return text


def _amount(text: str) -> str:
    """`0.000220` → `0.00022`; cents stay (`1.60`, `0.30`)."""
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction.ljust(2, '0')}" if fraction or _ else whole


def kind(device: Device) -> str:
    return "simulator" if device.simulator else "QPU"


@dataclass(frozen=True)
class DeviceFilter:
    """What `qdispatch devices` was asked to show; each given criterion narrows the list."""

    provider: str | None = None
    simulators: bool = False
    qpus: bool = False
    local: bool = False
    min_qubits: int | None = None

    def keeps(self, device: Device) -> bool:
        return (
            (not self.simulators or device.simulator)
            and (not self.qpus or not device.simulator)
            and (not self.local or device.local)
            and (self.min_qubits is None or device.qubits >= self.min_qubits)
        )

    def describe(self) -> str:
        """The criteria in words, for a listing that came out empty."""
        words = []
        if self.simulators:
            words.append("simulators")
        if self.qpus:
            words.append("QPUs")
        if self.local:
            words.append("local")
        if self.provider:
            words.append(f"of provider {self.provider!r}")
        if self.min_qubits is not None:
            words.append(f"with at least {self.min_qubits} qubits")
        return " ".join(words) or "any"


def listing(devices: Sequence[Device], width: int, *, colour: bool = False) -> list[str]:
    """One line per device in `width` columns: every column but the price keeps its full
    width; a price too long for what is left is cut with an ellipsis (`devices show` has it
    whole).

    Plain fixed-width text rather than a Rich table: every column is one line and its width is
    known, and `qdispatch devices` must start in a third of a second, which importing Rich's
    console and tables alone would take most of on a small machine."""
    rows = [
        (
            output.clean(d.id),
            output.clean(d.provider),
            kind(d),
            str(d.qubits),
            d.status.value,
            output.clean(short_price(d.pricing)),
        )
        for d in devices
    ]
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(HEADERS)]
    room = max(8, width - sum(widths[:-1]) - GAP * (len(HEADERS) - 1))
    lines = [_line(HEADERS, widths, room, colour, header=True)]
    lines += [_line(row, widths, room, colour) for row in rows]
    return lines


HEADERS = ("device", "provider", "kind", "qubits", "status", "price")
GAP = 2  # spaces between columns, as in the other tables
_SGR = {"online": "32", "offline": "31", "header": "1"}  # green, red, bold; else yellow "33"


def _line(
    cells: Sequence[str], widths: Sequence[int], room: int, colour: bool, header: bool = False
) -> str:
    *fixed, price = cells
    if len(price) > room:
        price = price[: room - 1] + "…"
    parts = [
        cell.rjust(w) if i == 3 and not header else cell.ljust(w)
        for i, (cell, w) in enumerate(zip(fixed, widths, strict=False))
    ]
    if colour and not header:  # the status column, coloured by what it says
        status = fixed[4]
        parts[4] = f"\x1b[{_SGR.get(status, '33')}m{status}\x1b[0m" + " " * (
            widths[4] - len(status)
        )
    text = (" " * GAP).join([*parts, price]).rstrip()
    return f"\x1b[1m{text}\x1b[0m" if colour and header else text


# -- one device ------------------------------------------------------------------------------


def detail(device: Device) -> Iterable[object]:
    """Renderables for `devices show`: the facts, its options, its pricing."""
    from rich.table import Table
    from rich.text import Text

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(overflow="fold")
    where = ", runs on this machine" if device.local else ", remote"
    rows = [
        ("device", device.id),
        ("name", device.name),
        ("provider", device.provider),
        ("kind", kind(device) + (", noisy" if device.noisy else "") + where),
        ("status", device.status.value),
        ("qubits", str(device.qubits)),
        ("max shots", f"{device.max_shots:,}"),
        ("run types", ", ".join(r.value for r in device.run_types)),
        ("basis gates", ", ".join(device.basis_gates) or "any"),
        ("coupling map", coupling_summary(device)),
        ("mitigation", device.mitigation),
        ("credentials", credentials_text(device.credential_options)),
        ("price", short_price(device.pricing)),
    ]
    for label, value in rows:
        facts.add_row(label, Text(output.clean(value)))
    yield facts
    if device.description:
        yield Text("\n" + output.clean(device.description, multiline=True))
    if device.options:
        yield Text("\nOptions (--option KEY=VALUE)", style="bold")
        yield options_table(device.options)
    if device.pricing is not None:
        yield Text("\nPricing", style="bold")
        yield Text(output.clean(pricing_text(device.pricing), multiline=True))


def options_table(options: Sequence[OptionSpec]) -> Table:
    from rich.table import Table
    from rich.text import Text

    t = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
    t.add_column("option", no_wrap=True)
    t.add_column("accepts", overflow="fold")
    t.add_column("what it does", overflow="fold", ratio=1)
    for option in options:
        t.add_row(
            Text(output.clean(option.name)),
            Text(output.clean(accepts(option))),
            Text(output.clean(option.description)),
        )
    return t


def accepts(option: OptionSpec) -> str:
    if option.choices is not None:
        return "one of " + ", ".join(map(str, option.choices))
    low, high = _bound(option, option.minimum), _bound(option, option.maximum)
    if low is not None and high is not None:
        return f"{option.kind} {low}..{high}"
    if low is not None:
        return f"{option.kind} ≥ {low}"
    return option.kind


def _bound(option: OptionSpec, value: float | None) -> str | None:
    if value is None:
        return None
    return f"{int(value):,}" if option.kind == "int" else f"{value:g}"


def coupling_summary(device: Device) -> str:
    """`all-to-all`, or how many qubit pairs are connected and the most neighbours a qubit has."""
    if device.coupling_map is None:
        return "all-to-all (any qubit pair)"
    pairs = {tuple(sorted(edge)) for edge in device.coupling_map}
    neighbours: dict[int, int] = {}
    for a, b in pairs:
        neighbours[a] = neighbours.get(a, 0) + 1
        neighbours[b] = neighbours.get(b, 0) + 1
    most = max(neighbours.values(), default=0)
    return f"{len(pairs)} connected qubit pairs, at most {most} neighbours per qubit"


def credentials_text(keys: Sequence[str]) -> str:
    if not keys:
        return "none"
    from qdispatch_cli.credentials import environment_name

    listed = ", ".join(f"{k} (${environment_name(k)})" for k in keys)
    return f"{listed}; or --credentials-file FILE"


def pricing_text(pricing: Pricing) -> str:
    text = f"{pricing.basis}\n(native unit: {pricing.unit}; prices as of {pricing.as_of}"
    return text + (f"; {pricing.source})" if pricing.source else ")")
