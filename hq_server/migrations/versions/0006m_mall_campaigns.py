"""The members' mall's campaigns: plays of the points game; members by who invited them

Revision ID: 0006m
Revises: 0006c
Create Date: 2026-12-12 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006m'
down_revision = '0006c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('game_plays',
    sa.Column('play_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('game', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('catches_sent', sa.Integer(), nullable=True),
    sa.Column('catches_counted', sa.Integer(), nullable=True),
    sa.Column('award', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('play_id', name=op.f('pk_game_plays'))
    )
    op.create_index('ix_game_plays_member_day', 'game_plays', ['member_id', 'game', 'day'])
    # the invitations page lists who joined with a member's code: without it, a scan of every member
    op.create_index('ix_members_referred_by', 'members', ['referred_by'])


def downgrade() -> None:
    op.drop_index('ix_members_referred_by', table_name='members')
    op.drop_table('game_plays')
