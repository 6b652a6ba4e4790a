"""Charts drawn on the server as SVG: readable without colour, and without JavaScript.

Every bar carries its number as text, every series a fill pattern (solid, diagonal hatching, dots)
as well as a shade, and every chart a `<title>` and `<desc>` for screen readers, so nothing depends
on telling colours apart. Labels are escaped here; the returned markup is inserted as is.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

# (fill pattern id, stroke/ink) per series: dark ink on white, about 12:1 contrast
PATTERNS = ("solid", "hatch", "dots")
INK = "#1a1a1a"
DEFS = (
    '<defs><pattern id="{p}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="6" height="6" fill="#ffffff"/><rect width="2.5" height="6" fill="#26415e"/></pattern>'
    '<pattern id="{p}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="1.6" fill="#7a2e0e"/></pattern></defs>'
)


def _fill(prefix: str, pattern: str) -> str:
    return "#26415e" if pattern == "solid" else f"url(#{prefix}-{pattern})"


def _open(prefix: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img"'
        f' aria-labelledby="{prefix}-t {prefix}-d" font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="{prefix}-t">{escape(title)}</title><desc id="{prefix}-d">{escape(desc)}</desc>',
        DEFS.format(p=prefix),
    ]


def _clip(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[: chars - 1] + "…"


def hbars(prefix: str, rows: list[tuple[str, int]], title: str, desc: str, width: int = 420) -> Markup:
    """Horizontal bars, one per row: the label above its bar, the number at the bar's end."""
    top = max((v for _, v in rows), default=0) or 1
    row_h, bar_h = 40, 16
    height = row_h * len(rows) + 8
    out = _open(prefix, width, height, title, desc)
    usable = width - 60
    for i, (label, value) in enumerate(rows):
        y = i * row_h + 4
        w = max(2, round(usable * value / top))
        full, shown = escape(label), escape(_clip(label, 58))
        out.append(f'<text x="0" y="{y + 12}" fill="{INK}"><title>{full}</title>{shown}</text>')
        out.append(
            f'<rect x="0" y="{y + 18}" width="{w}" height="{bar_h}" fill="{_fill(prefix, "hatch")}"'
            f' stroke="{INK}" stroke-width="1"/>'
        )
        out.append(f'<text x="{w + 6}" y="{y + 31}" fill="{INK}" font-weight="bold">{value}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def columns(
    prefix: str, labels: list[str], series: list[tuple[str, list[int]]], title: str, desc: str, width: int = 420
) -> Markup:
    """Grouped columns over time (one group per label, one column per series), with a legend and numbers."""
    top = max((v for _, values in series for v in values), default=0) or 1
    height, base, legend_h = 220, 170, 24
    left = 8
    group = (width - left) / max(1, len(labels))
    col = min(22.0, (group - 6) / max(1, len(series)))
    out = _open(prefix, width, height + legend_h, title, desc)
    for s, (name, _) in enumerate(series):  # the legend: a swatch of the pattern and the series' name
        x = left + s * 150
        pattern = PATTERNS[s % len(PATTERNS)]
        out.append(
            f'<rect x="{x}" y="2" width="18" height="14" fill="{_fill(prefix, pattern)}" stroke="{INK}"'
            ' stroke-width="1"/>'
        )
        out.append(f'<text x="{x + 24}" y="14" fill="{INK}">{escape(name)}</text>')
    out.append(f'<line x1="{left}" y1="{base + legend_h}" x2="{width}" y2="{base + legend_h}" stroke="{INK}"/>')
    for g, label in enumerate(labels):
        gx = left + g * group + 3
        for s, (_, values) in enumerate(series):
            v = values[g] if g < len(values) else 0
            h = round((base - 30) * v / top)
            x = gx + s * col
            y = base + legend_h - h
            pattern = PATTERNS[s % len(PATTERNS)]
            if v:
                out.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{col - 2:.1f}" height="{h}" fill="{_fill(prefix, pattern)}"'
                    f' stroke="{INK}" stroke-width="1"/>'
                )
                out.append(
                    f'<text x="{x + (col - 2) / 2:.1f}" y="{y - 4}" text-anchor="middle" fill="{INK}"'
                    f' font-size="11">{v}</text>'
                )
        cx = gx + len(series) * col / 2
        out.append(
            f'<text x="{cx:.1f}" y="{base + legend_h + 16}" text-anchor="middle" fill="{INK}"'
            f' font-size="11">{escape(label)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def shares(prefix: str, parts: list[tuple[str, int]], title: str, desc: str, width: int = 420) -> Markup:
    """One bar split into parts (each with its pattern), and under it each part's name, count and per cent."""
    total = sum(v for _, v in parts)
    height = 40 + 22 * len(parts)
    said = "; ".join(f"{name}: {v} ({round(100 * v / total) if total else 0} %)" for name, v in parts)
    out = _open(prefix, width, height, title, f"{desc} {said}")  # the figures are read out too
    x = 0.0
    for i, (name, value) in enumerate(parts):
        w = (width - 2) * value / total if total else 0
        pattern = PATTERNS[i % len(PATTERNS)]
        if w:
            out.append(
                f'<rect x="{x + 1:.1f}" y="1" width="{w:.1f}" height="26" fill="{_fill(prefix, pattern)}"'
                f' stroke="{INK}" stroke-width="1"/>'
            )
        x += w
        pct = round(100 * value / total) if total else 0
        y = 50 + 22 * i
        out.append(
            f'<rect x="0" y="{y - 12}" width="18" height="14" fill="{_fill(prefix, pattern)}" stroke="{INK}"'
            ' stroke-width="1"/>'
        )
        out.append(f'<text x="26" y="{y}" fill="{INK}">{escape(name)}: {value} ({pct} %)</text>')
    out.append("</svg>")
    return Markup("".join(out))


def spark(prefix: str, values: list[int], title: str, width: int = 120, height: int = 28) -> Markup:
    """A small column per week, for one theme's row; the numbers are in the table beside it."""
    top = max(values, default=0) or 1
    step = width / max(1, len(values))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line x1="0" y1="{height - 1}" x2="{width}" y2="{height - 1}" stroke="{INK}"/>',
    ]
    for i, v in enumerate(values):
        h = round((height - 4) * v / top)
        if v:
            out.append(
                f'<rect x="{i * step + 1:.1f}" y="{height - 1 - h}" width="{max(1.0, step - 2):.1f}" height="{h}"'
                f' fill="{INK}"/>'
            )
    out.append("</svg>")
    return Markup("".join(out))
