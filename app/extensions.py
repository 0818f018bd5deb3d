"""Extension singletons, initialised by ``create_app``."""
from flask_appbuilder import Model
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

# One metadata for FAB's ab_* tables and ours, so Alembic sees both.
db = SQLAlchemy(model_class=Model)
migrate = Migrate()
csrf = CSRFProtect()
