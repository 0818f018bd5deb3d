"""What a disposition, a talk, an archive and an archive entry must satisfy:
field rules (form validators, so the message sits at the field) and the
record rules the pages and the API share through ``validate()``."""
from datetime import date

from sqlalchemy import select

from app.enums import ArchiveEntryKind, DispositionKind, DispositionOutcome, DispositionSource
from app.extensions import db


def _kept(errors: dict) -> dict[str, str]:
    return {k: v for k, v in errors.items() if v}


def _one_of(value, enum, label) -> str | None:
    if value not in enum.values():
        return f"{label}应为：{'、'.join(enum.values())}。"
    return None


def past_date_error(value, label="日期") -> str | None:
    if value is None:
        return f"请填写{label}。"
    if value > date.today():
        return f"{label}不能晚于今天。"
    return None


def person_section_error(person, section) -> str | None:
    """A disposition names a person, a section, or a person in that section."""
    if person is None and section is None:
        return "请选择处置对象：工作人员或科室。"
    if person is not None and section is not None and person.section_id != section.id:
        return f"所选工作人员「{person}」不在科室「{section}」。"
    return None


def disposition_errors(d) -> dict[str, str]:
    target = "section" if d.person is not None else "person"  # where the message belongs
    return _kept({
        target: person_section_error(d.person, d.section),
        "kind": _one_of(d.kind, DispositionKind, "处置方式"),
        "source": _one_of(d.source, DispositionSource, "问题来源"),
        "reason": None if (d.reason or "").strip() else "请填写处置事由。",
        "decided_on": past_date_error(d.decided_on, "处置日期"),
        "outcome": _one_of(d.outcome, DispositionOutcome, "处理结果") if d.outcome else None,
    })


def talker_error(cadre, talker) -> str | None:
    from app.archives.talks import may_talk
    if cadre is None or talker is None:
        return None  # the empty field names its own error
    if not may_talk(talker, cadre):
        return f"谈话人「{talker}」不是「{cadre}」的分管领导或主管领导。"
    return None


def talk_errors(talk) -> dict[str, str]:
    return _kept({
        "cadre": None if talk.cadre is not None else "请选择谈话对象。",
        "talker": talker_error(talk.cadre, talk.talker) if talk.talker is not None else "请选择谈话人。",
        "held_on": past_date_error(talk.held_on, "谈话日期"),
        "content": None if (talk.content or "").strip() else "请填写谈话记录。",
    })


def archive_errors(archive) -> dict[str, str]:
    from app.archives.models import IntegrityArchive

    if archive.person is None:
        return {"person": "请选择建档人员。"}
    errors = _kept({"opened_on": past_date_error(archive.opened_on, "建档日期")})
    with db.session.no_autoflush:
        other = db.session.scalar(select(IntegrityArchive.id).where(
            IntegrityArchive.person_id == archive.person.id, IntegrityArchive.id != (archive.id or 0)))
    if other is not None:
        errors["person"] = f"「{archive.person}」的廉政档案已经建立。"
    return errors


def entry_error(kind, occurred_on, content) -> str | None:
    return (_one_of(kind, ArchiveEntryKind, "记录类别") or past_date_error(occurred_on)
            or (None if (content or "").strip() else "请填写记录内容。"))
