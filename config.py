"""Settings, read from the environment (see README: 配置)."""
import os
import secrets

from flask_appbuilder.const import AUTH_DB

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.path.join(BASE_DIR, "instance")


def database_url(url: str | None) -> str:
    """SQLAlchemy 2 reads ``postgresql://`` as psycopg2; this project uses psycopg 3."""
    url = url or "sqlite:///" + os.path.join(INSTANCE_DIR, "lianzheng.db")
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    ENV_NAME = os.environ.get("APP_ENV", "development")
    # Without SECRET_KEY the first start makes a random key and keeps it in
    # SECRET_KEY_FILE (mode 0600): no key is ever public, not even on the quick start.
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SECRET_KEY_FILE = os.environ.get("SECRET_KEY_FILE", os.path.join(INSTANCE_DIR, "secret_key"))
    EVIDENCE_KEY = os.environ.get("EVIDENCE_KEY")   # seals signatures and log chains (app.audit.chain)
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # A connection the database dropped (a restart, a failover) is replaced before use,
    # so neither a request nor a job fails on it.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Flask-AppBuilder: the schema comes from migrations and permissions from
    # app.security.roles, never from whichever worker boots first.
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = False
    APP_NAME = "廉政风险防控管理系统"
    APP_THEME = ""
    AUTH_TYPE = AUTH_DB
    AUTH_USER_REGISTRATION = False
    FAB_API_SWAGGER_UI = True
    FAB_SECURITY_MANAGER_CLASS = "app.security.manager.SecurityManager"
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    FAB_ADD_SECURITY_API = False
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh": {"flag": "cn", "name": "中文"}}
    PAGE_SIZE = 25

    # Security defaults
    WTF_CSRF_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    AUTH_RATE_LIMITED = True
    # Failed logins, page form and API counted together (app.security.login_limit):
    AUTH_RATE_LIMIT = "5 per minute"            # one account from one address
    AUTH_RATE_LIMIT_ACCOUNT = "30 per hour"     # one account from anywhere
    AUTH_RATE_LIMIT_ADDRESS = "100 per hour"    # one address, any accounts
    RATELIMIT_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"  # no fresh allowance at each minute's turn
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    JWT_ACCESS_TOKEN_EXPIRES = 3600

    # Uploads: one request at most MAX_UPLOAD_MB (413 beyond); a spreadsheet read
    # at most IMPORT_MAX_ROWS x IMPORT_MAX_COLUMNS (app.uploads).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "16")) * 1024 * 1024
    IMPORT_MAX_ROWS = 5000
    IMPORT_MAX_COLUMNS = 50
    # FAB's file columns (unused here) would read these; kept inside the instance folder.
    UPLOAD_FOLDER = os.path.join(INSTANCE_DIR, "uploads")
    IMG_UPLOAD_FOLDER = os.path.join(INSTANCE_DIR, "uploads")

    # Mail (reminders)
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "lianzheng@localhost")

    # Bootstrap
    ADMIN_PASSWORD = os.environ.get("ADMIN_PASSWORD")
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo#2026")


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = secrets.token_hex(32)
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = False


def check(config) -> None:
    """Outside development the key comes from the environment (several hosts
    must share it), and is long enough for PyJWT."""
    env = config.get("ENV_NAME", "development")
    if env not in ("development", "testing") and len(config.get("SECRET_KEY") or "") < 32:
        raise RuntimeError("生产环境必须通过环境变量 SECRET_KEY 设置一个随机密钥（至少 32 字节）。")


def instance_secret(path: str) -> str:
    """The key kept in ``path``, made on the first start: 32 random bytes, hex,
    readable by the owner only. Concurrent first starts (several workers) agree:
    the file appears whole or not at all (written aside, then linked)."""
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        aside = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
        try:
            os.link(aside, path)
        except FileExistsError:
            pass  # another worker was first: everyone uses its key
        finally:
            os.unlink(aside)
    with open(path, encoding="ascii") as f:
        key = f.read().strip()
    if len(key) < 32:
        raise RuntimeError(f"密钥文件 {path} 无效（少于 32 个字符）：请删除它后重新启动，或设置环境变量 SECRET_KEY。")
    return key
