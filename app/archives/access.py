"""Who may read a 廉政档案, decided here only, and the log of every read.

An archive is the most sensitive record in the system, so the data scope is
narrowed: the administrator and the archive readers (``roles.ARCHIVE_READERS``:
领导小组办公室, 纪委监察) read the archives in their scope; everybody else reads
his own archive and no other.  Pages, prints, exports and the API all filter
by :func:`readable` and write :func:`log_reads`.
"""

from flask import g
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import and_, select

from app import clock
from app.audit import chain
from app.archives.models import ArchiveRead, IntegrityArchive
from app.enums import ArchiveReadChannel
from app.extensions import db
from app.security.roles import reads_archives
from app.security.scope import criteria, scope_of


def readable(user):
    """The SQL condition for the archives ``user`` may read."""
    scope = scope_of(user)
    scoped = criteria(IntegrityArchive, scope)
    if reads_archives(user):
        return scoped
    return and_(scoped, IntegrityArchive.person_id == scope.person_id)


def readable_archive(user, archive_id) -> IntegrityArchive | None:
    return db.session.scalar(select(IntegrityArchive).where(IntegrityArchive.id == archive_id, readable(user)))


class ReadableArchives(BaseFilter):
    """FAB filter for the archive page and API."""
    name, arg_name = "档案查阅范围", "archive_scope"

    def apply(self, query, value):
        return query.filter(readable(g.user))


def log_reads(user, archives, channel) -> None:
    """Appends one row per archive read (archives or their ids) to the chained
    read log (past the ORM, so a read never shows in the audit trail of
    changes), committed at once.  The names come in one query, and the commit
    leaves the page's loaded rows as they are: a list of fifty archives does
    not reload each of them afterwards."""
    from app.organisation.models import Person

    ids = [getattr(a, "id", a) for a in archives]
    if not ids:
        return
    at = clock.now()
    read = db.session.execute(select(IntegrityArchive.id, Person.name, IntegrityArchive.unit_id)
                              .join(Person, IntegrityArchive.person_id == Person.id)
                              .where(IntegrityArchive.id.in_(ids))).all()
    chain.append(db.session.connection(), ArchiveRead.__table__, [{
        "at": at, "reader_id": user.id, "reader": user.username, "archive_id": archive_id,
        "person_name": name, "unit_id": unit_id, "channel": channel.value}
        for archive_id, name, unit_id in sorted(read)])
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def log_history_read(user, entry) -> None:
    """Reading an archive's history in the audit trail is reading the archive."""
    archive_id = entry.record_id if entry.table_name == IntegrityArchive.__tablename__ else \
        (entry.before or entry.after or {}).get("archive_id")
    archive = db.session.get(IntegrityArchive, int(archive_id)) if archive_id else None
    if archive is not None:
        log_reads(user, [archive], ArchiveReadChannel.HISTORY)
