"""Staff accounts and what each may see: agents their teams' tickets, admins everything."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.core.tickets import Ticket, utcnow

Role = Literal["agent", "admin"]
ROLES: tuple[Role, ...] = ("agent", "admin")


@dataclass
class StaffAccount:
    """A person on the seller-support staff. ``password_hash`` is an argon2id string."""

    username: str
    role: Role
    password_hash: str
    teams: tuple[str, ...] = ()
    disabled: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = field(default_factory=utcnow)

    @property
    def visible_teams(self) -> frozenset[str] | None:
        """The teams whose tickets this account sees; None: all (admins)."""
        return None if self.role == "admin" else frozenset(self.teams)

    def may_see(self, ticket: Ticket) -> bool:
        """Whether this account may open the ticket at all."""
        if self.disabled:
            return False
        return self.role == "admin" or ticket.team in self.teams


@dataclass(frozen=True)
class StaffSession:
    """A signed-in browser: the hash of its cookie token, the CSRF token, expiry."""

    token_hash: str
    username: str
    csrf: str
    expires_at: datetime
    created_at: datetime = field(default_factory=utcnow)
