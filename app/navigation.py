"""Where a page sits in the menu, for the breadcrumb above every page:
首页 › the menu's category › the menu entry whose address the page lives under."""
from urllib.parse import urlsplit


def _base(url: str) -> str:
    """/risk/list/ → /risk/ (a list's records live under it); other entries as they are."""
    path = urlsplit(url).path
    return path[: -len("list/")] if path.endswith("/list/") else path


def trail(menu, path: str) -> list[tuple[str, str]]:
    """[(category, ""), (entry, its address)] of the entry the page at ``path`` belongs to, or []."""
    best, best_len = [], 0
    for category in menu.get_list():
        for entry in category.childs or [category]:
            if not entry or entry.name == "-":
                continue
            url = entry.get_url()
            base = _base(url)
            if not base.startswith("/") or base == "/":
                continue
            exact = urlsplit(url).path == path
            if (exact or path.startswith(base)) and (len(base) + (1000 if exact else 0)) > best_len:
                best_len = len(base) + (1000 if exact else 0)
                best = ([(category.label, "")] if category.childs else []) + [(entry.label, url)]
    return best
