"""summary figures by place

The home page adds up every round's risks and measures of a scope (a county's
units, a section, a person's own) from the 汇总表's kept figures: indexes by
unit, section and owner alone, beside the 汇总表's (round, unit).

Revision ID: 3b1f0c7d9e42
Revises: 7d2e5a90c41b
Create Date: 2026-11-27 22:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3b1f0c7d9e42'
down_revision = '7d2e5a90c41b'
branch_labels = None
depends_on = None


INDEXES = {"ix_summary_figure_unit": "unit_id", "ix_summary_figure_section": "section_id",
           "ix_summary_figure_owner": "owner_id"}


def upgrade():
    for name, column in INDEXES.items():
        op.create_index(name, "summary_figure", [column])


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="summary_figure")
