"""Moving powers through 草稿 → 已确认 → 已公开."""
from app.enums import PowerStatus
from app.extensions import db


def set_status(powers, status: PowerStatus) -> tuple[int, list[str]]:
    """Moves each power one step to ``status``, all or none: (moved, refusals);
    with any refusal nothing moves."""
    moved, refused = 0, []
    for power in powers:
        current = PowerStatus(power.status)
        allowed = current.next == status or status == PowerStatus.DRAFT and current != status
        if not allowed:
            refused.append(f"「{power.name}」当前为{current.value}，不能改为{status.value}。")
            continue
        if status == PowerStatus.PUBLISHED and not power.steps:
            refused.append(f"「{power.name}」还没有流程图，不能公开。")
            continue
        power.status = status.value
        moved += 1
    if refused:
        db.session.rollback()
        return 0, refused
    db.session.commit()
    return moved, refused
