"""matching: admins, protected attributes, do-not-match, runs, matches, adjustments, requests

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 12:25:30.800079
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('admins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['people.id'], name=op.f('fk_admins_granted_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_admins_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_admins_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admins')),
    sa.UniqueConstraint('workspace_id', 'person_id', name=op.f('uq_admins_workspace_id_person_id'))
    )
    op.create_table('do_not_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('other_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['other_id'], ['people.id'], name=op.f('fk_do_not_match_other_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_do_not_match_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_do_not_match')),
    sa.UniqueConstraint('person_id', 'other_id', name=op.f('uq_do_not_match_person_id_other_id'))
    )
    op.create_table('match_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('lock', 'exclude', name='adjustment_kind', native_enum=False, length=32), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_match_adjustments_created_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentee_id'], ['people.id'], name=op.f('fk_match_adjustments_mentee_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['people.id'], name=op.f('fk_match_adjustments_mentor_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_match_adjustments_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_adjustments')),
    sa.UniqueConstraint('program_id', 'mentor_id', 'mentee_id', name=op.f('uq_match_adjustments_program_id_mentor_id_mentee_id'))
    )
    op.create_table('match_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('preview', 'published', 'superseded', name='run_status', native_enum=False, length=32), nullable=False),
    sa.Column('stats', sa.JSON(), nullable=False),
    sa.Column('fairness', sa.JSON(), nullable=False),
    sa.Column('unmatched', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_match_runs_created_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_match_runs_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_runs'))
    )
    op.create_table('mentor_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', 'expired', name='request_status', native_enum=False, length=32), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['mentee_id'], ['people.id'], name=op.f('fk_mentor_requests_mentee_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['people.id'], name=op.f('fk_mentor_requests_mentor_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_mentor_requests_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_requests'))
    )
    op.create_table('protected_attributes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('attribute', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_protected_attributes_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protected_attributes')),
    sa.UniqueConstraint('person_id', 'attribute', name=op.f('uq_protected_attributes_person_id_attribute'))
    )
    op.create_table('matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'active', 'paused', 'ended', 'discarded', name='match_status', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['mentor_id'], ['people.id'], name=op.f('fk_matches_mentor_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_matches_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['match_runs.id'], name=op.f('fk_matches_run_id_match_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matches'))
    )
    op.create_table('match_mentees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_match_mentees_match_id_matches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_match_mentees_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_mentees')),
    sa.UniqueConstraint('match_id', 'person_id', name=op.f('uq_match_mentees_match_id_person_id'))
    )


def downgrade() -> None:
    op.drop_table('match_mentees')
    op.drop_table('matches')
    op.drop_table('protected_attributes')
    op.drop_table('mentor_requests')
    op.drop_table('match_runs')
    op.drop_table('match_adjustments')
    op.drop_table('do_not_match')
    op.drop_table('admins')
