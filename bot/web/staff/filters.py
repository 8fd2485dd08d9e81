"""The queue's filters, from the query string: only known values count, others mean "any"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.core.accounts import StaffAccount
from bot.core.teams import Team
from bot.core.tickets import ACTIVE, ASKED, COMPLIANCE, NO_ANSWER, STATUSES, TicketFilter
from bot.i18n import UI_LOCALES

STATUS_CHOICES: dict[str, frozenset[str]] = {
    "active": ACTIVE,
    **{s: frozenset({s}) for s in STATUSES},
    "all": frozenset(STATUSES),
}
REASON_CHOICES = (ASKED, NO_ANSWER, COMPLIANCE)
SORT_CHOICES = ("oldest", "left")  # oldest first; least time left to the first-response target


@dataclass(frozen=True)
class QueueQuery:
    """What the agent filtered by; empty strings mean "any"."""

    team: str = ""
    status: str = "active"
    locale: str = ""
    reason: str = ""
    mine: bool = False
    sort: str = "oldest"

    def ticket_filter(self) -> TicketFilter:
        """The core's filter (the desk narrows teams further to what the account may see)."""
        return TicketFilter(
            teams=frozenset({self.team}) if self.team else None,
            statuses=STATUS_CHOICES[self.status],
            locale=self.locale or None,
            reason=self.reason or None,
        )

    def query_string(self) -> str:
        """The filters as a query string, for the poller to ask for the same rows."""
        pairs = [("status", self.status), ("team", self.team), ("locale", self.locale)]
        pairs += [("reason", self.reason), ("mine", "1" if self.mine else "")]
        pairs += [("sort", self.sort if self.sort != "oldest" else "")]
        return urlencode([(k, v) for k, v in pairs if v])


def parse_query(params: Mapping[str, str], teams: Sequence[Team]) -> QueueQuery:
    """The filters in a query string; unknown values are dropped."""
    team = params.get("team", "")
    status = params.get("status", "active")
    locale = params.get("locale", "")
    reason = params.get("reason", "")
    return QueueQuery(
        team=team if team in {t.id for t in teams} else "",
        status=status if status in STATUS_CHOICES else "active",
        locale=locale if locale in UI_LOCALES else "",
        reason=reason if reason in REASON_CHOICES else "",
        mine=params.get("mine") == "1",
        sort=params.get("sort", "") if params.get("sort", "") in SORT_CHOICES else "oldest",
    )


def visible_teams(account: StaffAccount, teams: Sequence[Team]) -> list[Team]:
    """The teams an account may filter by: its own, or every team for admins."""
    mine = account.visible_teams
    known = [t for t in teams if mine is None or t.id in mine]
    # An agent's team that the directory no longer lists still filters its old tickets.
    extra = [Team(t) for t in sorted(mine or ()) if t not in {k.id for k in known}]
    return known + extra
