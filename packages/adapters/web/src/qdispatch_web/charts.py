"""Charts as SVG made on the server: grouped bars, lines with error bars, heat maps.

No chart script runs in the browser: a page is complete as sent (and readable without
JavaScript), nothing is fetched from elsewhere, and tests count the drawn elements in the HTML.
Every mark carries a `<title>`, which browsers show as a tooltip. Colours are presentation
attributes, not inline styles, so the page's Content-Security-Policy needs no 'unsafe-inline'.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 28, 56
# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# Viridis at nine stops (perceptually uniform, readable in grey).
VIRIDIS = (
    "#440154",
    "#472d7b",
    "#3b528b",
    "#2c728e",
    "#21918c",
    "#28ae80",
    "#5ec962",
    "#addc30",
    "#fde725",
)


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float]
    errors: Sequence[float] | None = None  # one standard error per value


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 × 10^k apart) covering [low, high]."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0, 1.0]
    if high - low < 1e-9:  # flat at any scale a chart here shows: give it a unit of room
        high = low + max(abs(low), 1.0)
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step)
    last = math.ceil(high / step)
    # A subnormal bound divided by the step underflows to 0: widen by one step then.
    first -= first * step > low
    last += last * step < high
    return [i * step for i in range(first, last + 1)]


def fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.2e}"
    return f"{value:.4g}"


class _Frame:
    """The plot area and the mapping of data to it."""

    def __init__(self, y_low: float, y_high: float, width: int = WIDTH, height: int = HEIGHT):
        self.width, self.height = width, height
        self.left, self.right = MARGIN_LEFT, width - MARGIN_RIGHT
        self.top, self.bottom = MARGIN_TOP, height - MARGIN_BOTTOM
        self.ticks = nice_ticks(y_low, y_high)
        self.y_low, self.y_high = self.ticks[0], self.ticks[-1]

    def y(self, value: float) -> float:
        span = self.y_high - self.y_low or 1.0
        return self.bottom - (value - self.y_low) / span * (self.bottom - self.top)

    def y_axis(self, label: str) -> list[str]:
        out = []
        for t in self.ticks:
            y = self.y(t)
            out.append(
                f'<line class="grid" x1="{self.left}" x2="{self.right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            )
            out.append(
                f'<text class="tick" x="{self.left - 6}" y="{y + 4:.1f}" '
                f'text-anchor="end">{fmt(t)}</text>'
            )
        mid = (self.top + self.bottom) / 2
        out.append(
            f'<text class="axis-label" transform="translate(14 {mid:.0f}) rotate(-90)" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
        return out

    def x_label(self, label: str) -> str:
        return (
            f'<text class="axis-label" x="{(self.left + self.right) / 2:.0f}" '
            f'y="{self.height - 8}" text-anchor="middle">{escape(label)}</text>'
        )


def _svg(
    kind: str, body: list[str], label: str, width: int = WIDTH, height: int = HEIGHT, **data: object
) -> Markup:
    attrs = " ".join(f'data-{k.replace("_", "-")}="{escape(str(v))}"' for k, v in data.items())
    head = (
        f'<svg class="chart {kind}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg" {attrs}>'
    )
    return Markup(head + f"<title>{escape(label)}</title>" + "".join(body) + "</svg>")


def _legend(series: Sequence[Series], frame: _Frame) -> list[str]:
    if len(series) < 2:
        return []
    out, x = [], frame.left
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        out.append(f'<rect class="swatch" x="{x}" y="8" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text class="legend" x="{x + 14}" y="17">{escape(s.name)}</text>')
        x += 24 + 7 * len(s.name)
    return out


def _errorbar(x: float, y_low: float, y_high: float, tip: str) -> str:
    return (
        f'<g class="errorbar"><title>{escape(tip)}</title>'
        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y_low:.1f}" y2="{y_high:.1f}"/>'
        f'<line x1="{x - 3:.1f}" x2="{x + 3:.1f}" y1="{y_low:.1f}" y2="{y_low:.1f}"/>'
        f'<line x1="{x - 3:.1f}" x2="{x + 3:.1f}" y1="{y_high:.1f}" y2="{y_high:.1f}"/>'
        "</g>"
    )


def _extent(series: Sequence[Series], floor_zero: bool) -> tuple[float, float]:
    lows, highs = [0.0] if floor_zero else [], [0.0] if floor_zero else []
    for s in series:
        errors = s.errors or [0.0] * len(s.values)
        lows += [v - e for v, e in zip(s.values, errors, strict=True)]
        highs += [v + e for v, e in zip(s.values, errors, strict=True)]
    return (min(lows, default=0.0), max(highs, default=1.0))


MAX_LABELS = 16  # beyond this, every k-th bar is labelled (its tooltip still names it)


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_label: str,
    width: int = WIDTH,
) -> Markup:
    """Bars for each label, one per series side by side (raw next to mitigated, say), from
    zero (negative values hang below it), with error bars where given."""
    frame = _Frame(*_extent(series, floor_zero=True), width=width)
    body = frame.y_axis(y_label) + _legend(series, frame)
    slot = (frame.right - frame.left) / max(len(labels), 1)
    bar = slot * 0.8 / max(len(series), 1)
    zero = frame.y(0.0)
    every = -(-len(labels) // MAX_LABELS)
    shown = len(labels[::every])
    rotate = shown * max((len(lb) for lb in labels), default=0) * 7 > frame.right - frame.left
    for i, label in enumerate(labels):
        x0 = frame.left + i * slot + slot * 0.1
        for j, s in enumerate(series):
            value = s.values[i]
            x, y = x0 + j * bar, frame.y(value)
            tip = (
                f"{s.name}: {label} = {fmt(value)}" if len(series) > 1 else f"{label}: {fmt(value)}"
            )
            if s.errors:
                tip += f" ± {fmt(s.errors[i])}"
            body.append(
                f'<rect class="bar" data-series="{j}" x="{x:.1f}" y="{min(y, zero):.1f}" '
                f'width="{max(bar - 1, 1):.1f}" height="{abs(zero - y):.1f}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(tip)}</title></rect>'
            )
            if s.errors:
                cx, e = x + bar / 2, s.errors[i]
                body.append(_errorbar(cx, frame.y(value - e), frame.y(value + e), tip))
        if i % every:
            continue
        cx = frame.left + (i + 0.5) * slot
        ty = frame.bottom + 14
        transform = f' transform="rotate(-45 {cx:.1f} {ty})"' if rotate else ""
        anchor = "end" if rotate else "middle"
        body.append(
            f'<text class="tick" x="{cx:.1f}" y="{ty}" text-anchor="{anchor}"{transform}>'
            f"{escape(label)}</text>"
        )
    body.append(
        f'<line class="axis" x1="{frame.left}" x2="{frame.right}" y1="{zero:.1f}" y2="{zero:.1f}"/>'
    )
    return _svg("bars", body, title, width, bars=len(labels) * len(series), series=len(series))


def line_chart(
    xs: Sequence[float], series: Sequence[Series], *, title: str, x_label: str, y_label: str
) -> Markup:
    """Values against a parameter, one line per series, points with error bars."""
    frame = _Frame(*_extent(series, floor_zero=False))
    body = frame.y_axis(y_label) + _legend(series, frame) + [frame.x_label(x_label)]
    x_ticks = nice_ticks(min(xs, default=0.0), max(xs, default=1.0), 6)
    x_low, x_high = x_ticks[0], x_ticks[-1]

    def px(x: float) -> float:
        return frame.left + (x - x_low) / ((x_high - x_low) or 1.0) * (frame.right - frame.left)

    for t in x_ticks:
        body.append(
            f'<text class="tick" x="{px(t):.1f}" y="{frame.bottom + 16}" '
            f'text-anchor="middle">{fmt(t)}</text>'
        )
    for j, s in enumerate(series):
        colour = PALETTE[j % len(PALETTE)]
        order = sorted(range(len(xs)), key=lambda k: xs[k])
        points = " ".join(f"{px(xs[k]):.1f},{frame.y(s.values[k]):.1f}" for k in order)
        body.append(f'<polyline class="line" points="{points}" stroke="{colour}" fill="none"/>')
        for k in order:
            x, v = px(xs[k]), s.values[k]
            tip = f"{s.name}: x = {fmt(xs[k])}, value = {fmt(v)}"
            if s.errors:
                e = s.errors[k]
                tip += f" ± {fmt(e)}"
                body.append(_errorbar(x, frame.y(v - e), frame.y(v + e), tip))
            body.append(
                f'<circle class="point" data-series="{j}" cx="{x:.1f}" '
                f'cy="{frame.y(v):.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(tip)}</title></circle>"
            )
    return _svg("lines", body, title, points=len(xs) * len(series), series=len(series))


def _viridis(t: float) -> str:
    t = min(max(t, 0.0), 1.0) * (len(VIRIDIS) - 1)
    i = min(int(t), len(VIRIDIS) - 2)
    a, b = VIRIDIS[i], VIRIDIS[i + 1]
    mix = [
        round(int(a[k : k + 2], 16) * (1 - (t - i)) + int(b[k : k + 2], 16) * (t - i))
        for k in (1, 3, 5)
    ]
    return "#" + "".join(f"{c:02x}" for c in mix)


def heat_map(
    xs: Sequence[float],
    ys: Sequence[float],
    values: Sequence[Sequence[float]],  # values[row for y][column for x]
    *,
    title: str,
    x_label: str,
    y_label: str,
) -> Markup:
    """A 2-D grid of values (a sweep over two parameters) as coloured cells, with a scale."""
    width, height = WIDTH, 340
    left, right, top, bottom = MARGIN_LEFT, width - 110, MARGIN_TOP, height - MARGIN_BOTTOM
    flat = [v for row in values for v in row]
    low, high = min(flat, default=0.0), max(flat, default=1.0)
    span = (high - low) or 1.0
    cw, ch = (right - left) / max(len(xs), 1), (bottom - top) / max(len(ys), 1)
    body = []
    for r, y in enumerate(ys):
        for c, x in enumerate(xs):
            v = values[r][c]
            tip = f"{x_label} = {fmt(x)}, {y_label} = {fmt(y)}: {fmt(v)}"
            # Row 0 at the bottom, as on a plot's y axis.
            body.append(
                f'<rect class="cell" x="{left + c * cw:.1f}" '
                f'y="{bottom - (r + 1) * ch:.1f}" width="{cw + 0.5:.1f}" '
                f'height="{ch + 0.5:.1f}" fill="{_viridis((v - low) / span)}">'
                f"<title>{escape(tip)}</title></rect>"
            )
    every_x, every_y = max(1, len(xs) // 8), max(1, len(ys) // 8)
    for c in range(0, len(xs), every_x):
        body.append(
            f'<text class="tick" x="{left + (c + 0.5) * cw:.1f}" y="{bottom + 16}" '
            f'text-anchor="middle">{fmt(xs[c])}</text>'
        )
    for r in range(0, len(ys), every_y):
        body.append(
            f'<text class="tick" x="{left - 6}" y="{bottom - (r + 0.5) * ch + 4:.1f}" '
            f'text-anchor="end">{fmt(ys[r])}</text>'
        )
    body.append(
        f'<text class="axis-label" x="{(left + right) / 2:.0f}" y="{height - 8}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
    )
    body.append(
        f'<text class="axis-label" transform="translate(14 {(top + bottom) / 2:.0f}) '
        f'rotate(-90)" text-anchor="middle">{escape(y_label)}</text>'
    )
    body += _scale(right + 30, top, bottom, low, high)
    return _svg("heatmap", body, title, width, height, cells=len(xs) * len(ys))


def _scale(x: float, top: float, bottom: float, low: float, high: float) -> list[str]:
    steps, out = 24, []
    h = (bottom - top) / steps
    for i in range(steps):
        out.append(
            f'<rect class="scale" x="{x}" y="{bottom - (i + 1) * h:.1f}" width="14" '
            f'height="{h + 0.5:.1f}" fill="{_viridis(i / (steps - 1))}"/>'
        )
    out.append(f'<text class="tick" x="{x + 18}" y="{bottom:.0f}">{fmt(low)}</text>')
    out.append(f'<text class="tick" x="{x + 18}" y="{top + 8:.0f}">{fmt(high)}</text>')
    return out
