"""Editing a flowchart: the operations the step editor offers, one function each.

Each returns a Chinese message when it refuses, and changes nothing then.
"""
from app import versions
from app.catalogue.models import FlowStep, FlowTransition, Power
from app.errors import Refused
from app.extensions import db

STEP_FIELDS = ("name", "actor", "condition", "procedure", "time_limit", "supervision")


def _clean(fields: dict) -> dict:
    return {k: (fields.get(k) or "").strip() or None for k in STEP_FIELDS}


def save_step(power: Power, fields: dict, step_id: int | None = None,
              after_id: int | None = None, label: str | None = None) -> str | None:
    """Adds a step (linked from ``after_id`` when given) or changes one, unless
    someone changed it after the version the editor showed (``fields["version"]``)."""
    values = _clean(fields)
    if not values["name"]:
        return "请填写环节名称。"
    if step_id:
        step = _step(power, step_id)
        if step is None:
            return "该环节不存在。"
        try:
            versions.check_seen(step, versions.seen(fields.get(versions.SEEN)))
        except Refused as refused:
            return str(refused)
        for key, value in values.items():
            setattr(step, key, value)
    else:
        after = _step(power, after_id) if after_id else None
        if after_id and after is None:
            return "所选的前一环节不存在。"
        step = FlowStep(power=power, seq=max((s.seq for s in power.steps), default=0) + 1, **values)
        db.session.add(step)
        if after is not None:
            db.session.flush()
            db.session.add(FlowTransition(source=after, target=step, label=(label or "").strip() or None))
    db.session.commit()
    return None


def move_step(power: Power, step_id: int, delta: int) -> str | None:
    steps = list(power.steps)
    index = next((i for i, s in enumerate(steps) if s.id == step_id), None)
    if index is None:
        return "该环节不存在。"
    other = index + delta
    if not 0 <= other < len(steps):
        return "已经是第一个或最后一个环节。"
    steps[index].seq, steps[other].seq = steps[other].seq, steps[index].seq
    db.session.commit()
    return None


def delete_step(power: Power, step_id: int) -> str | None:
    step = _step(power, step_id)
    if step is None:
        return "该环节不存在。"
    db.session.query(FlowTransition).filter(FlowTransition.target_id == step.id).delete()
    db.session.delete(step)
    db.session.commit()
    return None


def add_arrow(power: Power, source_id: int, target_id: int, label: str | None) -> str | None:
    source, target = _step(power, source_id), _step(power, target_id)
    if source is None or target is None:
        return "请选择本流程图中的两个环节。"
    if source.id == target.id:
        return "连线的起点和终点不能是同一个环节。"
    if any(t.target_id == target.id for t in source.exits):
        return f"「{source.name}」到「{target.name}」的连线已经存在。"
    db.session.add(FlowTransition(source=source, target=target, label=(label or "").strip() or None))
    db.session.commit()
    return None


def delete_arrow(power: Power, arrow_id: int) -> str | None:
    arrow = db.session.get(FlowTransition, arrow_id)
    if arrow is None or arrow.source.power_id != power.id:
        return "该连线不存在。"
    db.session.delete(arrow)
    db.session.commit()
    return None


def _step(power: Power, step_id) -> FlowStep | None:
    try:
        step_id = int(step_id)
    except (TypeError, ValueError):
        return None
    return next((s for s in power.steps if s.id == step_id), None)
