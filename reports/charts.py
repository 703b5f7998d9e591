"""Charts of the portfolio pack drawn as SVG here (no browser, no screenshot): WeasyPrint lays them out inline."""
from django.utils.html import escape
from django.utils.safestring import mark_safe


def bar_chart_svg(*, bars: list[tuple[str, int]], width: int = 460, colour: str = "#4263eb") -> str:
    """Horizontal bars with their label and value, one per row."""
    row, label_width = 22, 110
    top = max((value for _label, value in bars), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row * len(bars) + 6}" '
             f'font-family="Noto Sans CJK SC, sans-serif" font-size="11">']
    for index, (label, value) in enumerate(bars):
        y = index * row + 3
        length = round((width - label_width - 50) * value / top)
        parts.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end" fill="#334155">{escape(label)}</text>'
                     f'<rect x="{label_width}" y="{y + 3}" width="{max(length, 1)}" height="14" fill="{colour}"/>'
                     f'<text x="{label_width + length + 6}" y="{y + 14}" fill="#1f2937">{value}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (labels escaped above, values are integers)
