"""sync: outbox hq_status/hq_note, remote_events, member_snapshots, hq_records

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hq_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('hq_note', sa.Text(), nullable=True))
    op.create_table('remote_events',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('hq_seq', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.event_id'], name=op.f('fk_remote_events_event_id_events')),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_remote_events'))
    )
    with op.batch_alter_table('remote_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remote_events_hq_seq'), ['hq_seq'], unique=False)
    op.create_table('member_snapshots',
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('as_of_hq_seq', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('fetched_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_member_snapshots'))
    )
    op.create_table('hq_records',
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('hq_seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('type', 'key', name=op.f('pk_hq_records'))
    )


def downgrade() -> None:
    op.drop_table('hq_records')
    op.drop_table('member_snapshots')
    with op.batch_alter_table('remote_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remote_events_hq_seq'))
    op.drop_table('remote_events')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('hq_note')
        batch_op.drop_column('hq_status')
