"""Teams reach: who asked for a DM (so they hear when it can't be delivered), and the members
of a group chat the bot is in (so a group's introduction can be posted there).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('requested_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_outbox_requested_by_id_people'), 'people',
                                 ['requested_by_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('channel_refs') as batch:
        batch.add_column(sa.Column('member_ids', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('channel_refs') as batch:
        batch.drop_column('member_ids')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_constraint(op.f('fk_outbox_requested_by_id_people'), type_='foreignkey')
        batch.drop_column('requested_by_id')
