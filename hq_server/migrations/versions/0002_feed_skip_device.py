"""feed.skip_device: a till's own event fanned out to the other tills of its store

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column: a plain ALTER TABLE ADD COLUMN on both SQLite and PostgreSQL (no table copy).
    op.add_column('feed', sa.Column('skip_device', sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.drop_column('skip_device')
