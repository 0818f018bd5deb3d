"""The web server of ``python run.py``: waitress, a production WSGI server in
pure Python (Linux and Windows alike), serving requests on a pool of threads.

Threads share the application, so nothing of one request may be kept on a
shared object (views, schemas, module globals): FAB's per-request state is
moved into the request by :mod:`app.security.per_request`.  On PostgreSQL the
production set-up may use gunicorn instead (README: Production).
"""
from waitress.server import create_server

THREADS = 8                 # requests served at once; the others wait in line
CONNECTION_LIMIT = 200      # open connections (browsers keep a few each)


def make_server(app, host: str = "127.0.0.1", port: int = 5000, threads: int = THREADS):
    """A server bound to ``host:port`` (0: a free port, see ``effective_port``); ``run()`` serves."""
    return create_server(app, host=host, port=port, threads=threads, connection_limit=CONNECTION_LIMIT,
                         ident="lianzheng", clear_untrusted_proxy_headers=True)


def serve(app, host: str, port: int) -> None:
    make_server(app, host, port).run()
