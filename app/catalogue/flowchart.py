"""Draws a power's 权力运行流程图 as SVG, by the app itself.

Steps are laid out in layers (the longest chain of arrows leading to a step),
top to bottom; steps of one layer sit side by side in their order.  Text is
wrapped inside the boxes by display width (a CJK character is two columns),
and nothing is fetched: the fonts named are local ones.
"""
import unicodedata
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

FONT = "'WenQuanYi Micro Hei','Microsoft YaHei','SimSun',sans-serif"
BOX_W, PAD, LINE_H, NAME_H = 220, 10, 18, 22
GAP_X, GAP_Y, MARGIN = 40, 56, 24
MAX_COLS = 26  # display columns per line inside a box (13 CJK characters)
LEVEL_COLOURS = {"一级": "#c0392b", "二级": "#e67e22", "三级": "#2e86c1"}


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, cols: int = MAX_COLS) -> list[str]:
    """Breaks text into lines of at most ``cols`` display columns."""
    lines, line = [], ""
    for ch in (text or "").replace("\n", " "):
        if width(line + ch) > cols:
            lines.append(line)
            line = ch.lstrip()
        else:
            line += ch
    if line:
        lines.append(line)
    return lines


@dataclass
class Box:
    id: int
    name: str
    details: list[str]
    risk: str | None = None  # the highest risk level hanging on the step
    layer: int = 0
    x: float = 0
    y: float = 0
    lines: list[str] = field(default_factory=list)

    @property
    def height(self) -> float:
        return NAME_H * len(self.name_lines) + LINE_H * len(self.lines) + 2 * PAD

    @property
    def name_lines(self) -> list[str]:
        return wrap(self.name, MAX_COLS - 4)


def layout(steps, arrows):
    """steps: [(id, name, details)], in order; arrows: [(source, target, label)]."""
    boxes = {sid: Box(sid, name, details) for sid, name, details in steps}
    order = {sid: i for i, (sid, *_rest) in enumerate(steps)}
    forward = [(s, t) for s, t, _ in arrows if s in boxes and t in boxes and order[s] < order[t]]
    for sid, *_ in steps:  # in order, so every predecessor is placed first
        preds = [boxes[s].layer + 1 for s, t in forward if t == sid]
        boxes[sid].layer = max(preds, default=0)
    for box in boxes.values():
        box.lines = [line for d in box.details for line in wrap(d)]
    layers: dict[int, list[Box]] = {}
    for sid, *_ in steps:
        layers.setdefault(boxes[sid].layer, []).append(boxes[sid])
    widest = max((len(row) for row in layers.values()), default=1)
    total_w = widest * BOX_W + (widest - 1) * GAP_X
    y = MARGIN
    for _, row in sorted(layers.items()):
        row_w = len(row) * BOX_W + (len(row) - 1) * GAP_X
        x = MARGIN + (total_w - row_w) / 2
        for box in row:
            box.x, box.y = x, y
            x += BOX_W + GAP_X
        y += max(b.height for b in row) + GAP_Y
    return boxes, total_w + 2 * MARGIN + 80, y - GAP_Y + MARGIN


def render(steps, arrows, risks: dict[int, str] | None = None, title: str = "") -> str:
    """The SVG document; ``risks`` maps a step id to its highest risk level."""
    boxes, w, h = layout(steps, arrows)
    for sid, level in (risks or {}).items():
        if sid in boxes:
            boxes[sid].risk = level
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
           f'viewBox="0 0 {w:.0f} {h:.0f}" font-family="{FONT}" font-size="13">',
           f"<title>{escape(title)}</title>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
           'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/>'
           '</marker></defs>',
           '<rect width="100%" height="100%" fill="#fff"/>']
    lanes = iter(range(1, len(arrows) + 1))  # each long arrow gets its own side lane
    for source, target, label in arrows:
        if source in boxes and target in boxes:
            out.append(_arrow(boxes[source], boxes[target], label, w, lanes))
    for box in boxes.values():
        out.append(_box(box))
    out.append("</svg>")
    return "\n".join(out)


def _box(box: Box) -> str:
    colour = LEVEL_COLOURS.get(box.risk, "#333")
    stroke = 3 if box.risk else 1.5
    parts = [f'<g class="step" data-step="{box.id}">',
             f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{BOX_W}" height="{box.height:.0f}" '
             f'rx="6" fill="#fdfdfd" stroke="{colour}" stroke-width="{stroke}"/>']
    y = box.y + PAD + 16
    for line in box.name_lines:
        parts.append(f'<text x="{box.x + BOX_W / 2:.0f}" y="{y:.0f}" text-anchor="middle" '
                     f'font-size="15" font-weight="bold">{escape(line)}</text>')
        y += NAME_H
    for line in box.lines:
        parts.append(f'<text x="{box.x + PAD:.0f}" y="{y - 4:.0f}">{escape(line)}</text>')
        y += LINE_H
    if box.risk:
        parts.append(f'<text x="{box.x + BOX_W - 6:.0f}" y="{box.y + 14:.0f}" text-anchor="end" '
                     f'font-size="11" fill="{colour}">风险·{escape(box.risk)}</text>')
    parts.append("</g>")
    return "".join(parts)


def _arrow(a: Box, b: Box, label: str | None, chart_w: float, lanes) -> str:
    anchor = "start"
    if b.layer == a.layer + 1:  # to the next layer: bottom of a to top of b
        x1, y1 = a.x + BOX_W / 2, a.y + a.height
        x2, y2 = b.x + BOX_W / 2, b.y
        mid = (y1 + y2) / 2
        path = f"M{x1:.0f},{y1:.0f} L{x1:.0f},{mid:.0f} L{x2:.0f},{mid:.0f} L{x2:.0f},{y2:.0f}"
        lx, ly = x2 + 4, y2 - 6
    else:  # skipping layers, or back (e.g. 补正后重新受理): along a lane on the right
        lane = next(lanes)
        x1, y1 = a.x + BOX_W, a.y + a.height / 2
        x2, y2 = b.x + BOX_W / 2 + 12 * (lane % 3), b.y   # enter from above, clear of b's row
        above = b.y - 10 - 6 * (lane % 4)
        side = chart_w - 60 + 10 * (lane % 6)
        path = (f"M{x1:.0f},{y1:.0f} L{side:.0f},{y1:.0f} L{side:.0f},{above:.0f} "
                f"L{x2:.0f},{above:.0f} L{x2:.0f},{y2:.0f}")
        lx, ly, anchor = side - 4, (y1 + above) / 2, "end"
    text = (f'<text x="{lx:.0f}" y="{ly:.0f}" font-size="12" fill="#555" '
            f'text-anchor="{anchor}">{escape(label)}</text>') if label else ""
    return (f'<path d="{path}" fill="none" stroke="#333" stroke-width="1.3" '
            f'marker-end="url(#arrow)"/>{text}')


def for_power(power, risks: dict[int, str] | None = None) -> str:
    steps = [(s.id, s.name, [t for t in (
        f"办理主体：{s.actor}" if s.actor else "", f"期限：{s.time_limit}" if s.time_limit else "")
        if t]) for s in power.steps]
    arrows = [(t.source_id, t.target_id, t.label) for s in power.steps for t in s.exits]
    return render(steps, arrows, risks, title=f"{power.name} 权力运行流程图")
