"""What a signal and a measure check must satisfy, field by field: the pages run
these as field validators (``app.forms.FieldRule``, so the message sits at the
field) and the API and the services through the models' ``validate()``."""
from datetime import date

from sqlalchemy import select

from app.archives.rules import past_date_error
from app.enums import QUARTERS, CheckResult, SignalSource, Verification
from app.extensions import db
from app.security.scope import in_scope


def _kept(errors: dict) -> dict[str, str]:
    return {k: v for k, v in errors.items() if v}


def _one_of(value, enum, label) -> str | None:
    return None if value in enum.values() else f"{label}应为：{'、'.join(enum.values())}。"


def outside_scope_error(record, what: str) -> str | None:
    """A person, section, unit, risk or measure the signal or check names must lie in the user's scope."""
    if record is None or in_scope(record):
        return None
    return f"{what}「{record}」不在您的数据范围内，不能登记。"


def person_error(person) -> str | None:
    return outside_scope_error(person, "工作人员")


def section_error(person, section) -> str | None:
    if section is not None and person is not None and person.section_id != section.id:
        return f"所选工作人员「{person}」不在科室「{section}」。"
    return outside_scope_error(section, "科室")


def unit_error(person, section, unit) -> str | None:
    for record in (person, section):
        if record is not None and unit is not None and record.unit_id != unit.id:
            return f"「{record}」不属于单位「{unit}」。"
    return outside_scope_error(unit, "单位")


def risk_error(person, risk) -> str | None:
    if risk is None:
        return None
    if person is not None and risk.owner_kind == "个人" and risk.owner_id != person.id:
        return f"所选风险点不是「{person}」本人的风险点。"
    return outside_scope_error(risk, "风险点")


def measure_of_risk_error(risk, measure) -> str | None:
    if measure is not None and risk is not None and measure.risk_id != risk.id:
        return "所选防控措施不属于所选风险点。"
    return None


def source_error(source) -> str | None:
    """信访举报 are entered by those who may read them (``access.sees_petitions``), never by the unit concerned."""
    from app.monitoring.access import _viewer, sees_petitions
    error = _one_of(source, SignalSource, "信息来源")
    if error:
        return error
    user = _viewer()
    if SignalSource(source).confidential and user is not None and not sees_petitions(user):
        return f"您无权查阅{source}，不能登记{source}；请转交纪检监察机关。"
    return None


def reporter_error(source, reporter) -> str | None:
    if (reporter or "").strip() and source in SignalSource.values() and not SignalSource(source).confidential:
        return "只有信访举报登记举报人；其他来源的反映人请写在内容中。"
    return None


def score_error(score) -> str | None:
    if score is not None and not 0 <= score <= 100:
        return "满意率应在 0 至 100 之间（%）。"
    return None


def signal_errors(signal) -> dict[str, str]:
    errors = _kept({
        "source": source_error(signal.source),
        "received_on": past_date_error(signal.received_on, "获取日期"),
        "content": None if (signal.content or "").strip() else "请填写监测信息内容。",
        "person": person_error(signal.person),
        "section": section_error(signal.person, signal.section),
        "unit": unit_error(signal.person, signal.section, signal.unit),
        "risk": risk_error(signal.person, signal.risk),
        "measure": measure_of_risk_error(signal.risk, signal.measure),
        "score": score_error(signal.score),
        "verification": _one_of(signal.verification, Verification, "核实情况"),
        "reporter": reporter_error(signal.source, signal.reporter),
    })
    if signal.unit is None and signal.unit_id is None and "person" not in errors:
        errors["person"] = "请选择所涉及的工作人员、科室或单位。"
    if signal.risk is not None and signal.unit is not None and signal.risk.unit_id != signal.unit.id:
        errors.setdefault("risk", "所选风险点不属于所涉及的单位。")
    return errors


# ── 措施落实 ─────────────────────────────────────────────────────────────
def measure_error(measure) -> str | None:
    """Only a measure of an approved register is checked; and only inside the checker's scope."""
    from app.workflow.flows import APPROVED
    if measure is None:
        return "请选择防控措施。"
    form = measure.risk.form
    if form.stage != APPROVED.key:
        return (f"只能检查已审定登记表中的防控措施；该措施所在的「{form}」正处于「{form.stage_label}」环节，"
                "尚未审定。")
    return outside_scope_error(measure, "防控措施")


def quarter_error(year, quarter) -> str | None:
    if quarter not in (1, 2, 3, 4):
        return "请选择季度。"
    if year is None:
        return "请填写年度。"
    today = date.today()
    if (year, quarter) > (today.year, (today.month - 1) // 3 + 1):
        return f"{year}年{QUARTERS[quarter - 1]}尚未开始，不能登记落实情况。"
    return None


def check_errors(check) -> dict[str, str]:
    from app.monitoring.models import MeasureCheck
    errors = _kept({
        "measure": measure_error(check.measure),
        "quarter": quarter_error(check.year, check.quarter),
        "result": _one_of(check.result, CheckResult, "落实情况"),
        "checked_on": past_date_error(check.checked_on, "检查日期"),
        "evidence": None if (check.evidence or "").strip() else "请填写落实情况及佐证。",
    })
    if not errors and check.measure is not None:
        with db.session.no_autoflush:
            other = db.session.scalar(select(MeasureCheck.id).where(
                MeasureCheck.measure_id == check.measure.id, MeasureCheck.year == check.year,
                MeasureCheck.quarter == check.quarter, MeasureCheck.id != (check.id or 0)))
        if other is not None:
            errors["quarter"] = f"该措施{check.year}年{QUARTERS[check.quarter - 1]}的落实情况已经登记。"
    if "checked_on" not in errors and check.year and check.quarter in (1, 2, 3, 4):
        if check.checked_on < date(check.year, 3 * check.quarter - 2, 1):
            errors["checked_on"] = f"检查日期应在{check.year}年{QUARTERS[check.quarter - 1]}开始之后。"
    return errors
