"""record versions for edits that know about each other

Revision ID: 5e4c22facead
Revises: c908ea48093f
Create Date: 2026-11-27 15:38:50.468735

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e4c22facead'
down_revision = 'c908ea48093f'
branch_labels = None
depends_on = None


# Every record people edit: its version, raised by each UPDATE (SQLAlchemy's
# version_id_col, app.versions.Versioned). Existing rows start at 1.
TABLES = ("unit", "section", "post", "person", "power", "flow_step", "risk_point", "control_measure",
          "supervision_method", "rule", "self_check", "inspection", "assessment", "rectification_notice",
          "commendation", "disposition", "integrity_talk", "integrity_archive", "plan_phase",
          "plan_deliverable", "plan_submission", "reminder_rule", "county", "signal", "measure_check",
          "warning_rule")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
