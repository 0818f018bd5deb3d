"""The menu on every page: the top bar's HTML, and the breadcrumb
首页 › the menu's category › the menu entry whose address the page lives under.

Both would otherwise cost a tenth of a page (about sixty permission checks and a
hundred URL builds each time), while neither changes after start-up for a given
set of built-in roles; so each is worked out once and reused."""
from urllib.parse import urlsplit

from flask import current_app, g
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup


def menu_html() -> Markup:
    """The top menu for this login. Built-in roles (``FAB_ROLES``) are fixed at start-up, so
    their menu is rendered once per set of them; a login holding a role composed in the UI
    gets his rendered each time, since its permissions may change at any moment."""
    sm = current_app.appbuilder.sm
    roles = sm.get_user_roles(g.user) if current_user.is_authenticated else [sm.get_public_role()]
    names = sorted(role.name for role in roles if role is not None)
    if any(name not in sm.builtin_roles for name in names):
        return _render_menu()
    cache = current_app.extensions.setdefault("menu_html", {})
    key = (tuple(names), str(get_locale()))
    if key not in cache:
        cache[key] = _render_menu()
    return cache[key]


def _render_menu() -> Markup:
    template = current_app.jinja_env.get_template("menu_items.html")
    return Markup(template.render(menu=current_app.appbuilder.menu))


def _entries(menu) -> list[tuple[str, str, str, str]]:
    """(category, entry, its address, the address its pages live under) of every menu
    entry with an address, worked out once (the menu is fixed after start-up)."""
    cached = current_app.extensions.get("menu_entries")
    if cached is None:
        cached = []
        for category in menu.get_list():
            for entry in category.childs or [category]:
                if not entry or entry.name == "-":
                    continue
                url = entry.get_url()
                base = _base(url)
                if base.startswith("/") and base != "/":
                    cached.append((category.label if category.childs else "", entry.label, url, base))
        current_app.extensions["menu_entries"] = cached
    return cached


def _base(url: str) -> str:
    """/risk/list/ → /risk/ (a list's records live under it); other entries as they are."""
    path = urlsplit(url).path
    return path[: -len("list/")] if path.endswith("/list/") else path


def trail(menu, path: str) -> list[tuple[str, str]]:
    """[(category, ""), (entry, its address)] of the entry the page at ``path`` belongs to, or []."""
    best, best_len = [], 0
    for category, label, url, base in _entries(menu):
        exact = urlsplit(url).path == path
        if (exact or path.startswith(base)) and (len(base) + (1000 if exact else 0)) > best_len:
            best_len = len(base) + (1000 if exact else 0)
            best = ([(category, "")] if category else []) + [(label, url)]
    return best
