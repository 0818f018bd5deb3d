"""The registers on paper: seed 000 附件5–8 and seed 002 附件3–5, as grids.

Each layout reads a form's content as :func:`app.workflow.engine.snapshot`
gives it (so a signed revision prints exactly as it was signed), plus the
opinions and signatures the review recorded.
"""
from dataclasses import dataclass, field

from app.enums import ControlStage, RiskType
from app.exports.grid import HEAD, LABEL, Grid


@dataclass
class Sheet:
    """What a layout needs besides the content."""
    content: dict
    opinions: dict[str, str] = field(default_factory=dict)   # 科室意见 → text
    signatures: dict[str, str] = field(default_factory=dict)  # 填表人签字 → "姓名 2026年…"
    header: dict = field(default_factory=dict)                # 职务, 任职时间, 岗位职责 …
    date: str = ""


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


def _sign_line(sheet: Sheet, *labels) -> str:
    parts = [f"{label}：{sheet.signatures.get(label, '　' * 4)}" for label in labels]
    return "　　".join(parts)


def _typed_rows(grid, risks, types, text, width, extra=None):
    """Rows grouped by 风险类别, the type label merged down its rows (附件5–8)."""
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


# ── seed 000 ───────────────────────────────────────────────────────────
def person_finding(sheet: Sheet) -> Grid:
    """附件5 龙胜县个人廉政风险点查找表."""
    c, h = sheet.content, sheet.header
    grid = Grid("个人廉政风险点查找表", [12, 14, 12, 14, 12, 14], landscape=False, sheet="个人查找表",
                footer=[_sign_line(sheet, "填表人签字") + f"　　填表时间：{sheet.date}"])
    _pairs(grid, [("姓名", c["person"]), ("单位", c["unit"]), ("岗位名称", c["post"])])
    _pairs(grid, [("职务", h.get("title", "")), ("任职时间", h.get("since", "")), ("", "")])
    grid.append(["风险类别", "具体内容及表现形式"], HEAD, spans={1: 5})
    _typed_rows(grid, c["risks"], [RiskType.MORAL, RiskType.DUTY], lambda r: r["content"], [5])
    return grid


def section_finding(sheet: Sheet) -> Grid:
    """附件6 龙胜县部门廉政风险点查找表."""
    c, h = sheet.content, sheet.header
    grid = Grid("部门廉政风险点查找表", [12, 14, 12, 14, 12, 14], landscape=False, sheet="部门查找表",
                footer=[_sign_line(sheet, "填表人签字", "第一责任人签字") + f"　　填表时间：{sheet.date}"])
    _pairs(grid, [("部门", c["section"]), ("责任人姓名", c["owner"]), ("职务", h.get("title", ""))])
    _pairs(grid, [("任职时间", h.get("since", "")), ("部门工作职责", h.get("duties", ""))], spans={3: 3})
    grid.append(["风险类别", "具体内容及表现形式"], HEAD, spans={1: 5})
    _typed_rows(grid, c["risks"], [RiskType.DUTY, RiskType.INSTITUTIONAL], lambda r: r["content"], [5])
    return grid


def section_register(sheet: Sheet) -> Grid:
    """附件7 龙胜县部门廉政风险识别、防控、监督登记表."""
    c, h = sheet.content, sheet.header
    grid = Grid("部门廉政风险识别、防控、监督登记表", [12, 14, 12, 14, 12, 24], sheet="部门登记表",
                footer=[_sign_line(sheet, "负责填表人签字", "第一责任人签字") + f"　　填表日期：{sheet.date}"])
    _pairs(grid, [("部门", c["section"]), ("责任人姓名", c["owner"]), ("职务", h.get("title", ""))])
    _pairs(grid, [("任职时间", h.get("since", "")), ("部门工作职责", h.get("duties", ""))], spans={3: 3})
    grid.append(["风险类别", "潜在风险点", "防控措施"], HEAD, spans={1: 2, 3: 3})
    _typed_rows(grid, c["risks"], [RiskType.DUTY, RiskType.INSTITUTIONAL],
                lambda r: f"{r['content']}（{r['level']}）", [2, 3], extra=measures_text)
    _pairs(grid, [("改正意见", sheet.opinions.get("改正意见") or c.get("correction") or "")], spans={1: 5})
    return grid


def person_register(sheet: Sheet) -> Grid:
    """附件8 龙胜县个人廉政风险识别、防控、监督登记表."""
    c, h = sheet.content, sheet.header
    grid = Grid("个人廉政风险识别、防控、监督登记表", [12, 14, 12, 14, 12, 24], sheet="个人登记表",
                footer=[_sign_line(sheet, "填表人签字", "分管领导签字") + f"　　填表日期：{sheet.date}"])
    _pairs(grid, [("姓名", c["person"]), ("单位", c["unit"]), ("岗位名称", c["post"])])
    _pairs(grid, [("职务", h.get("title", "")), ("任职时间", h.get("since", "")), ("", "")])
    _pairs(grid, [("岗位职责", h.get("duties", ""))], spans={1: 5})
    grid.append(["风险类别", "潜在风险点及表现", "防控措施"], HEAD, spans={1: 2, 3: 3})
    _typed_rows(grid, c["risks"], [RiskType.MORAL, RiskType.DUTY],
                lambda r: f"{r['content']}（{r['level']}）", [2, 3], extra=measures_text)
    _pairs(grid, [("个人防范风险公开承诺", c.get("pledge") or "")], spans={1: 5})
    return grid


# ── seed 002 ───────────────────────────────────────────────────────────
def _register_002(title, sheet_name, sheet: Sheet, top_rows, duties_label, closing) -> Grid:
    c = sheet.content
    grid = Grid(title, [10, 6, 40, 8, 40, 12], sheet=sheet_name,
                footer=[_sign_line(sheet, "填表人签字") + f"　　填表日期：{sheet.date}"])
    for pairs in top_rows:
        _pairs(grid, pairs, spans={1: 2, 4: 2} if len(pairs) == 2 else {1: 5})
    _pairs(grid, [(duties_label, sheet.header.get("duties", ""))], spans={1: 5})
    risks = c["risks"] or [None]
    top = grid.height
    grid.add(top, 0, "廉政风险及防控措施", rows=len(risks) + 1, kind=LABEL)
    for col, heading in enumerate(["序号", "廉政风险点主要内容及表现形式", "风险等级", "防控措施", "责任人"], 1):
        grid.add(top, col, heading, kind=HEAD)
    for i, risk in enumerate(risks, start=1):
        values = [i, risk["content"], risk["level"], measures_text(risk), responsible_text(risk)] if risk else [1, "", "", "", ""]
        for col, value in enumerate(values, 1):
            grid.add(top + i, col, value)
    for label in closing:
        value = c.get("pledge") if label == "个人廉政承诺" else sheet.opinions.get(label, "")
        _pairs(grid, [(label, value or "")], spans={1: 5})
    return grid


def unit_register_002(sheet: Sheet) -> Grid:
    """seed 002 附件3 单位廉政风险登记表."""
    return _register_002("单位廉政风险登记表", "单位登记表", sheet,
                         [[("单    位", sheet.content["unit"])]], "主要职责", ["党组（党委）意见"])


def section_register_002(sheet: Sheet) -> Grid:
    """seed 002 附件4 内设部门廉政风险登记表."""
    c = sheet.content
    return _register_002("内设部门廉政风险登记表", "内设部门登记表", sheet,
                         [[("单    位", c["unit"]), ("内设部门", c["section"])]], "部门职责",
                         ["分管领导意见", "党组（党委）意见"])


def person_register_002(sheet: Sheet) -> Grid:
    """seed 002 附件5 个人岗位廉政风险登记表."""
    c = sheet.content
    return _register_002("个人岗位廉政风险登记表", "个人岗位登记表", sheet,
                         [[("单 位", c["unit"]), ("岗 位", c["post"] or "")]], "主要职责",
                         ["个人廉政承诺", "科室意见", "分管领导意见", "党组（党委）意见"])


def _pairs(grid, pairs, spans=None):
    """A row of 标签 | 内容 pairs; ``spans`` widens the content cells."""
    spans = spans or {}
    row, col = grid.height, 0
    for label, value in pairs:
        if not label and not value:
            grid.add(row, col, "", cols=2)
            col += 2
            continue
        grid.add(row, col, label, kind=LABEL)
        span = spans.get(col + 1, 1)
        grid.add(row, col + 1, value or "", cols=span)
        col += 1 + span


LAYOUTS = {  # the paper forms of each kind of register, in the order printed
    "个人": [person_register_002, person_register, person_finding],
    "部门": [section_register_002, section_register, section_finding],
    "单位": [unit_register_002],
}
