"""delivery claims, failure alerts and the scheduler lease

Revision ID: cbc705136ce6
Revises: e1a9c0de5e01
Create Date: 2026-11-25 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cbc705136ce6'
down_revision = 'e1a9c0de5e01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reminder_delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('alerted_at', sa.DateTime(), nullable=True))

    op.create_table('scheduler_lease',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('acquired_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade():
    op.drop_table('scheduler_lease')
    with op.batch_alter_table('reminder_delivery', schema=None) as batch_op:
        batch_op.drop_column('alerted_at')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claim_token')
