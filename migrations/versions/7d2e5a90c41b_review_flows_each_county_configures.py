"""review flows each county configures

Each county's review flow for each kind of form, one row per version, and the
version each form follows.  Every county gets the flows it had until now (the
implementing rules' 附件3/4, printed on their 附件5–8) as its first version, and
every form is set to follow it.

Revision ID: 7d2e5a90c41b
Revises: 5e4c22facead
Create Date: 2026-12-02 10:00:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d2e5a90c41b'
down_revision = '5e4c22facead'
branch_labels = None
depends_on = None

# Frozen here (not imported from the app): the flows every county followed until this revision.
FIRST = {
    "个人": {"stages": [
        {"key": "section_review", "label": "科室领导审核", "actor": "科室领导", "fills": ["分管领导签字"], "owner_may_return": False},
        {"key": "office_review", "label": "领导小组办公室审核", "actor": "领导小组办公室", "fills": [], "owner_may_return": False},
        {"key": "confirm", "label": "返回本人确认填表", "actor": "本人", "fills": ["填表人签字"], "owner_may_return": True},
        {"key": "group_review", "label": "领导小组汇总审核", "actor": "领导小组办公室", "fills": [], "owner_may_return": False},
        {"key": "final_review", "label": "局班子审核确定", "actor": "局班子", "fills": [], "owner_may_return": False}],
        "peers": ["本科室同志", "科室领导", "分管领导"],
        "papers": ["s000_a8_person_register", "s000_a5_person_finding"]},
    "部门": {"stages": [
        {"key": "supervisor_review", "label": "分管领导审核", "actor": "分管领导", "fills": [], "owner_may_return": False},
        {"key": "group_review", "label": "领导小组审核", "actor": "领导小组办公室", "fills": [], "owner_may_return": False},
        {"key": "confirm", "label": "返回科室确认填表", "actor": "本人", "fills": ["负责填表人签字", "填表人签字"], "owner_may_return": True},
        {"key": "notice", "label": "科室/单位内部公示", "actor": "单位管理员", "fills": [], "owner_may_return": False},
        {"key": "group_revise", "label": "领导小组进一步修改", "actor": "领导小组办公室", "fills": ["改正意见"], "owner_may_return": False},
        {"key": "final_review", "label": "局班子审核确定", "actor": "局班子", "fills": ["第一责任人签字"], "owner_may_return": False}],
        "peers": ["分管领导", "领导小组办公室"],
        "papers": ["s000_a7_section_register", "s000_a6_section_finding"]},
    "单位": {"stages": [
        {"key": "office_review", "label": "领导小组办公室审核", "actor": "领导小组办公室", "fills": [], "owner_may_return": False},
        {"key": "confirm", "label": "返回单位确认填表", "actor": "本人", "fills": [], "owner_may_return": True},
        {"key": "final_review", "label": "党组（党委）审定", "actor": "局班子", "fills": ["党组（党委）意见"], "owner_may_return": False}],
        "peers": ["领导小组办公室"],
        "papers": ["s002_a3_unit_register"]},
}


def upgrade():
    op.create_table('review_flow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('owner_kind', sa.String(length=4), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_name', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('county_id', 'owner_kind', 'number', name='uq_review_flow_version')
    )
    with op.batch_alter_table('review_flow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_flow_county_id'), ['county_id'], unique=False)

    with op.batch_alter_table('risk_form', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flow_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_risk_form_flow_id'), ['flow_id'], unique=False)
        batch_op.create_foreign_key('fk_risk_form_flow', 'review_flow', ['flow_id'], ['id'])

    _first_versions()


def _first_versions():
    """Each county's first version, the flows it followed so far; its forms follow it."""
    bind = op.get_bind()
    flows = sa.table('review_flow', sa.column('county_id', sa.Integer), sa.column('owner_kind', sa.String),
                     sa.column('number', sa.Integer), sa.column('definition', sa.JSON),
                     sa.column('created_at', sa.DateTime), sa.column('created_by_name', sa.String))
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    counties = [row[0] for row in bind.execute(sa.text("SELECT id FROM county ORDER BY id"))]
    rows = [{"county_id": c, "owner_kind": kind, "number": 1, "definition": definition, "created_at": now,
             "created_by_name": "系统"} for c in counties for kind, definition in FIRST.items()]
    if rows:
        op.bulk_insert(flows, rows)
    bind.execute(sa.text(
        "UPDATE risk_form SET flow_id = (SELECT review_flow.id FROM review_flow, unit "
        "WHERE unit.id = risk_form.unit_id AND review_flow.county_id = unit.county_id "
        "AND review_flow.owner_kind = risk_form.owner_kind AND review_flow.number = 1)"))


def downgrade():
    with op.batch_alter_table('risk_form', schema=None) as batch_op:
        batch_op.drop_constraint('fk_risk_form_flow', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_risk_form_flow_id'))
        batch_op.drop_column('flow_id')

    with op.batch_alter_table('review_flow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_flow_county_id'))

    op.drop_table('review_flow')
