"""审计日志: who changed which record when, with the fields before and after.

Append-only and chained: see :mod:`app.audit.chain`."""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, DateTime, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class AuditLog(db.Model):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(10))  # 新增 / 修改 / 删除
    table_name: Mapped[str] = mapped_column(String(64), index=True)
    record_id: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    record: Mapped[Optional[str]] = mapped_column(String(200))
    before: Mapped[Optional[dict]] = mapped_column(JSON)
    after: Mapped[Optional[dict]] = mapped_column(JSON)
    county_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)   # whose office reads it
    row_hash: Mapped[Optional[str]] = mapped_column(String(64))             # see app.audit.chain

    def __repr__(self) -> str:
        return f"{self.action} {self.table_name}#{self.record_id}"


def _append_only(*_):
    raise PermissionError("审计日志只能追加，不能修改或删除。")


event.listen(AuditLog, "before_update", _append_only)
event.listen(AuditLog, "before_delete", _append_only)
