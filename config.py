"""Settings, read from the environment (see README: 配置)."""
import os
import secrets

from flask_appbuilder.const import AUTH_DB

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.path.join(BASE_DIR, "instance")
DEV_SECRET = "development-only-secret-key-change-me-000000"  # 32+ bytes for PyJWT


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
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    EVIDENCE_KEY = os.environ.get("EVIDENCE_KEY")   # seals signatures and log chains (app.audit.chain)
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_TRACK_MODIFICATIONS = False

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
    AUTH_RATE_LIMIT = "5 per minute"
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    JWT_ACCESS_TOKEN_EXPIRES = 3600

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
    """Refuse to run outside development on the public development key."""
    env = config.get("ENV_NAME", "development")
    if env not in ("development", "testing") and config.get("SECRET_KEY") in (None, "", DEV_SECRET):
        raise RuntimeError("生产环境必须通过环境变量 SECRET_KEY 设置一个随机密钥（至少 32 字节）。")
