"""The organisation every record of the programme hangs on."""
from datetime import date
from typing import Optional

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.organisation import rules
from app.security.scope import Scoped
from app.versions import Versioned


class City(db.Model):
    """设区的市: one deployment serves the counties of a prefecture city.
    Its own organs sit in a county row of their own (市本级)."""

    __tablename__ = "city"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)

    def __repr__(self) -> str:
        return self.name


class County(Versioned, Scoped, db.Model):
    """行政区划 (a county, or the city's 市本级); kept by the administrator."""

    __tablename__ = "county"
    __scope__ = {"county": "id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", name="fk_county_city"), index=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)

    city: Mapped[City] = relationship()

    def __repr__(self) -> str:
        return self.name


class Unit(Versioned, Scoped, db.Model):
    """单位: a county organ or township."""

    __tablename__ = "unit"
    __scope__ = {"county": "county_id", "unit": "id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    duties: Mapped[Optional[str]] = mapped_column(Text)

    county: Mapped[County] = relationship()

    def validate(self) -> dict[str, str]:
        error = rules.code_error(self.code)
        return {"code": error} if error else {}

    def __repr__(self) -> str:
        return self.name


def _unit_of(obj) -> Unit | None:
    """The unit of a row being saved, whether set as object or as id."""
    return obj.unit or (db.session.get(Unit, obj.unit_id) if obj.unit_id else None)


class Section(Versioned, Scoped, db.Model):
    """内设部门/科室, with its 责任人 and its 分管领导."""

    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("unit_id", "name", name="uq_section_unit_name"),)
    __scope__ = {"unit": "unit_id", "section": "id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    duties: Mapped[Optional[str]] = mapped_column(Text)
    head_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("person.id", use_alter=True, name="fk_section_head"))
    supervisor_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("person.id", use_alter=True, name="fk_section_supervisor"), index=True)

    unit: Mapped[Unit] = relationship()
    head: Mapped[Optional["Person"]] = relationship(foreign_keys=[head_id], post_update=True)
    supervisor: Mapped[Optional["Person"]] = relationship(
        foreign_keys=[supervisor_id], post_update=True, back_populates="supervised_sections")

    def __repr__(self) -> str:
        return self.name


class Post(Versioned, Scoped, db.Model):
    """岗位, with its 岗位职责; 重点岗位 are watched more closely."""

    __tablename__ = "post"
    __scope__ = {"unit": "unit_id", "section": "section_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    section_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    duties: Mapped[Optional[str]] = mapped_column(Text)
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)

    unit: Mapped[Unit] = relationship()
    section: Mapped[Optional[Section]] = relationship()

    def validate(self) -> dict[str, str]:
        error = rules.other_unit_error(_unit_of(self), self.section, "科室")
        return {"section": error} if error else {}

    def __repr__(self) -> str:
        return self.name


class Person(Versioned, Scoped, db.Model):
    """工作人员."""

    __tablename__ = "person"
    __scope__ = {"unit": "unit_id", "section": "section_id", "person": "id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    section_id: Mapped[Optional[int]] = mapped_column(ForeignKey("section.id"), index=True)
    post_id: Mapped[Optional[int]] = mapped_column(ForeignKey("post.id"), index=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    gender: Mapped[Optional[str]] = mapped_column(String(2))
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    title: Mapped[Optional[str]] = mapped_column(String(50))
    appointed_on: Mapped[Optional[date]] = mapped_column(Date)
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[Optional[str]] = mapped_column(String(20))

    unit: Mapped[Unit] = relationship()
    section: Mapped[Optional[Section]] = relationship(foreign_keys=[section_id])
    post: Mapped[Optional[Post]] = relationship()
    supervised_sections: Mapped[list[Section]] = relationship(
        foreign_keys=[Section.supervisor_id], back_populates="supervisor")

    def validate(self) -> dict[str, str]:
        unit = _unit_of(self)
        errors = {
            "id_number": rules.id_number_error(self.id_number),
            "section": rules.other_unit_error(unit, self.section, "科室"),
            "post": rules.other_unit_error(unit, self.post, "岗位"),
        }
        return {k: v for k, v in errors.items() if v}

    def __repr__(self) -> str:
        return self.name
