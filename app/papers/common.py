"""What the register forms share: the content they are drawn from and the
rows every one of them is made of (标签 | 内容 pairs, types merged down)."""
from dataclasses import dataclass, field

from app.enums import ControlStage
from app.exports.grid import LABEL, Grid

BLANK_DATE = "　　年　　月　　日"


@dataclass
class Sheet:
    """What a register layout needs besides the content."""
    content: dict
    opinions: dict[str, str] = field(default_factory=dict)   # 科室意见 → text
    signatures: dict[str, str] = field(default_factory=dict)  # 填表人签字 → "姓名 2026年…"
    header: dict = field(default_factory=dict)                # 职务, 任职时间, 岗位职责 …
    date: str = BLANK_DATE
    county: str = ""                                          # 龙胜县: the titles of 000 附件5–9


def measures_text(risk) -> str:
    by_stage = {s.value: [] for s in ControlStage}
    for m in risk["measures"]:
        by_stage.setdefault(m["stage"], []).append(m["content"])
    lines = [f"{stage}：{'；'.join(items)}" for stage, items in by_stage.items() if items]
    lines += [f"监督办法：{m}" for m in risk["methods"]]
    return "\n".join(lines)


def responsible_text(risk) -> str:
    names = []
    for m in risk["measures"]:
        if m["responsible"] and m["responsible"] not in names:
            names.append(m["responsible"])
    return "、".join(names)


def sign_line(sheet: Sheet, *labels) -> str:
    parts = [f"{label}：{sheet.signatures.get(label, '　' * 4)}" for label in labels]
    return "　　".join(parts)


def typed_rows(grid, risks, types, text, width, extra=None):
    """Rows grouped by 风险类别, the type label merged down its rows (000 附件5–8)."""
    for risk_type in types:
        items = [r for r in risks if r["type"] == risk_type] or [None]
        top = grid.height
        grid.add(top, 0, f"{risk_type}风险", rows=len(items), kind=LABEL)
        for i, risk in enumerate(items):
            values = [text(risk) if risk else ""] + ([extra(risk) if risk else ""] if extra else [])
            col = 1
            for value, span in zip(values, width):
                grid.add(top + i, col, value, cols=span)
                col += span


def pairs(grid: Grid, items, spans=None):
    """A row of 标签 | 内容 pairs; ``spans`` widens the content cells."""
    spans = spans or {}
    row, col = grid.height, 0
    for label, value in items:
        if not label and not value:
            grid.add(row, col, "", cols=2)
            col += 2
            continue
        grid.add(row, col, label, kind=LABEL)
        span = spans.get(col + 1, 1)
        grid.add(row, col + 1, value or "", cols=span)
        col += 1 + span


def filled_line(filled_by: str | None, when: str, by_label="填表人", when_label="填表时间") -> str:
    """填表人 … 填表时间 … as under the catalogue tables and the 汇总表."""
    return f"{by_label}：{filled_by or '　' * 6}　　　　　　{when_label}：{when or BLANK_DATE}"
