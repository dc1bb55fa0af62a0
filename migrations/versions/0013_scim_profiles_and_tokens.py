"""SCIM: what the identity provider said about each user (so every attribute round-trips,
and a deleted user is gone from the API while the person stays for reports), managers named
before they exist, and tokens that can be listed, revoked and expire.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'directory_profiles',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('external_id', sa.String(length=255), nullable=True),
        sa.Column('attributes', sa.JSON(), nullable=False),
        sa.Column('manager_ref', sa.String(length=320), nullable=True),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('person_id'),
    )
    op.create_index('ix_directory_profiles_ws_external', 'directory_profiles',
                    ['workspace_id', 'external_id'])
    with op.batch_alter_table('scim_tokens') as batch:
        batch.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('scim_tokens') as batch:
        batch.drop_column('revoked_at')
        batch.drop_column('expires_at')
    op.drop_index('ix_directory_profiles_ws_external', table_name='directory_profiles')
    op.drop_table('directory_profiles')
