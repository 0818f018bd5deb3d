"""cities above counties; plans, reminder and warning rules belong to a county

Revision ID: 36be3b555fdb
Revises: bd3a6b38a860
Create Date: 2026-11-27 14:23:44.443897

Existing rows are placed as they were meant: every county joins one city
(named 本市, to be renamed by the administrator); the plan phases go to the
first county (until now there was one plan for the one county); reminder and
warning rules go to the county when there is exactly one, else they stay
city-wide (no county), which is how they worked before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '36be3b555fdb'
down_revision = 'bd3a6b38a860'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('city',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('name')
    )
    with op.batch_alter_table('county', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('plan_phase', schema=None) as batch_op:
        batch_op.add_column(sa.Column('county_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('reminder_rule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('county_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('warning_rule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('county_id', sa.Integer(), nullable=True))

    bind = op.get_bind()
    counties = bind.execute(sa.text("SELECT count(*) FROM county")).scalar()
    if counties:
        bind.execute(sa.text("INSERT INTO city (name, code) VALUES ('本市', '000000')"))
        bind.execute(sa.text("UPDATE county SET city_id = (SELECT min(id) FROM city)"))
        bind.execute(sa.text("UPDATE plan_phase SET county_id = (SELECT min(id) FROM county)"))
        if counties == 1:
            bind.execute(sa.text("UPDATE reminder_rule SET county_id = (SELECT min(id) FROM county)"))
            bind.execute(sa.text("UPDATE warning_rule SET county_id = (SELECT min(id) FROM county)"))
    else:
        bind.execute(sa.text("DELETE FROM plan_phase"))  # a plan of no county cannot be placed

    with op.batch_alter_table('county', schema=None) as batch_op:
        batch_op.alter_column('city_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_county_city_id'), ['city_id'], unique=False)
        batch_op.create_foreign_key('fk_county_city', 'city', ['city_id'], ['id'])
    with op.batch_alter_table('plan_phase', schema=None) as batch_op:
        batch_op.alter_column('county_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_plan_phase_county_id'), ['county_id'], unique=False)
        batch_op.create_foreign_key('fk_plan_phase_county', 'county', ['county_id'], ['id'])
    with op.batch_alter_table('reminder_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_rule_county_id'), ['county_id'], unique=False)
        batch_op.create_foreign_key('fk_reminder_rule_county', 'county', ['county_id'], ['id'])
    with op.batch_alter_table('warning_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warning_rule_county_id'), ['county_id'], unique=False)
        batch_op.create_foreign_key('fk_warning_rule_county', 'county', ['county_id'], ['id'])


def downgrade():
    with op.batch_alter_table('warning_rule', schema=None) as batch_op:
        batch_op.drop_constraint('fk_warning_rule_county', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_warning_rule_county_id'))
        batch_op.drop_column('county_id')
    with op.batch_alter_table('reminder_rule', schema=None) as batch_op:
        batch_op.drop_constraint('fk_reminder_rule_county', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reminder_rule_county_id'))
        batch_op.drop_column('county_id')
    with op.batch_alter_table('plan_phase', schema=None) as batch_op:
        batch_op.drop_constraint('fk_plan_phase_county', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_plan_phase_county_id'))
        batch_op.drop_column('county_id')
    with op.batch_alter_table('county', schema=None) as batch_op:
        batch_op.drop_constraint('fk_county_city', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_county_city_id'))
        batch_op.drop_column('city_id')
    op.drop_table('city')
