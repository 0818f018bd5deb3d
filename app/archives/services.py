"""Keeping an archive: the facts the app does not already know, entered by
its keeper one by one; each refuses with a Chinese message and changes nothing."""
from app.archives.models import ArchiveEntry, IntegrityArchive
from app.archives.rules import entry_error
from app.errors import Refused
from app.extensions import db


def add_entry(archive: IntegrityArchive, user, kind, occurred_on, content) -> ArchiveEntry:
    error = entry_error(kind, occurred_on, content)
    if error:
        raise Refused(error)
    entry = ArchiveEntry(archive=archive, kind=kind, occurred_on=occurred_on, content=content.strip(),
                         recorded_by=user.person.name if user.person else user.username)
    db.session.add(entry)
    db.session.commit()
    return entry


def remove_entry(archive: IntegrityArchive, entry_id: int) -> None:
    entry = next((e for e in archive.entries if e.id == entry_id), None)
    if entry is None:
        raise Refused("该档案中没有这条记录。")
    db.session.delete(entry)
    db.session.commit()
