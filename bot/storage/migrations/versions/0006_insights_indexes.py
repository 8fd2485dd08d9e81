"""Indexes for the insights' period queries: the bot's replies and the tickets by time.

Without them every stats query read the whole messages table (18.6 s for 30 days of a
million messages on SQLite, 2.6 s on PostgreSQL; benchmarks/insights.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_index("ix_messages_direction_created_at", "messages", ["direction", "created_at"])
    op.create_index("ix_tickets_merchant_id_created_at", "tickets", ["merchant_id", "created_at"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_tickets_merchant_id_created_at", table_name="tickets")
    op.drop_index("ix_messages_direction_created_at", table_name="messages")
