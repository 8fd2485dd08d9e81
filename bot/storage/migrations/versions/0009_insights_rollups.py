"""Daily roll-ups of the insights (issue 18): per UTC day, the questions by channel, locale and
decision, the merchants replied to, and the 👍/👎 per entry; built once a day is closed. And an
index on feedback.updated_at (the 👍/👎 of a day, of a period).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # the 👍/👎 of a day or a period: read by the live insights and each day's roll-up
    op.create_index("ix_feedback_updated_at", "feedback", ["updated_at"])
    op.create_table(
        "insights_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replies", sa.Integer(), nullable=False),
        sa.Column("feedback_rows", sa.Integer(), nullable=False),
        sa.Column("feedback_sum", sa.BigInteger(), nullable=False),
        sa.Column("feedback_up_sum", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_insights_days")),
    )
    op.create_table(
        "insights_questions",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "channel", "locale", "action", name=op.f("pk_insights_questions")
        ),
    )
    op.create_table(
        "insights_active",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_insights_active_merchant_id_merchants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", "merchant_id", "locale", name=op.f("pk_insights_active")),
    )
    op.create_table(
        "insights_feedback",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("faq_id", sa.String(length=128), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "channel", "locale", "faq_id", "helpful", name=op.f("pk_insights_feedback")
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    for table in ("insights_feedback", "insights_active", "insights_questions", "insights_days"):
        op.drop_table(table)
    op.drop_index("ix_feedback_updated_at", table_name="feedback")
