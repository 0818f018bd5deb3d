"""What a risk point and a measure must satisfy, for the pages and the API alike."""
from app.enums import ControlStage, Owner, RiskLevel, RiskType


def risk_errors(risk) -> dict[str, str]:
    errors = {}
    form = risk.form
    if risk.risk_type not in RiskType.values():
        errors["risk_type"] = f"风险类别应为：{'、'.join(RiskType.values())}。"
    elif form is not None and Owner(form.owner_kind) not in RiskType(risk.risk_type).owners:
        allowed = "、".join(t.value for t in RiskType.for_owner(Owner(form.owner_kind)))
        errors["risk_type"] = f"{form.owner_kind}登记表只能填写{allowed}风险，不能填写{risk.risk_type}风险。"
    if risk.level not in RiskLevel.values():
        errors["level"] = f"风险等级应为：{'、'.join(RiskLevel.values())}。"
    if not (risk.content or "").strip():
        errors["content"] = "请填写风险点的具体内容及表现形式。"
    if risk.power is not None and form is not None and risk.power.unit_id != form.unit_id:
        errors["power"] = "所选职权不属于本单位。"
    step_error = other_power_error(risk.power, risk.step)
    if step_error:
        errors["step"] = step_error
    return errors


def other_power_error(power, step) -> str | None:
    """A flowchart step chosen for a risk must be a step of the risk's power."""
    if step is not None and (power is None or step.power_id != power.id):
        return f"所选流程环节「{step.name}」不属于所选职权{('「' + power.name + '」') if power else '（请先选择职权）'}。"
    return None


def measure_errors(measure) -> dict[str, str]:
    errors = {}
    if measure.stage not in ControlStage.values():
        errors["stage"] = f"防控阶段应为：{'、'.join(ControlStage.values())}。"
    if not (measure.content or "").strip():
        errors["content"] = "请填写防控措施的内容。"
    return errors
