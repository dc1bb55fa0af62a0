"""program matching rules: different department, working-hour overlap, cooldown, weights

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Server defaults fill existing programs; the ORM supplies values for new rows.
    with op.batch_alter_table("programs") as batch:
        batch.add_column(sa.Column("require_different_department", sa.Boolean(),
                                   nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("min_overlap_hours", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("cooldown_days", sa.Integer(), nullable=False,
                                   server_default="365"))
        batch.add_column(sa.Column("weights", sa.JSON(), nullable=False,
                                   server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table("programs") as batch:
        batch.drop_column("weights")
        batch.drop_column("cooldown_days")
        batch.drop_column("min_overlap_hours")
        batch.drop_column("require_different_department")
