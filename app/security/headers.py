"""Browser protections on every response, set by Flask-Talisman.

- No page may be framed (frame-ancestors 'none', X-Frame-Options DENY), so
  the sign page cannot be overlaid on another site (clickjacking).
- Scripts come from this server only, and an inline script runs only with
  the request's nonce: FAB's templates carry ``nonce="{{ csp_nonce() }}"``, and
  so must ours; pages declare behaviour with ``data-confirm`` / ``data-print``
  (static/js/page.js) instead of inline handlers. Styles may be inline (FAB's
  widgets set style attributes). Nothing is loaded from elsewhere: the app is
  meant for closed networks anyway.
- nosniff, a strict referrer policy, no plugins, forms post only here.
- HTTPS is not forced (development and tests run on plain HTTP); HSTS is sent
  only when the deployment says it runs behind HTTPS (SESSION_COOKIE_SECURE).
"""
from flask_talisman import Talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}



def protect(app) -> None:
    """One Talisman per app: it keeps its options on itself."""
    https = bool(app.config.get("SESSION_COOKIE_SECURE"))
    app.extensions["talisman"] = Talisman(
        app,
        force_https=False,
        strict_transport_security=https,
        session_cookie_secure=https,
        session_cookie_http_only=True,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
        frame_options="DENY",
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        referrer_policy="strict-origin-when-cross-origin",
        x_content_type_options=True,
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
    )
