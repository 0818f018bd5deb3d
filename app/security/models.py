"""The login: FAB's user with the person it belongs to."""
from typing import Optional

from flask_appbuilder.security.sqla.models import User as FabUser
from sqlalchemy import Boolean, ForeignKey, false
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.security.scope import Scoped

SYSTEM_USERNAME = "system"  # jobs, seeds and CLI commands act as this user


class Login(Scoped, FabUser):
    """A login; FAB keeps it in ab_user.  In scope where its person is (a
    login without a person, ``admin`` or ``system``, only for the administrator)."""

    __tablename__ = "ab_user"
    __scope__ = {"through": "person"}
    person_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("person.id"), unique=True, nullable=True)
    person: Mapped[Optional["Person"]] = relationship(  # noqa: F821
        # person.login loads on demand: a page of people does not also load their logins
        "Person", backref=backref("login", uselist=False), lazy="joined")
    # Set only when the login himself chose his password: one set or reset by
    # anyone else (the administrator, a seed) cannot sign a form.
    own_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def __repr__(self) -> str:
        return self.username
