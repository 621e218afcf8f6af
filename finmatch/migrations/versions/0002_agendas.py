"""agendas: the solved 1:1 meeting agenda of each event

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 15:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agendas',
    sa.Column('agenda_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('solver', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=100), nullable=False),
    sa.Column('objective', sa.Float(), nullable=False),
    sa.Column('bound', sa.Float(), nullable=True),
    sa.Column('gap', sa.Float(), nullable=True),
    sa.Column('greedy_objective', sa.Float(), nullable=True),
    sa.Column('solve_seconds', sa.Float(), nullable=True),
    sa.Column('start', sa.DateTime(timezone=False), nullable=True),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('meetings', sa.JSON(), nullable=False),
    sa.Column('impossible', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.event_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agenda_id')
    )
    with op.batch_alter_table('agendas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agendas_event_id'), ['event_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('agendas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agendas_event_id'))
    op.drop_table('agendas')
