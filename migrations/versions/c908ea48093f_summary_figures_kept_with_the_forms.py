"""summary figures kept with the forms

The 汇总表 reads one row per form and place instead of every risk; the rows
are counted here once from what is stored, then kept by app.reports.figures.

Revision ID: c908ea48093f
Revises: 36be3b555fdb
Create Date: 2026-11-27 14:56:57.790279

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c908ea48093f'
down_revision = '36be3b555fdb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('summary_figure',
    sa.Column('owner_kind', sa.String(length=4), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('risks', sa.Integer(), nullable=False),
    sa.Column('measures', sa.Integer(), nullable=False),
    sa.Column('methods', sa.Integer(), nullable=False),
    sa.Column('moral_first', sa.Integer(), nullable=False),
    sa.Column('moral_second', sa.Integer(), nullable=False),
    sa.Column('moral_third', sa.Integer(), nullable=False),
    sa.Column('duty_first', sa.Integer(), nullable=False),
    sa.Column('duty_second', sa.Integer(), nullable=False),
    sa.Column('duty_third', sa.Integer(), nullable=False),
    sa.Column('institutional_first', sa.Integer(), nullable=False),
    sa.Column('institutional_second', sa.Integer(), nullable=False),
    sa.Column('institutional_third', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['risk_form.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('summary_figure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_summary_figure_form_id'), ['form_id'], unique=False)
        batch_op.create_index('ix_summary_figure_round_unit', ['round', 'unit_id'], unique=False)

    op.create_table('summary_rule',
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['risk_form.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['rule.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('summary_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_summary_rule_form_id'), ['form_id'], unique=False)
        batch_op.create_index('ix_summary_rule_round_unit', ['round', 'unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_summary_rule_rule_id'), ['rule_id'], unique=False)

    _count_existing()


# Frozen here (not imported from the app): the columns as this revision made them.
CELLS = [(t, lv, f"{tn}_{ln}") for t, tn in (("思想道德", "moral"), ("岗位职责", "duty"), ("制度机制", "institutional"))
         for lv, ln in (("一级", "first"), ("二级", "second"), ("三级", "third"))]


def _count_existing():
    cells = ", ".join(c for _, _, c in CELLS)
    sums = ", ".join(f"sum(CASE WHEN p.risk_type = '{t}' AND p.level = '{lv}' THEN 1 ELSE 0 END)" for t, lv, _ in CELLS)
    op.execute(f"""
        INSERT INTO summary_figure (form_id, round, stage, unit_id, section_id, owner_id, owner_kind, person_id,
                                    risks, measures, methods, {cells})
        SELECT p.form_id, f.round, f.stage, p.unit_id, p.section_id, p.owner_id, p.owner_kind,
               CASE WHEN f.owner_kind = '个人' THEN f.person_id END,
               count(*), coalesce(sum(m.n), 0), coalesce(sum(s.n), 0), {sums}
        FROM risk_point p JOIN risk_form f ON f.id = p.form_id
        LEFT JOIN (SELECT risk_id, count(*) AS n FROM control_measure GROUP BY risk_id) m ON m.risk_id = p.id
        LEFT JOIN (SELECT risk_id, count(*) AS n FROM supervision_method GROUP BY risk_id) s ON s.risk_id = p.id
        GROUP BY p.form_id, f.round, f.stage, f.owner_kind, f.person_id, p.unit_id, p.section_id, p.owner_id,
                 p.owner_kind""")
    op.execute("""
        INSERT INTO summary_rule (form_id, rule_id, kind, round, stage, unit_id, section_id, owner_id)
        SELECT DISTINCT p.form_id, rr.rule_id, r.kind, f.round, f.stage, p.unit_id, p.section_id, p.owner_id
        FROM rule_risk rr JOIN risk_point p ON p.id = rr.risk_id JOIN risk_form f ON f.id = p.form_id
        JOIN rule r ON r.id = rr.rule_id""")


def downgrade():
    with op.batch_alter_table('summary_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_summary_rule_rule_id'))
        batch_op.drop_index('ix_summary_rule_round_unit')
        batch_op.drop_index(batch_op.f('ix_summary_rule_form_id'))

    op.drop_table('summary_rule')
    with op.batch_alter_table('summary_figure', schema=None) as batch_op:
        batch_op.drop_index('ix_summary_figure_round_unit')
        batch_op.drop_index(batch_op.f('ix_summary_figure_form_id'))

    op.drop_table('summary_figure')
    # ### end Alembic commands ###
