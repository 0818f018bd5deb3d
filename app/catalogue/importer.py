"""Imports a unit's 职权目录 from the Excel template, all rows or none.

The file is read by ``app.uploads`` (only the cells it holds, within the row
and column limits, no cell that would run as a formula). Every row is then
checked (required columns, 权力类别 spelled as on the form, 公开形式/范围/时间
from their lists, 承办处室 existing in the unit, a name twice in the file); any error → nothing is written and each bad row and
column is named.  A power already in the catalogue (same unit, same name) is
updated, so importing the same file twice does not duplicate it.
"""
from dataclasses import dataclass

from app.catalogue.models import LIST_SEPARATOR, Power
from app.catalogue.tables import DIRECTORY_HEADINGS
from app.enums import NO_FEE, DisclosureForm, DisclosureScope, DisclosureTime, PowerCategory
from app.extensions import db
from app.organisation.models import Section
from app.uploads import UnreadableSheet, read_first_sheet

FIELDS = {  # heading on the form -> Power attribute
    "权力名称": "name", "权力类别": "category", "实施依据": "basis", "公开形式": "disclosure_forms",
    "公开范围": "disclosure_scope", "公开时间": "disclosure_time", "收费依据和标准": "fee",
    "承办处室": "section", "备注": "remarks",
}
REQUIRED = ("权力名称", "权力类别", "实施依据")


@dataclass
class Problem:
    row: int      # the row number Excel shows
    column: str   # the heading of the column
    message: str

    def __str__(self):
        return f"第 {self.row} 行「{self.column}」：{self.message}"


class ImportRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("；".join(map(str, problems)))
        self.problems = problems


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _headings(values) -> dict[str, int] | None:
    """{heading: column index} when ``values`` is the template's heading row."""
    cells = [_text(v).replace("\n", "") for v in values]
    if "权力名称" in cells and "权力类别" in cells:
        return {h: cells.index(h) for h in DIRECTORY_HEADINGS if h in cells}
    return None


def _refused(unreadable: UnreadableSheet) -> ImportRefused:
    """The reader's refusals, each column named by its heading where there is one."""
    names = next((h for _, values in unreadable.rows if (h := _headings(values))), {})
    by_index = {i: h for h, i in names.items()}
    return ImportRefused([Problem(p.row, "文件" if not p.column else by_index.get(p.column - 1, f"{p.letter} 列"),
                                  p.message) for p in unreadable.problems])


def read_rows(stream) -> list[tuple[int, dict[str, str]]]:
    """(Excel row number, {heading: text}) for every filled row of the template."""
    try:
        sheet_rows = read_first_sheet(stream)
    except UnreadableSheet as unreadable:
        raise _refused(unreadable)
    header_at, columns, rows = None, {}, []
    for number, values in sheet_rows:
        if header_at is None:
            found = _headings(values)
            if found:
                header_at, columns = number, found
            continue
        if values and _text(values[0]).replace(" ", "") == "合计":
            break
        record = {h: _text(values[i]) if i < len(values) else "" for h, i in columns.items()}
        if any(record.get(h) for h in FIELDS):
            rows.append((number, record))
    if header_at is None:
        raise ImportRefused([Problem(1, "表头", "找不到「权力名称」「权力类别」等表头，请使用职权目录模板。")])
    missing = [h for h in FIELDS if h not in columns]
    if missing:
        raise ImportRefused([Problem(header_at, h, "模板缺少此列。") for h in missing])
    return rows


def check(unit, rows) -> tuple[list[dict], list[Problem]]:
    sections = {s.name: s for s in db.session.query(Section).filter_by(unit_id=unit.id)}
    problems, records, seen = [], [], {}
    for number, row in rows:
        bad = lambda column, message: problems.append(Problem(number, column, message))  # noqa: E731
        for column in REQUIRED:
            if not row[column]:
                bad(column, "必须填写。")
        category = PowerCategory.parse(row["权力类别"])
        if row["权力类别"] and category is None:
            bad("权力类别", f"「{row['权力类别']}」不是规定的类别，应为：{'、'.join(PowerCategory.values())}。")
        forms = [f for f in row["公开形式"].replace("，", LIST_SEPARATOR).replace(",", LIST_SEPARATOR)
                 .split(LIST_SEPARATOR) if f.strip()]
        wrong = [f for f in forms if f.strip() not in DisclosureForm.values()]
        if wrong:
            bad("公开形式", f"「{'、'.join(wrong)}」不在可选范围（{'、'.join(DisclosureForm.values())}）内。")
        for column, enum in (("公开范围", DisclosureScope), ("公开时间", DisclosureTime)):
            if row[column] and row[column] not in enum.values():
                bad(column, f"「{row[column]}」应为：{'、'.join(enum.values())}。")
        if row["承办处室"] and row["承办处室"] not in sections:
            bad("承办处室", f"本单位没有「{row['承办处室']}」。")
        name = row["权力名称"]
        if name in seen:
            bad("权力名称", f"与第 {seen[name]} 行重复。")
        seen.setdefault(name, number)
        records.append({
            "name": name, "category": category.value if category else None, "basis": row["实施依据"],
            "disclosure_forms": LIST_SEPARATOR.join(f.strip() for f in forms) or None,
            "disclosure_scope": row["公开范围"] or None, "disclosure_time": row["公开时间"] or None,
            "fee": row["收费依据和标准"] or NO_FEE, "remarks": row["备注"] or None,
            "section": sections.get(row["承办处室"]),
        })
    if not rows:
        problems.append(Problem(1, "文件", "模板中没有填写任何职权。"))
    return records, problems


def import_catalogue(unit, stream) -> dict[str, int]:
    """Validates the whole file, then writes it in one transaction."""
    records, problems = check(unit, read_rows(stream))
    if problems:
        raise ImportRefused(problems)
    existing = {p.name: p for p in db.session.query(Power).filter_by(unit_id=unit.id)}
    created = updated = 0
    for record in records:
        power = existing.get(record["name"])
        if power is None:
            power = Power(unit=unit, subject=unit.name)
            db.session.add(power)
            created += 1
        else:
            updated += 1
        for key, value in record.items():
            setattr(power, key, value)
    db.session.commit()
    return {"created": created, "updated": updated}
