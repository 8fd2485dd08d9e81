"""Two replicas on one database: an outbox claimed with a lease and every send attempt kept,
messages numbered per merchant in commit order, at most one unresolved ticket per merchant.

Existing messages get their id as ``seq`` (a web page open across the upgrade keeps its cursor);
a merchant with several unresolved tickets keeps the newest (where the bot relayed to), the
others are resolved with a ``merged`` event naming it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNRESOLVED = "status != 'resolved'"


def _merge_duplicate_tickets() -> None:
    bind = op.get_bind()
    tickets = sa.table(
        "tickets",
        sa.column("id", sa.Integer),
        sa.column("merchant_id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("resolved_at", sa.DateTime(timezone=True)),
    )
    events = sa.table(
        "ticket_events",
        sa.column("ticket_id", sa.Integer),
        sa.column("actor", sa.String),
        sa.column("action", sa.String),
        sa.column("detail", sa.Text),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    rows = bind.execute(
        sa.select(tickets.c.id, tickets.c.merchant_id)
        .where(tickets.c.status != "resolved")
        .order_by(tickets.c.merchant_id, tickets.c.id.desc())
    ).all()
    keep: dict[int, int] = {}
    now = datetime.now(UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # SQLite keeps naive UTC (see UtcDateTime)
    for ticket_id, merchant_id in rows:
        kept = keep.setdefault(merchant_id, ticket_id)
        if kept == ticket_id:
            continue
        bind.execute(
            tickets.update()
            .where(tickets.c.id == ticket_id)
            .values(status="resolved", resolved_at=now, updated_at=now)
        )
        bind.execute(
            events.insert().values(
                ticket_id=ticket_id, actor="bot", action="merged", detail=f"#{kept}", created_at=now
            )
        )


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("merchants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_seq", sa.Integer(), server_default="0", nullable=False)
        )
    # Added with a default and indexed, never rebuilt: on SQLite, rebuilding the messages
    # table would drop it, and foreign keys would cascade that to feedback and the outbox.
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), server_default="0", nullable=False))
    op.execute("UPDATE messages SET seq = id")
    op.execute(
        "UPDATE merchants SET last_seq = COALESCE("
        "(SELECT MAX(seq) FROM messages WHERE messages.merchant_id = merchants.id), 0)"
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("uq_messages_merchant_id_seq", ["merchant_id", "seq"], unique=True)

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_outbox_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_outbox_status"), "status IN ('pending', 'sending', 'sent', 'failed')"
        )
        batch_op.create_index("ix_outbox_merchant_id_id", ["merchant_id", "id"], unique=False)
    op.create_table(
        "outbox_attempts",
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "result IN ('sending', 'sent', 'failed', 'unavailable')",
            name=op.f("ck_outbox_attempts_result"),
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_outbox_attempts_outbox_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("outbox_id", "attempt", name=op.f("pk_outbox_attempts")),
    )

    _merge_duplicate_tickets()
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(
            "uq_tickets_merchant_id_unresolved",
            ["merchant_id"],
            unique=True,
            sqlite_where=sa.text(UNRESOLVED),
            postgresql_where=sa.text(UNRESOLVED),
        )


def downgrade() -> None:
    """Revert this revision (merged tickets stay resolved)."""
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("uq_tickets_merchant_id_unresolved")
    op.drop_table("outbox_attempts")
    op.execute("UPDATE outbox SET status = 'pending', lease_until = NULL WHERE status = 'sending'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_merchant_id_id")
        batch_op.drop_constraint(batch_op.f("ck_outbox_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_outbox_status"), "status IN ('pending', 'sent', 'failed')"
        )
        batch_op.drop_column("lease_until")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("uq_messages_merchant_id_seq")
        batch_op.drop_column("seq")
    with op.batch_alter_table("merchants", schema=None) as batch_op:
        batch_op.drop_column("last_seq")
