"""后期处置, 廉政谈话 and 廉政档案 (seed 000 四(二)③c, 四(四)4).

Dispositions, talks and archives hang on a person: each copies its person's
unit and section (see ``place``) so the data scope can find it.  The archive is
read more narrowly still (:mod:`app.archives.access`), and every read of it is
written to :class:`ArchiveRead`.
"""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import ArchiveEntryKind
from app.extensions import db
from app.organisation.models import Person, Section, Unit
from app.security.scope import Scoped
from app.versions import Versioned


class Disposition(Versioned, Scoped, db.Model):
    """后期处置 of a person or a section, with where it came from and how it ended."""

    __tablename__ = "disposition"
    __scope__ = {"unit": "unit_id", "section": "section_id", "person": "person_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    section_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"), index=True)
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))              # 处置方式
    source: Mapped[str] = mapped_column(String(10))            # 问题来源
    reason: Mapped[str] = mapped_column(Text)                  # 事由
    decided_on: Mapped[date] = mapped_column(Date, index=True)
    decided_by: Mapped[Optional[str]] = mapped_column(String(100))  # 处置机关
    outcome: Mapped[Optional[str]] = mapped_column(String(10))      # 处理结果
    outcome_on: Mapped[Optional[date]] = mapped_column(Date)
    outcome_note: Mapped[Optional[str]] = mapped_column(Text)

    unit: Mapped[Unit] = relationship()
    section: Mapped[Optional[Section]] = relationship()
    person: Mapped[Optional[Person]] = relationship()

    @property
    def target(self) -> str:
        return str(self.person or self.section or "")

    def place(self) -> None:
        if self.person is not None:
            self.unit, self.section = self.person.unit, self.section or self.person.section
        elif self.section is not None:
            self.unit = self.section.unit
        if self.outcome and self.outcome_on is None:
            self.outcome_on = date.today()

    def validate(self) -> dict[str, str]:
        from app.archives.rules import disposition_errors
        return disposition_errors(self)

    def __repr__(self) -> str:
        return f"{self.target} {self.kind}"


class IntegrityTalk(Versioned, Scoped, db.Model):
    """廉政谈话: the yearly talk of a 分管领导/主管领导 with a cadre he oversees, with its record."""

    __tablename__ = "integrity_talk"
    __scope__ = {"unit": "unit_id", "section": "section_id", "person": "cadre_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    held_on: Mapped[date] = mapped_column(Date)
    talker_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    section_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"), index=True)
    content: Mapped[str] = mapped_column(Text)                 # 谈话记录
    response: Mapped[Optional[str]] = mapped_column(Text)      # 本人表态

    talker: Mapped[Person] = relationship(foreign_keys=[talker_id])
    cadre: Mapped[Person] = relationship(foreign_keys=[cadre_id])
    unit: Mapped[Unit] = relationship()
    section: Mapped[Optional[Section]] = relationship()

    def place(self) -> None:
        if self.cadre is not None:
            self.unit, self.section = self.cadre.unit, self.cadre.section
        if self.held_on is not None:
            self.year = self.held_on.year

    def validate(self) -> dict[str, str]:
        from app.archives.rules import talk_errors
        return talk_errors(self)

    def __repr__(self) -> str:
        return f"{self.talker}与{self.cadre}的廉政谈话（{self.held_on}）"


class IntegrityArchive(Versioned, Scoped, db.Model):
    """廉政档案 of one cadre.  What the app already knows (post duties, risk
    points, talks, dispositions, the unit's assessments) is read live; the rest
    is kept as :class:`ArchiveEntry` rows."""

    __tablename__ = "integrity_archive"
    __scope__ = {"unit": "unit_id", "section": "section_id", "person": "person_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    section_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"), index=True)
    opened_on: Mapped[date] = mapped_column(Date)               # 建档日期
    keeper: Mapped[Optional[str]] = mapped_column(String(100))  # 建档机关
    notes: Mapped[Optional[str]] = mapped_column(Text)

    person: Mapped[Person] = relationship()
    unit: Mapped[Unit] = relationship()
    section: Mapped[Optional[Section]] = relationship()
    entries: Mapped[list["ArchiveEntry"]] = relationship(
        back_populates="archive", order_by="(ArchiveEntry.occurred_on, ArchiveEntry.id)",
        cascade="all, delete-orphan")

    def place(self) -> None:
        if self.person is not None:
            self.unit, self.section = self.person.unit, self.person.section

    def validate(self) -> dict[str, str]:
        from app.archives.rules import archive_errors
        return archive_errors(self)

    def __repr__(self) -> str:
        return f"{self.person}的廉政档案"


class ArchiveEntry(db.Model):
    """One recorded fact of an archive: an appointment, a declaration, income …"""

    __tablename__ = "archive_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    archive_id: Mapped[int] = mapped_column(ForeignKey("integrity_archive.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), info={"label": "类别"})
    occurred_on: Mapped[date] = mapped_column(Date, info={"label": "日期"})
    content: Mapped[str] = mapped_column(Text, info={"label": "内容"})
    recorded_by: Mapped[str] = mapped_column(String(50))

    archive: Mapped[IntegrityArchive] = relationship(back_populates="entries")

    @property
    def kind_enum(self) -> ArchiveEntryKind:
        return ArchiveEntryKind(self.kind)

    def __repr__(self) -> str:
        return f"{self.kind} {self.occurred_on}"


class ArchiveRead(Scoped, db.Model):
    """Who read which archive, when and how; written by ``access.log_reads`` only."""

    __tablename__ = "archive_read"
    __scope__ = {"unit": "unit_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    reader_id: Mapped[Optional[int]] = mapped_column(Integer)
    reader: Mapped[str] = mapped_column(String(128))
    # no foreign keys: the log outlives what it names
    archive_id: Mapped[int] = mapped_column(Integer, index=True)
    person_name: Mapped[str] = mapped_column(String(50))
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    channel: Mapped[str] = mapped_column(String(10))
    row_hash: Mapped[Optional[str]] = mapped_column(String(64))   # see app.audit.chain

    def __repr__(self) -> str:
        return f"{self.reader} {self.channel} {self.person_name}的廉政档案"


def _append_only(*_):
    raise PermissionError("档案查阅记录只能追加，不能修改或删除。")


event.listen(ArchiveRead, "before_update", _append_only)
event.listen(ArchiveRead, "before_delete", _append_only)
