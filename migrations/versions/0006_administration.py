"""administration: audit log, announcements, nominations, admin links, program agenda and auto-invite

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 13:21:19.366764
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('admins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('admin_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_admin_links_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_admin_links_token_hash'))
    )
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('join_program_id', sa.Integer(), nullable=True),
    sa.Column('post_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Enum('draft', 'scheduled', 'posted', 'cancelled', name='announcement_status', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_announcements_created_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['join_program_id'], ['programs.id'], name=op.f('fk_announcements_join_program_id_programs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_announcements_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], name=op.f('fk_audit_log_actor_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_audit_log_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_table('nominations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('nominee_id', sa.Integer(), nullable=False),
    sa.Column('nominated_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'approved', 'declined', name='nomination_status', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['nominated_by_id'], ['people.id'], name=op.f('fk_nominations_nominated_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['nominee_id'], ['people.id'], name=op.f('fk_nominations_nominee_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_nominations_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nominations')),
    sa.UniqueConstraint('program_id', 'nominee_id', name=op.f('uq_nominations_program_id_nominee_id'))
    )
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('auto_invite_hired_within_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('auto_invite_title_pattern', sa.String(length=200), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('admins', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')

    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('auto_invite_title_pattern')
        batch_op.drop_column('auto_invite_hired_within_days')
        batch_op.drop_column('agenda')

    op.drop_table('nominations')
    op.drop_table('audit_log')
    op.drop_table('announcements')
    op.drop_table('admin_links')
