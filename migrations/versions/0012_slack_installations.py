"""Slack installations (bot tokens encrypted at rest) and OAuth install states

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'app_installations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform', sa.String(length=20), nullable=False),
        sa.Column('install_key', sa.String(length=140), nullable=False),
        sa.Column('enterprise_id', sa.String(length=64), nullable=True),
        sa.Column('team_id', sa.String(length=64), nullable=True),
        sa.Column('is_enterprise_install', sa.Boolean(), nullable=False),
        sa.Column('app_id', sa.String(length=64), nullable=True),
        sa.Column('bot_id', sa.String(length=64), nullable=True),
        sa.Column('bot_user_id', sa.String(length=64), nullable=True),
        sa.Column('bot_scopes', sa.Text(), nullable=False),
        sa.Column('bot_token', sa.Text(), nullable=False),
        sa.Column('bot_refresh_token', sa.Text(), nullable=True),
        sa.Column('bot_token_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('installer_user_id', sa.String(length=128), nullable=True),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('installed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_app_installations')),
        sa.UniqueConstraint('platform', 'install_key',
                            name=op.f('uq_app_installations_platform_install_key')),
    )
    with op.batch_alter_table('app_installations') as batch_op:
        batch_op.create_index(batch_op.f('ix_app_installations_team_id'), ['team_id'],
                              unique=False)
    op.create_table(
        'installation_teams',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform', sa.String(length=20), nullable=False),
        sa.Column('team_id', sa.String(length=64), nullable=False),
        sa.Column('enterprise_id', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_installation_teams')),
        sa.UniqueConstraint('platform', 'team_id',
                            name=op.f('uq_installation_teams_platform_team_id')),
    )
    op.create_table(
        'oauth_states',
        sa.Column('state', sa.String(length=128), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('state', name=op.f('pk_oauth_states')),
    )


def downgrade() -> None:
    op.drop_table('oauth_states')
    op.drop_table('installation_teams')
    with op.batch_alter_table('app_installations') as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_installations_team_id'))
    op.drop_table('app_installations')
