"""evidence: chained append-only logs, keyed signatures, own passwords

Revision ID: e1a9c0de5e01
Revises: c8d3731d3351
Create Date: 2026-11-27 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e1a9c0de5e01'
down_revision = 'c8d3731d3351'
branch_labels = None
depends_on = None

LOGS = {"audit_log": "审计日志", "archive_read": "档案查阅记录"}


def upgrade():
    op.create_table('chain_head',
                    sa.Column('name', sa.String(length=32), nullable=False),
                    sa.Column('count', sa.Integer(), nullable=False),
                    sa.Column('last_hash', sa.String(length=64), nullable=False),
                    sa.PrimaryKeyConstraint('name'))
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('county_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
        batch.create_index('ix_audit_log_county_id', ['county_id'])
    with op.batch_alter_table('archive_read') as batch:
        batch.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
    with op.batch_alter_table('form_revision') as batch:
        batch.add_column(sa.Column('signature', sa.String(length=64), nullable=True))
    with op.batch_alter_table('ab_user') as batch:
        batch.add_column(sa.Column('own_password', sa.Boolean(), nullable=False, server_default=sa.false()))
    _seal_existing()
    for table, label in LOGS.items():
        _append_only(table, label)


TYPES = {"at": sa.DateTime, "signed_at": sa.DateTime, "before": sa.JSON, "after": sa.JSON, "content": sa.JSON}


def _table(name, *columns):
    def type_of(c):
        return TYPES.get(c) or (sa.Integer if c == "id" or c.endswith("_id") or c == "number" else sa.String)
    return sa.table(name, *[sa.column(c, type_of(c)()) for c in columns])


def _seal_existing():
    """Rows written before this revision are sealed as they stand today."""
    from app.audit.chain import CHAINED, row_seal
    from app.workflow.signature import seal_revision
    bind = op.get_bind()
    for name in LOGS:
        table = _table(name, "id", "row_hash", *CHAINED[name])
        previous, count = "", 0
        for row in bind.execute(sa.select(table).order_by(table.c.id)).mappings().all():
            previous = row_seal(name, dict(row), previous)
            bind.execute(table.update().where(table.c.id == row["id"]).values(row_hash=previous))
            count += 1
        bind.execute(sa.text("INSERT INTO chain_head (name, count, last_hash) VALUES (:n, :c, :h)"),
                     {"n": name, "c": count, "h": previous})
    revisions = _table("form_revision", "id", "form_id", "number", "content", "content_hash",
                       "signed_by_id", "signer_name", "signed_at", "signature")
    for row in bind.execute(sa.select(revisions)).mappings().all():
        bind.execute(revisions.update().where(revisions.c.id == row["id"])
                     .values(signature=seal_revision(dict(row))))


def _append_only(table, label):
    message = f"{label}只能追加，不能修改或删除。"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql""")
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def downgrade():
    for table in LOGS:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    with op.batch_alter_table('ab_user') as batch:
        batch.drop_column('own_password')
    with op.batch_alter_table('form_revision') as batch:
        batch.drop_column('signature')
    with op.batch_alter_table('archive_read') as batch:
        batch.drop_column('row_hash')
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_index('ix_audit_log_county_id')
        batch.drop_column('row_hash')
        batch.drop_column('county_id')
    op.drop_table('chain_head')
