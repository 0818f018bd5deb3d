"""A county's review flow for one kind of form, one row per version.

A version never changes once saved (a change is the next version), so a form
that points at one (``RiskForm.flow_id``) runs to the end of the flow it was
started under, whatever the office edits meanwhile.
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.enums import Owner
from app.errors import Refused
from app.extensions import db
from app.organisation.models import County
from app.security.scope import Scoped
from app.workflow.flows import Flow, flow_from


class ReviewFlow(Scoped, db.Model):
    """审核流程: the stages, actors, paper fields, peers and papers of one version."""

    __tablename__ = "review_flow"
    __table_args__ = (UniqueConstraint("county_id", "owner_kind", "number", name="uq_review_flow_version"),)
    __scope__ = {"county": "county_id"}
    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)
    owner_kind: Mapped[str] = mapped_column(String(4))          # 个人 / 部门 / 单位
    number: Mapped[int] = mapped_column(Integer)                # 第 n 版
    # {"stages": [{"key", "label", "actor", "fills", "owner_may_return"}], "peers": [...], "papers": [...]}
    definition: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ab_user.id"))
    created_by_name: Mapped[str] = mapped_column(String(50))    # 系统 for the first, shipped version

    county: Mapped[County] = relationship()

    @property
    def flow(self) -> Flow:
        cached = self.__dict__.get("_flow")
        if cached is None:
            with db.session.no_autoflush:   # read while a form is being written
                county = self.county.name if self.county is not None else ""
            cached = flow_from(Owner(self.owner_kind), self.definition or {}, id=self.id, number=self.number,
                               title=f"{county}{self.owner_kind}登记表审核流程（第 {self.number} 版）")
            if county:   # a row not yet flushed reads its county later
                self.__dict__["_flow"] = cached
        return cached

    def __repr__(self) -> str:
        return f"{self.owner_kind}登记表审核流程（第 {self.number} 版）"


FROZEN = "审核流程的每一版保存后不再改动（按它办理的登记表要走完它）；如需调整，请保存为新的一版。"


def _before_flush(session, _ctx, _instances):
    """A saved version stays as it is; a new form follows its county's current version."""
    from app.risks.models import RiskForm
    from app.workflow import configure

    for obj in session.deleted:
        if isinstance(obj, ReviewFlow):
            raise Refused(FROZEN)
    for obj in session.dirty:
        if isinstance(obj, ReviewFlow) and session.is_modified(obj):
            raise Refused(FROZEN)
    for obj in list(session.new):
        if isinstance(obj, RiskForm) and obj.flow is None and obj.flow_id is None:
            with session.no_autoflush:
                county_id = obj.unit.county_id if obj.unit is not None else configure.county_of_unit(obj.unit_id)
                if county_id is not None and inspect(obj).key is None:
                    obj.flow = configure.current_row(county_id, obj.kind)


def install():
    event.listen(Session, "before_flush", _before_flush)
