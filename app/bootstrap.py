"""First start and deploy steps: schema, roles, the admin and system logins."""
import secrets

from flask import current_app
from flask_migrate import upgrade

from app.extensions import db
from app.security.models import SYSTEM_USERNAME
from app.security.roles import ADMIN_ROLE, ROLES
from app.security.passwords import check_complexity


def migrate_db():
    """Apply every migration (Alembic); never ``create_all``."""
    upgrade(directory=current_app.extensions["migrate"].directory)


def sync_roles():
    """Create the roles of ``roles.ROLES`` and the permission rows of every view.

    The roles' permissions themselves live in code (FAB built-in roles), so a
    deploy changes them by changing the code; the rows let an administrator
    compose extra roles in the UI.
    """
    sm = current_app.appbuilder.sm
    for name in [*ROLES, sm.auth_role_public]:
        if sm.find_role(name) is None:
            sm.add_role(name)
    current_app.appbuilder.add_permissions(update_perms=True)


def ensure_user(username: str, role: str, password: str | None, active: bool = True):
    sm = current_app.appbuilder.sm
    user = sm.find_user(username=username)
    if user is None:
        user = sm.add_user(username=username, first_name=username, last_name="",
                           email=f"{username}@lianzheng.local", role=sm.find_role(role),
                           password=password or secrets.token_urlsafe(24))
        user.active = active
        db.session.commit()
    return user


def random_password() -> str:
    while True:
        password = secrets.token_urlsafe(10) + "#7a"
        try:
            check_complexity(password)
            return password
        except Exception:
            continue


def setup(admin_password: str | None = None) -> str | None:
    """Migrate, sync roles, create ``system`` and ``admin``.

    Returns the admin password when it had to be made up (to print once).
    """
    migrate_db()
    sync_roles()
    ensure_user(SYSTEM_USERNAME, ADMIN_ROLE, None, active=False)  # owns jobs' writes, cannot log in
    sm = current_app.appbuilder.sm
    if sm.find_user(username="admin") is not None:
        return None
    made_up = None
    if not admin_password:
        admin_password = made_up = random_password()
    check_complexity(admin_password)
    ensure_user("admin", ADMIN_ROLE, admin_password)
    return made_up
