"""花名册: a unit's people from Excel into its organisation, all rows or none.

Columns (a clerk's own 花名册 may name some differently, see ``ALIASES``):
姓名, 性别, 身份证号, 科室, 岗位, 职务, 任职时间, 班子成员, 分管科室, 联系电话,
and optionally 单位.  A person is known by his 身份证号: one already in the unit
is updated, so importing the same file twice duplicates nothing; one in another
unit is refused (a transfer is the administrator's).  科室 and 分管科室 must be
sections of this unit; a 岗位 not yet in the unit is created in the person's
科室.  分管科室 makes the person those sections' 分管领导 (it adds; sections he
supervised before are kept).  Only those who keep the unit's data import
(``roles.IMPORTS`` and ``roles.PLACE``, within their scope: app.imports.views).
"""
from dataclasses import dataclass, field

from sqlalchemy import select

from app.enums import Gender
from app.exports.grid import HEAD, Grid
from app.extensions import db
from app.imports.common import (NO, YES, ImportRefused, Problem, heading, headings_at, limit_problem,
                                parse_date, parse_yes, refused, split_list, text)
from app.organisation import rules
from app.organisation.models import Person, Post, Section
from app.uploads import UnreadableSheet, read_first_sheet

HEADINGS = ["序号", "姓名", "性别", "身份证号", "科室", "岗位", "职务", "任职时间", "班子成员", "分管科室", "联系电话"]
WIDTHS = [5, 8, 5, 20, 12, 12, 10, 12, 8, 16, 13]
# Other ways a 花名册 heads the same column.
ALIASES = {"身份证号码": "身份证号", "公民身份号码": "身份证号", "内设部门": "科室", "部门": "科室",
           "科室(部门)": "科室", "所在科室": "科室", "岗位名称": "岗位", "现任职务": "职务",
           "任现职时间": "任职时间", "是否班子成员": "班子成员", "分管部门": "分管科室", "分管": "分管科室",
           "分管内设部门": "分管科室", "电话": "联系电话", "手机": "联系电话", "单位名称": "单位"}
COLUMNS = {h: h for h in HEADINGS[1:] + ["单位"]} | ALIASES
ATTRS = {"姓名": "name", "性别": "gender", "身份证号": "id_number", "职务": "title", "联系电话": "phone"}
REQUIRED = ("姓名", "身份证号")
TEMPLATE_ROWS = 30
NOTES = ("填表说明：1、身份证号为 18 位公民身份号码，请以文本格式填写（数字格式会丢失末几位）；已在本单位的人员按身份证号更新。"
         "2、科室、分管科室须为本单位已有科室，分管科室可填多个，以「、」分隔。3、岗位不在本单位时，在所填科室下新建。"
         "4、任职时间写成 2020-03-01 或 2020年3月。5、班子成员填「是」或「否」。")


def template(unit) -> Grid:
    """The blank 花名册 with drop-downs on 性别, 科室, 岗位, 班子成员 and 分管科室."""
    sections = list(db.session.scalars(select(Section.name).where(Section.unit_id == unit.id).order_by(Section.id)))
    posts = list(dict.fromkeys(db.session.scalars(select(Post.name).where(Post.unit_id == unit.id).order_by(Post.id))))
    g = Grid(f"{unit.name}工作人员花名册", list(WIDTHS), subtitle=f"单位：{unit.name}", notes=NOTES,
             header_rows=1, sheet="花名册")
    g.append(HEADINGS, HEAD)
    for n in range(1, TEMPLATE_ROWS + 1):
        g.append([n] + [None] * (len(HEADINGS) - 1))
    col = HEADINGS.index
    g.text_columns = {col("身份证号"), col("联系电话")}
    g.choose(1, TEMPLATE_ROWS, col("性别"), Gender.values())
    g.choose(1, TEMPLATE_ROWS, col("科室"), sections, prompt="本单位已有的科室")
    g.choose(1, TEMPLATE_ROWS, col("岗位"), posts, strict=False, prompt="本单位已有的岗位；新岗位可直接填写")
    g.choose(1, TEMPLATE_ROWS, col("班子成员"), [YES, NO])
    g.choose(1, TEMPLATE_ROWS, col("分管科室"), sections, strict=False, prompt="可填多个科室，以「、」分隔")
    return g


def _header(values) -> dict[str, int] | None:
    found = headings_at(values, COLUMNS)
    columns = {}
    for h, i in found.items():
        columns.setdefault(COLUMNS[h], i)
    return columns if {"姓名", "身份证号"} <= set(columns) else None


def read(stream) -> tuple[int, dict[str, int], list[tuple[int, dict]]]:
    try:
        rows = read_first_sheet(stream)
    except UnreadableSheet as unreadable:
        def names(_sheet, sheet_rows):
            found = next((h for _, values in sheet_rows if (h := _header(values))), {})
            return {i: h for h, i in found.items()}
        raise refused(unreadable, names)
    header = next(((n, found) for n, values in rows if (found := _header(values))), None)
    if header is None:
        raise ImportRefused([Problem(1, "表头", "找不到「姓名」「身份证号」等表头，请使用花名册模板。")])
    header_at, columns = header
    records = []
    for number, values in rows:
        if number <= header_at:
            continue
        if heading(values[0] if values else "").startswith(("填表", "说明")):
            break
        record = {h: values[i] if i < len(values) else None for h, i in columns.items()}
        if any(text(v) for h, v in record.items() if h != "序号"):
            records.append((number, record))
    if not records:
        raise ImportRefused([Problem(1, "文件", "花名册中没有填写任何人员。")])
    return header_at, columns, records


@dataclass
class Imported:
    created: list[Person] = field(default_factory=list)
    updated: list[Person] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)       # created for the file
    supervised: list[tuple[Person, Section]] = field(default_factory=list)

    @property
    def people(self) -> list[Person]:
        return self.created + self.updated


def check(unit, records) -> tuple[list[dict], list[Problem]]:
    sections = {s.name: s for s in db.session.scalars(select(Section).where(Section.unit_id == unit.id))}
    numbers = [text(r["身份证号"]).upper() for _, r in records]
    known = {p.id_number: p for p in db.session.scalars(select(Person).where(Person.id_number.in_(numbers)))}
    problems, plans, seen, claimed = [], [], {}, {}
    for number, r in records:
        bad = lambda column, message: problems.append(Problem(number, column, message))  # noqa: E731
        v = {h: text(value) for h, value in r.items()}
        for column in REQUIRED:
            if not v.get(column):
                bad(column, "必须填写。")
        if v.get("单位") and v["单位"] not in (unit.name, unit.code):
            bad("单位", f"「{v['单位']}」不是本单位；只能导入「{unit.name}」的人员。")
        id_number = v.get("身份证号", "").upper()
        if isinstance(r["身份证号"], (int, float)):
            bad("身份证号", "请以文本格式填写身份证号（数字格式会丢失末几位），再导入。")
        elif id_number:
            error = rules.id_number_error(id_number)
            if error:
                bad("身份证号", error)
            elif id_number in seen:
                bad("身份证号", f"与第 {seen[id_number]} 行重复。")
            elif id_number in known and known[id_number].unit_id != unit.id:
                bad("身份证号", "该身份证号已登记在其他单位的人员名下；人员调动请由管理员办理。")
            seen.setdefault(id_number, number)
        if v.get("性别") and v["性别"] not in Gender.values():
            bad("性别", f"「{v['性别']}」应为：{'、'.join(Gender.values())}。")
        section = sections.get(v.get("科室")) if v.get("科室") else None
        if v.get("科室") and section is None:
            bad("科室", f"本单位没有科室「{v['科室']}」。")
        try:
            appointed = parse_date(r.get("任职时间"))
        except ValueError:
            bad("任职时间", f"「{v['任职时间']}」不是日期，请写成 2020-03-01 或 2020年3月。")
            appointed = None
        try:
            leader = parse_yes(r.get("班子成员"))
        except ValueError:
            bad("班子成员", f"「{v['班子成员']}」应为「{YES}」或「{NO}」。")
            leader = None
        supervised = []
        for name in split_list(r.get("分管科室")):
            target = sections.get(name)
            if target is None:
                bad("分管科室", f"本单位没有科室「{name}」。")
            elif name in claimed:
                bad("分管科室", f"「{name}」已由第 {claimed[name]} 行的人员分管，一个科室只有一位分管领导。")
            else:
                claimed[name] = number
                supervised.append(target)
        values = {"name": v.get("姓名"), "id_number": id_number, "gender": v.get("性别") or None,
                  "title": v.get("职务") or None, "phone": v.get("联系电话") or None}
        for column, attr in ATTRS.items():
            found = limit_problem(Person, attr, values[attr], number, column)
            if found:
                problems.append(found)
        post = v.get("岗位")
        if post:
            found = limit_problem(Post, "name", post, number, "岗位")
            if found:
                problems.append(found)
        plans.append({"row": number, "values": values, "section": section, "post": post, "appointed_on": appointed,
                      "is_leader": leader, "supervised": supervised, "person": known.get(id_number),
                      "columns": set(r)})
    return plans, problems


def _post(unit, section, name, made: dict, result: Imported) -> Post:
    """The unit's post of that name (in the person's section first), else a new one in his section."""
    key = (section.id if section else None, name)
    if key in made:
        return made[key]
    posts = list(db.session.scalars(select(Post).where(Post.unit_id == unit.id, Post.name == name).order_by(Post.id)))
    post = next((p for p in posts if p.section_id == key[0]), None) or next((p for p in posts if p.section_id is None),
                                                                             None)
    if post is None:
        post = Post(unit=unit, section=section, name=name)
        db.session.add(post)
        result.posts.append(post)
    made[key] = post
    return post


def import_people(unit, stream) -> Imported:
    """Checks the whole 花名册, then writes it in one transaction."""
    _, _, records = read(stream)
    plans, problems = check(unit, records)
    if problems:
        raise ImportRefused(problems)
    result, made = Imported(), {}
    for plan in plans:
        person = plan["person"]
        if person is None:
            person = Person(unit=unit)
            db.session.add(person)
            result.created.append(person)
        else:
            result.updated.append(person)
        for attr, value in plan["values"].items():
            if value is not None or attr in ("name", "id_number"):
                setattr(person, attr, value)
        if "科室" in plan["columns"]:
            person.section = plan["section"]
        if plan["post"]:
            person.post = _post(unit, plan["section"], plan["post"], made, result)
        elif "岗位" in plan["columns"]:
            person.post = None
        if plan["appointed_on"] is not None:
            person.appointed_on = plan["appointed_on"]
        if plan["is_leader"] is not None:
            person.is_leader = plan["is_leader"]
        elif person.is_leader is None:
            person.is_leader = False
        for section in plan["supervised"]:
            section.supervisor = person
            result.supervised.append((person, section))
    db.session.commit()
    return result
