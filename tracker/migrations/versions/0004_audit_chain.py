"""audit chain, load sequence, sign-in back-off

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 12:00:00

- audit_log: prev_hash and entry_hash (a hash chain; the entries already there are chained in id
  order), an index on (event, id) for the data sequence instead of the one on the time stamp;
  the append-only triggers are lifted only for that backfill, inside this transaction, and put back.
- catalogue_state.load_audit_id: the audit entry of the last load. For a database loaded before
  this migration it is the newest entry written no later than that load's time stamp (the
  only time the old records give); every later load records it exactly.
- sign_in_attempts: failed sign-ins per user name.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from tracker.curation.audit import entry_hash

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HASHED = (
    "id",
    "at",
    "actor",
    "event",
    "proposal_id",
    "table_name",
    "op",
    "row_key",
    "before",
    "after",
    "reason",
    "source_id",
)


def _drop_append_only(postgres: bool) -> None:
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")


def _create_append_only(postgres: bool) -> None:
    if postgres:
        op.execute(
            "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    _drop_append_only(postgres)
    op.add_column("audit_log", sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("entry_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    log = sa.table(
        "audit_log",
        sa.column("id", sa.Integer()),
        sa.column("at", sqlmodel.sql.sqltypes.UTCDateTime()),
        *[sa.column(c, sa.String()) for c in HASHED[2:] if c != "proposal_id"],
        sa.column("proposal_id", sa.Integer()),
        sa.column("prev_hash", sa.String()),
        sa.column("entry_hash", sa.String()),
    )
    prev = None
    links = []
    for row in bind.execute(sa.select(*[log.c[c] for c in HASHED]).order_by(log.c.id)).mappings():
        digest = entry_hash(prev, dict(row))
        links.append({"row_id": row["id"], "p": prev, "h": digest})
        prev = digest
    if links:
        bind.execute(
            log.update()
            .where(log.c.id == sa.bindparam("row_id"))
            .values(prev_hash=sa.bindparam("p"), entry_hash=sa.bindparam("h")),
            links,
        )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("entry_hash", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.create_index("ix_audit_log_event_id", ["event", "id"], unique=False)
        batch_op.drop_index("ix_audit_log_at")  # nothing compares times any more; one index less to write
    _create_append_only(postgres)  # SQLite's batch mode rebuilt the table: its triggers are new too

    op.add_column("catalogue_state", sa.Column("load_audit_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE catalogue_state SET load_audit_id = "
        "(SELECT coalesce(max(id), 0) FROM audit_log WHERE audit_log.at <= catalogue_state.loaded_at)"
    )

    op.create_table(
        "sign_in_attempts",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.drop_table("sign_in_attempts")
    with op.batch_alter_table("catalogue_state", schema=None) as batch_op:
        batch_op.drop_column("load_audit_id")
    _drop_append_only(postgres)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_event_id")
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
    _create_append_only(postgres)
