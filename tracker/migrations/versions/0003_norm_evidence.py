"""norm evidence, resolution links and sponsors, source kinds, party entry-into-force rules

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch_op:
        # existing rows are replaced by the next catalogue load, which names every source's kind
        batch_op.add_column(
            sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="secondary")
        )
    with op.batch_alter_table("instruments") as batch_op:
        batch_op.add_column(sa.Column("party_in_force_rule", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table("resolutions") as batch_op:
        batch_op.drop_column("instrument_id")  # replaced by resolution_links
    op.create_table(
        "resolution_links",
        sa.Column("resolution_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("instrument_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("relation", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("locator", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["instrument_id"], ["instruments.id"]),
        sa.ForeignKeyConstraint(["resolution_id"], ["resolutions.id"]),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"]),
        sa.PrimaryKeyConstraint("resolution_id", "instrument_id", "relation"),
    )
    op.create_table(
        "resolution_sponsors",
        sa.Column("resolution_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("party_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["party_code"], ["parties.code"]),
        sa.ForeignKeyConstraint(["resolution_id"], ["resolutions.id"]),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"]),
        sa.PrimaryKeyConstraint("resolution_id", "party_code"),
    )
    op.create_table(
        "norm_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("norm_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("polarity", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("date", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("document", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("locator", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("quote", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["norm_id"], ["instruments.id"]),
        sa.ForeignKeyConstraint(["party_code"], ["parties.code"]),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("norm_evidence") as batch_op:
        batch_op.create_index(batch_op.f("ix_norm_evidence_norm_id"), ["norm_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_norm_evidence_party_code"), ["party_code"], unique=False)


def downgrade() -> None:
    op.drop_table("norm_evidence")
    op.drop_table("resolution_sponsors")
    op.drop_table("resolution_links")
    with op.batch_alter_table("resolutions") as batch_op:
        batch_op.add_column(sa.Column("instrument_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table("instruments") as batch_op:
        batch_op.drop_column("party_in_force_rule")
    with op.batch_alter_table("sources") as batch_op:
        batch_op.drop_column("kind")
