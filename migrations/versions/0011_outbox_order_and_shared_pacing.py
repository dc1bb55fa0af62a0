"""Outbox rows know their conversation (sent in order) and when a send started; pacing is shared

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 21:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _target(person_id, channel_id, group, platform) -> str | None:  # type: ignore[no-untyped-def]
    if group:
        return f"{platform}:g:" + ",".join(str(i) for i in sorted(group))
    if person_id is not None:
        return f"{platform}:p:{person_id}"
    if channel_id:
        return f"{platform}:c:{channel_id.lstrip('#').lower()}"
    return None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('target', sa.String(length=255), nullable=True))
        batch.add_column(sa.Column('sending_since', sa.DateTime(timezone=True), nullable=True))
    outbox = sa.table('outbox', sa.column('id', sa.Integer), sa.column('person_id', sa.Integer),
                      sa.column('channel_id', sa.String), sa.column('platform', sa.String),
                      sa.column('group_person_ids', sa.JSON), sa.column('status', sa.String),
                      sa.column('target', sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(outbox.c.id, outbox.c.person_id, outbox.c.channel_id,
                                  outbox.c.group_person_ids, outbox.c.platform)
                        .where(outbox.c.status == 'pending')).all()
    for row in rows:
        conn.execute(outbox.update().where(outbox.c.id == row.id).values(
            target=_target(row.person_id, row.channel_id, row.group_person_ids, row.platform)))
    op.create_index('ix_outbox_target_id', 'outbox', ['target', 'id'])
    op.create_table(
        'delivery_pace',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('tat', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_delivery_pace')),
    )


def downgrade() -> None:
    op.drop_table('delivery_pace')
    op.drop_index('ix_outbox_target_id', table_name='outbox')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('sending_since')
        batch.drop_column('target')
