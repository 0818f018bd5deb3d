"""What a self-check, an inspection, an assessment and a notice must satisfy:
field rules (run as form validators, so the message sits at the field) and the
record rules the pages and the API share through ``validate()``."""
from datetime import date

from sqlalchemy import select

from app.enums import QUARTERS, Grade, InspectionKind, InspectionMethod, Standard
from app.extensions import db
from app.organisation.rules import other_unit_error


def current_quarter(today: date | None = None) -> tuple[int, int]:
    today = today or date.today()
    return today.year, (today.month - 1) // 3 + 1


def quarter_error(year, quarter) -> str | None:
    """A report is filed for a quarter that has begun."""
    if quarter not in (1, 2, 3, 4):
        return "请选择季度。"
    if not year:
        return None  # the year field names its own error
    if (year, quarter) > current_quarter():
        return f"{year}年{QUARTERS[quarter - 1]}尚未开始，不能填报自查报告。"
    return None


def year_error(year) -> str | None:
    if year is None:
        return "请填写年度。"
    if not 2000 <= year <= date.today().year:
        return f"年度应在 2000 至 {date.today().year} 之间。"
    return None


def grade_error(value, label="等次") -> str | None:
    if value and value not in Grade.values():
        return f"{label}应为：{'、'.join(Grade.values())}。"
    return None


def _kept(errors: dict) -> dict[str, str]:
    return {k: v for k, v in errors.items() if v}


def _unit(obj):
    """The unit of a row being saved, whether set as object or as id."""
    from app.organisation.models import Unit
    return obj.unit or (db.session.get(Unit, obj.unit_id) if obj.unit_id else None)


def self_check_errors(report) -> dict[str, str]:
    from app.assessment.models import SelfCheck

    errors = _kept({
        "year": year_error(report.year),
        "quarter": quarter_error(report.year, report.quarter),
        "section": other_unit_error(_unit(report), report.section, "科室"),
        "self_grade": grade_error(report.self_grade, "自评等次"),
    })
    unit = _unit(report)
    if errors or unit is None:
        return errors or {"unit": "请选择单位。"}
    same = select(SelfCheck.id).where(
        SelfCheck.unit_id == unit.id, SelfCheck.year == report.year,
        SelfCheck.quarter == report.quarter, SelfCheck.id != (report.id or 0),
        SelfCheck.section_id.is_(None) if report.section is None else SelfCheck.section_id == report.section.id)
    with db.session.no_autoflush:
        if db.session.scalar(same) is not None:
            who = report.section or unit
            return {"quarter": f"{who}{report.year}年{report.quarter_label}的自查报告已经存在。"}
    return {}


def missing_for_filing(report) -> str | None:
    """A report goes to the office complete: gap analysis, effect, the four self-evaluations."""
    fields = [("gap_analysis", "差距分析"), ("effect", "量化效果")] + [
        (f"{s.key}_eval", f"对照「{s.value}」标准的自我评估") for s in Standard] + [("self_grade", "自评等次")]
    for name, label in fields:
        if not (getattr(report, name) or "").strip():
            return f"请填写{label}后再报送。"
    return None


def methods_error(value) -> str | None:
    chosen = [m for m in (value or "").split("、") if m]
    wrong = [m for m in chosen if m not in InspectionMethod.values()]
    if wrong:
        return f"检查方法「{'、'.join(wrong)}」不在规定的方法之中。"
    return None


def inspection_errors(inspection) -> dict[str, str]:
    errors = {
        "kind": None if inspection.kind in InspectionKind.values()
        else f"检查类型应为：{'、'.join(InspectionKind.values())}。",
        "title": None if (inspection.title or "").strip() else "请填写检查名称。",
        "held_on": None if inspection.held_on else "请填写检查日期。",
        "methods": methods_error(inspection.methods),
    }
    units = {u.id for u in inspection.units}
    if units:
        strays = [s.name for s in inspection.sections if s.unit_id not in units]
        if strays:
            errors["sections"] = f"所选科室「{'、'.join(strays)}」不属于所检查的单位。"
    return _kept(errors)


def fail_needs_feedback(grade, feedback) -> str | None:
    if grade == Grade.FAIL and not (feedback or "").strip():
        return "评定为不及格时请填写反馈意见，它将写入整改通知。"
    return None


def assessment_errors(assessment) -> dict[str, str]:
    from app.assessment.models import Assessment

    errors = {
        "year": year_error(assessment.year),
        "grade": grade_error(assessment.grade) if assessment.grade else "请选择综合评定等次。",
        "feedback": fail_needs_feedback(assessment.grade, assessment.feedback),
        "assessed_on": None if assessment.assessed_on else "请填写考核日期。",
    }
    for standard, value, _ in assessment.ratings():
        errors[f"{standard.key}_grade"] = grade_error(value, f"「{standard.value}」的等次")
    errors = _kept(errors)
    unit = _unit(assessment)
    if errors or unit is None:
        return errors or {"unit": "请选择单位。"}
    same = select(Assessment.id).where(Assessment.unit_id == unit.id,
                                       Assessment.year == assessment.year,
                                       Assessment.id != (assessment.id or 0))
    with db.session.no_autoflush:
        if db.session.scalar(same) is not None:
            return {"year": f"{unit}{assessment.year}年度已有考核记录。"}
    return {}


def deadline_error(issued_on, deadline) -> str | None:
    if deadline is None:
        return "请填写整改期限。"
    if issued_on and deadline < issued_on:
        return "整改期限不能早于下达日期。"
    return None


def notice_errors(notice) -> dict[str, str]:
    return _kept({
        "deadline": deadline_error(notice.issued_on, notice.deadline),
        "requirements": None if (notice.requirements or "").strip() else "请填写整改要求。",
    })
