"""Imports a unit's 职权目录 from Excel, in either seed's layout, all rows or none.

- seed 002 附件2 职权目录: one sheet, a 权力类别 column (the downloadable template);
- seed 000 附件2 行政职权目录分表: one sheet per category, the category in the
  sheet's title「行政职权目录分表（行政处罚类）」, columns 项目名称, 实施主体,
  收费(征收)依据和标准, 承办机构.

The layout is recognised from the headings of each sheet.  The file is read by
``app.uploads`` (only the cells it holds, within the limits, no cell that would
run as a formula).  Every row is then checked (required columns, 权力类别 in
the layout's own words, 公开形式/范围/时间 from their lists, 承办处室/机构 a
section of the unit, a name twice in the file, the field limits, a confirmed
power changed); any error → nothing is written and each bad row and column is
named.  New powers are drafts (草稿); a draft already in the catalogue (same
unit, same name) is updated, so importing the same file twice duplicates nothing.
"""
import re
from dataclasses import dataclass, field

from app.catalogue.models import LIST_SEPARATOR, Power
from app.enums import NO_FEE, DisclosureForm, DisclosureScope, DisclosureTime, PowerCategory, PowerStatus
from app.extensions import db
from app.imports.common import ImportRefused, Problem, heading, headings_at, limit_problem, refused, text
from app.organisation.models import Section
from app.papers import s000_a2_catalogue_category as s000, s002_a2_directory as s002
from app.uploads import UnreadableSheet, read_sheets

__all__ = ["ImportRefused", "Problem", "import_catalogue", "Imported"]


@dataclass(frozen=True, eq=False)
class Layout:
    key: str
    name: str
    columns: dict[str, str]   # heading as compared (app.imports.common.heading) -> Power attribute
    words: list[str]          # 权力类别 as this form writes them, in its order

    def heading_of(self, attr: str) -> str:
        return next(h for h, a in self.columns.items() if a == attr)


D002 = Layout("002", "职权目录（002 附件2）", {
    "权力名称": "name", "权力类别": "category", "实施依据": "basis", "公开形式": "disclosure_forms",
    "公开范围": "disclosure_scope", "公开时间": "disclosure_time", "收费依据和标准": "fee",
    "承办处室": "section", "备注": "remarks"}, s002.CATEGORY_WORDS)
C000 = Layout("000", "行政职权目录分表（000 附件2）", {
    "项目名称": "name", "实施主体": "subject", "实施依据": "basis", "公开形式": "disclosure_forms",
    "公开范围": "disclosure_scope", "公开时间": "disclosure_time", "收费(征收)依据和标准": "fee",
    "承办机构": "section", "备注": "remarks"}, s000.CATEGORY_WORDS)
LAYOUTS = (D002, C000)
REQUIRED = ("name", "category", "basis")
STOP = ("合计", "填表人", "填表说明", "说明")  # the lines under the table
TITLE = re.compile(r"目录分表[(（](.*)类[)）]\s*$")
LAYOUT_CHOICES = {"002": "002 附件2 职权目录（一张表，含权力类别列）",
                  "000": "000 附件2 行政职权目录分表（每类一张工作表）"}


def _layout_of(values) -> tuple[Layout, dict[str, int]] | None:
    cells = {heading(v) for v in values}
    if {"权力名称", "权力类别"} <= cells:
        return D002, headings_at(values, D002.columns)
    if "项目名称" in cells and ({"实施主体", "承办机构"} & cells):
        return C000, headings_at(values, C000.columns)
    return None


def _columns_of(_sheet, rows) -> dict[int, str]:
    """{column index: heading} of a sheet, to name the reader's refusals."""
    for _, values in rows:
        found = _layout_of(values)
        if found:
            return {i: h for h, i in found[1].items()}
    return {}


@dataclass
class Row:
    number: int
    sheet: str
    layout: Layout
    values: dict[str, str]            # Power attribute -> text
    category_at: tuple[int, str] = (0, "")   # where the category was read (row, heading)

    def problem(self, attr, message) -> Problem:
        column = self.category_at[1] if attr == "category" and self.category_at[1] else self.layout.heading_of(attr)
        row = self.category_at[0] if attr == "category" and self.category_at[0] else self.number
        return Problem(row, column, message, self.sheet)


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    layouts: set = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)   # sheets that hold no catalogue


def _category_title(title: str, rows, header_at: int) -> tuple[int, str, str]:
    """(row, cell text, category words) of the 000 sheet's title, else the sheet's name."""
    for number, values in rows:
        if number >= header_at:
            break
        for value in values:
            found = TITLE.search(text(value))
            if found:
                return number, text(value), found.group(1).strip()
    return 0, title, title


def read(stream) -> Parsed:
    try:
        sheets = read_sheets(stream)
    except UnreadableSheet as unreadable:
        raise refused(unreadable, _columns_of)
    parsed, problems = Parsed(), []
    for title, rows in sheets:
        header = next(((n, found) for n, values in rows if (found := _layout_of(values))), None)
        if header is None:
            if rows:
                parsed.skipped.append(title)
            continue
        header_at, (layout, columns) = header
        parsed.layouts.add(layout)
        missing = [h for h, attr in layout.columns.items() if attr in REQUIRED and h not in columns]
        problems += [Problem(header_at, h, "缺少此列。", title) for h in missing]
        if missing:
            continue
        category = None
        if layout is C000:
            at, where, words = _category_title(title, rows, header_at)
            category = (at, "标题" if at else "工作表名称", words)
        for number, values in rows:
            if number <= header_at:
                continue
            first = heading(values[0]) if values else ""
            if first.startswith(STOP):
                break
            record = {attr: text(values[columns[h]]) if h in columns and columns[h] < len(values) else ""
                      for h, attr in layout.columns.items()}   # a column the clerk left out: blank
            if not any(record.values()) or list(filter(None, record.values())) == ["无"]:
                continue
            row = Row(number, title, layout, record)
            if category:
                row.values["category"] = category[2]
                row.category_at = (category[0] or number, category[1])
            parsed.rows.append(row)
    if problems:
        raise ImportRefused(problems)
    if not parsed.layouts:
        raise ImportRefused([Problem(1, "表头", "找不到「权力名称」「权力类别」（002 附件2 职权目录）或「项目名称」"
                                           "「实施主体」（000 附件2 行政职权目录分表）等表头，请使用职权目录模板。")])
    if len(parsed.layouts) > 1:
        raise ImportRefused([Problem(1, "文件", "同一文件中既有「职权目录」又有「行政职权目录分表」，"
                                            "请只保留一种格式的工作表后再导入。")])
    return parsed


def _section(unit, sections, name: str):
    """A section of the unit by its name, also when written after the unit's name (县财政局预算股)."""
    return sections.get(name) or (sections.get(name[len(unit.name):]) if name.startswith(unit.name) else None)


def check(unit, parsed: Parsed) -> tuple[list[dict], list[Problem]]:
    sections = {s.name: s for s in db.session.query(Section).filter_by(unit_id=unit.id)}
    problems, records, seen = [], [], {}
    for row in parsed.rows:
        v, layout = row.values, row.layout
        bad = lambda attr, message: problems.append(row.problem(attr, message))  # noqa: E731
        for attr in REQUIRED:
            if not v.get(attr):
                bad(attr, "必须填写。")
        category = PowerCategory.parse(v.get("category", ""))
        if v.get("category") and category is None:
            bad("category", f"「{v['category']}」不是规定的类别，应为：{'、'.join(layout.words)}。")
        forms = [f.strip() for f in re.split(r"[、，,；;]", v["disclosure_forms"]) if f.strip()]
        wrong = [f for f in forms if f not in DisclosureForm.values()]
        if wrong:
            bad("disclosure_forms", f"「{'、'.join(wrong)}」不在可选范围（{'、'.join(DisclosureForm.values())}）内。")
        for attr, enum in (("disclosure_scope", DisclosureScope), ("disclosure_time", DisclosureTime)):
            if v[attr] and v[attr] not in enum.values():
                bad(attr, f"「{v[attr]}」应为：{'、'.join(enum.values())}。")
        section = _section(unit, sections, v["section"]) if v["section"] else None
        if v["section"] and section is None:
            bad("section", f"本单位没有「{v['section']}」。")
        name = v["name"]
        if name and name in seen:
            bad("name", f"与{seen[name]}重复。")
        if name:
            seen.setdefault(name, f"{'工作表「' + row.sheet + '」' if row.sheet else ''}第 {row.number} 行")
        record = {
            "name": name, "category": category.value if category else None, "basis": v["basis"],
            "disclosure_forms": LIST_SEPARATOR.join(forms) or None,
            "disclosure_scope": v["disclosure_scope"] or None, "disclosure_time": v["disclosure_time"] or None,
            "fee": v["fee"] or NO_FEE, "remarks": v["remarks"] or None, "section": section,
        }
        if "subject" in layout.columns.values():   # 000's 实施主体; blank: the unit itself
            record["subject"] = v["subject"] or unit.name
        for attr in ("name", "subject", "basis", "disclosure_forms", "fee", "remarks"):
            if attr not in record:
                continue
            found = limit_problem(Power, attr, record[attr], row.number, layout.heading_of(attr), row.sheet)
            if found:
                problems.append(found)
        records.append((row, record))
    if not parsed.rows:
        problems.append(Problem(1, "文件", "模板中没有填写任何职权。"))
    return records, list(dict.fromkeys(problems))   # a sheet's title is wrong once, not on every row


def _same(power: Power, record: dict) -> bool:
    return all((getattr(power, k) if k != "section" else power.section) == value for k, value in record.items())


@dataclass
class Imported:
    layout: Layout
    created: list[Power] = field(default_factory=list)
    updated: list[Power] = field(default_factory=list)
    unchanged: list[Power] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def powers(self) -> list[Power]:
        return self.created + self.updated + self.unchanged

    def __getitem__(self, key):   # {"created": n, "updated": n} as before
        return len(getattr(self, key))


def import_catalogue(unit, stream) -> Imported:
    """Validates the whole file, then writes it in one transaction."""
    parsed = read(stream)
    records, problems = check(unit, parsed)
    existing = {p.name: p for p in db.session.query(Power).filter_by(unit_id=unit.id)}
    for row, record in records:
        power = existing.get(record["name"])
        if power is not None and power.status != PowerStatus.DRAFT.value and not _same(power, record):
            problems.append(row.problem("name", f"「{power.name}」为「{power.status}」状态，不能通过导入修改；"
                                                "如需修改，请先在职权列表中将其退回草稿。"))
    if problems:
        raise ImportRefused(problems)
    result = Imported(next(iter(parsed.layouts)), skipped=parsed.skipped)
    for _, record in records:
        power = existing.get(record["name"])
        if power is None:
            power = Power(unit=unit, subject=unit.name, status=PowerStatus.DRAFT.value)
            db.session.add(power)
            result.created.append(power)
        elif _same(power, record):
            result.unchanged.append(power)
            continue
        else:
            result.updated.append(power)
        for key, value in record.items():
            setattr(power, key, value)
    db.session.commit()
    return result
