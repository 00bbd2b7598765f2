"""Bar charts as SVG, drawn on the server, so that pages and PDFs show the same picture without
JavaScript. Values are Decimal or int, and so are the positions (pixels, written with one place);
labels are escaped."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 240, 96, 28, 12  # LEFT: room for "USD 100 000,00"
BAR_COLOUR, NEGATIVE_COLOUR, TEXT = "#2e6b3a", "#b54a3c", "#333"


def _ticks(top: Decimal) -> list[Decimal]:
    """Five gridlines from 0, in round steps (1, 2, 2.5 or 5 times a power of ten) reaching ``top``."""
    if top <= 0:
        return [Decimal(n) for n in range(5)]
    power = Decimal(10) ** (top / 4).adjusted()
    step = next(m * power for m in (1, 2, Decimal("2.5"), 5, 10) if m * power * 4 >= top)
    if step == step.to_integral_value():
        step = step.to_integral_value()  # 250, not 250.0
    return [step * n for n in range(5)]


def bar_chart(points: list[tuple[str, Decimal]], *, title: str, number_format=str) -> str:
    """A titled bar chart of (label, value) points, as an inline SVG element."""
    values = [Decimal(value) for _label, value in points]
    ticks = _ticks(max(values + [Decimal(0)]))
    top = ticks[-1]
    plot_width, plot_height = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
             f'role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>']
    for tick in ticks:
        y = TOP + plot_height - tick / top * plot_height
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
                     f'fill="{TEXT}">{escape(number_format(tick))}</text>')
    if points:
        slot = Decimal(plot_width) / len(points)
        bar = max(min(slot * Decimal("0.7"), Decimal(48)), Decimal(1))
        every = max(1, -(-len(points) // 12))  # at most 12 labels under the axis
        for index, ((label, _value), value) in enumerate(zip(points, values, strict=True)):
            x = LEFT + slot * index + (slot - bar) / 2
            height = max(value, 0) / top * plot_height
            parts.append(f'<rect x="{x:.1f}" y="{TOP + plot_height - height:.1f}" width="{bar:.1f}" '
                         f'height="{height:.1f}" fill="{BAR_COLOUR if value >= 0 else NEGATIVE_COLOUR}">'
                         f'<title>{escape(label)}: {escape(number_format(value))}</title></rect>')
            if index % every == 0:
                parts.append(f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="10" '
                             f'fill="{TEXT}">{escape(label)}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{TOP + plot_height}" y2="{TOP + plot_height}" '
                 f'stroke="{TEXT}"/></svg>')
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
