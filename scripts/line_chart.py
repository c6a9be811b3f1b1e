#!/usr/bin/env python3
"""A small line chart as SVG, from a JSON spec, with the standard library only.

    python3 scripts/line_chart.py SPEC.json OUT.svg

SPEC: {"title": str, "x_label": str, "y_label": str, "x": [labels (strings or numbers)],
       "y_max": number (optional, default 100), "series": {"name": [y or null, ...], ...}}

The x labels are placed evenly (they may be stage names or mistake rates). For the figures in
docs/imitation.md (recovery against mistake rate; the R1 pipeline's accuracy per stage), where
`deepthink plot` (training curves from metrics.jsonl) is the wrong shape.
"""
import json
import sys
from html import escape

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
W, H, LEFT, RIGHT, TOP, BOTTOM = 720, 420, 70, 190, 50, 70


def chart(spec):
    xs = spec["x"]
    y_max = spec.get("y_max", 100)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    px = lambda i: LEFT + (pw * i / max(len(xs) - 1, 1))
    py = lambda y: TOP + ph * (1 - y / y_max)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="24" text-anchor="middle" font-size="15">{escape(spec["title"])}</text>']
    for k in range(6):
        y = y_max * k / 5
        out.append(f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{py(y):.1f}" y2="{py(y):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 8}" y="{py(y) + 4:.1f}" text-anchor="end">{y:g}</text>')
    for i, x in enumerate(xs):
        out.append(f'<text x="{px(i):.1f}" y="{TOP + ph + 18}" text-anchor="middle">{escape(str(x))}</text>')
    out.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + ph}" stroke="black"/>')
    out.append(f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{TOP + ph}" y2="{TOP + ph}" stroke="black"/>')
    out.append(f'<text x="{LEFT + pw / 2}" y="{H - 20}" text-anchor="middle">{escape(spec["x_label"])}</text>')
    out.append(f'<text transform="translate(18 {TOP + ph / 2}) rotate(-90)" text-anchor="middle">{escape(spec["y_label"])}</text>')
    for n, (name, ys) in enumerate(spec["series"].items()):
        colour = COLOURS[n % len(COLOURS)]
        points = [(px(i), py(y)) for i, y in enumerate(ys) if y is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in points:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
        ly = TOP + 10 + 20 * n
        out.append(f'<line x1="{LEFT + pw + 15}" x2="{LEFT + pw + 35}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{LEFT + pw + 40}" y="{ly + 4}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: line_chart.py SPEC.json OUT.svg")
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    with open(sys.argv[2], "w") as f:
        f.write(chart(spec) + "\n")
