"""One limit on failed logins for both doors: the login page and
``POST /api/v1/security/login``.

Three counters, each shared by the two doors (Flask-Limiter ``shared_limit``
on FAB's limiter, so RATELIMIT_STORAGE_URI decides where they live and
several workers share them when it names a shared store):

- one account from one address (AUTH_RATE_LIMIT): colleagues behind one
  router do not lock each other out;
- one account from anywhere (AUTH_RATE_LIMIT_ACCOUNT): guessing from many
  addresses;
- one address, any accounts (AUTH_RATE_LIMIT_ADDRESS): trying one password
  on many accounts.

Only failed attempts count (the security manager marks them); once a counter
is full, every attempt it covers, the right password included, gets 429.
"""
from flask import g, request
from flask_limiter.util import get_remote_address

SCOPE = "login"
REFUSED = "登录尝试过于频繁，请稍后再试。"


def attempted_username() -> str:
    body = request.get_json(silent=True) if request.is_json else None
    name = request.form.get("username") or (body.get("username") if isinstance(body, dict) else None) or ""
    return str(name).strip().lower()


def account_at_address() -> str:
    return f"{get_remote_address()}|{attempted_username()}"


def account() -> str:
    return f"account|{attempted_username()}"


def address() -> str:
    return f"address|{get_remote_address()}"


def mark_attempt(user) -> None:
    """Called by the security manager after checking a password."""
    g.login_failed = user is None


def _failed(_response) -> bool:
    return bool(g.get("login_failed"))


def _not_a_login() -> bool:
    # The API blueprint also holds /refresh; the page blueprint only logs in.
    return request.method != "POST" or not request.path.rstrip("/").endswith("/login")


def apply(limiter, config, *blueprints) -> None:
    limits = ((config["AUTH_RATE_LIMIT"], account_at_address),
              (config["AUTH_RATE_LIMIT_ACCOUNT"], account),
              (config["AUTH_RATE_LIMIT_ADDRESS"], address))
    for value, key in limits:
        shared = limiter.shared_limit(value, scope=f"{SCOPE}:{key.__name__}", key_func=key, methods=["POST"],
                                      deduct_when=_failed, exempt_when=_not_a_login, error_message=REFUSED)
        for blueprint in blueprints:
            shared(blueprint)
