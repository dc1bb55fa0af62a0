"""channel refs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 13:33:21.965594
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('channel_refs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.Enum('slack', 'teams', 'webchat', name='platform', native_enum=False, length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('channel_id', sa.String(length=256), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('team_name', sa.String(length=200), nullable=False),
    sa.Column('conversation_ref', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_refs')),
    sa.UniqueConstraint('platform', 'tenant_id', 'channel_id', name=op.f('uq_channel_refs_platform_tenant_id_channel_id'))
    )


def downgrade() -> None:
    op.drop_table('channel_refs')
