"""Managing staff accounts (the ``merchant-bot staff`` commands): add, list, disable, ..."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Collection, Iterable
from datetime import datetime

from bot.core.accounts import ROLES, Role, StaffAccount
from bot.core.ports import UnitOfWork
from bot.core.teams import TeamDirectory
from bot.core.tickets import utcnow
from bot.i18n import LocalizedError, _
from bot.staff.auth import normalise_username
from bot.staff.passwords import Passwords, check_new

USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
TEAM_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class InvalidInput(LocalizedError, ValueError):
    """A username, role, team or password that cannot be used; the message says why (in
    English; ``text(locale)`` translates it)."""


class AccountError(LocalizedError, LookupError):
    """The account does not exist, or already does."""


def check_username(username: str) -> str:
    """The normalised username, or ``InvalidInput``."""
    name = normalise_username(username)
    if not USERNAME_RE.fullmatch(name):
        raise InvalidInput(
            _(
                "invalid username {username}: 2-64 of a-z, 0-9, '.', '_', '-', "
                "starting with a letter or digit"
            ),
            username=repr(username),
        )
    return name


def check_teams(teams: Iterable[str], known: Collection[str] | None = None) -> tuple[str, ...]:
    """Team ids, each once, in the order given, or ``InvalidInput``.

    With ``known`` (the ids tickets can be routed to), any other id is refused: an agent in a
    team that does not exist would see no tickets and no one would notice.
    """
    out: list[str] = []
    for team in teams:
        if not TEAM_RE.fullmatch(team):
            raise InvalidInput(_("invalid team id {team}"), team=repr(team))
        if known is not None and team not in known:
            raise InvalidInput(
                _("unknown team id {team}: the teams are {teams}"),
                team=repr(team),
                teams=", ".join(known),
            )
        if team not in out:
            out.append(team)
    return tuple(out)


def team_ids(directory: TeamDirectory) -> tuple[str, ...]:
    """The ids of a directory's teams (the centres' teams, then the default queue)."""
    return tuple(team.id for team in directory.teams())


def check_role(role: str) -> Role:
    """A role name, or ``InvalidInput``."""
    found = next((r for r in ROLES if r == role), None)
    if found is None:
        raise InvalidInput(
            _("invalid role {role}: one of {roles}"), role=repr(role), roles=", ".join(ROLES)
        )
    return found


class Accounts:
    """Account administration; each operation commits on its own."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        *,
        passwords: Passwords | None = None,
        clock: Callable[[], datetime] = utcnow,
        teams: TeamDirectory | None = None,
    ) -> None:
        self._uow = uow
        self.passwords = passwords or Passwords()
        self._clock = clock
        self._teams = teams  # None: any well-formed team id is accepted

    def check_teams(self, teams: Iterable[str]) -> tuple[str, ...]:
        """Team ids checked against the directory, when there is one."""
        return check_teams(teams, None if self._teams is None else team_ids(self._teams))

    async def add(
        self, username: str, role: str, password: str, teams: Iterable[str] = ()
    ) -> StaffAccount:
        """Create an account; ``AccountError`` when the username is taken."""
        account = StaffAccount(
            username=check_username(username),
            role=check_role(role),
            password_hash="",
            teams=self.check_teams(teams),
            created_at=self._clock(),
        )
        check_new(password)
        async with self._uow() as uow:
            if await uow.staff.get(account.username) is not None:
                raise AccountError(
                    _("staff account {username} already exists"), username=account.username
                )
        account.password_hash = await asyncio.to_thread(self.passwords.hash, password)
        async with self._uow() as uow:
            await uow.staff.add(account)
            await uow.commit()
        return account

    async def all(self) -> list[StaffAccount]:
        """Every account, by username."""
        async with self._uow() as uow:
            return await uow.staff.all()

    async def disable(self, username: str) -> StaffAccount:
        """Stop the account from signing in; its open sessions stop working at once."""

        def disable(account: StaffAccount) -> None:
            account.disabled = True

        return await self._change(username, disable)

    async def enable(self, username: str) -> StaffAccount:
        """Let a disabled or locked-out account sign in again."""

        def enable(account: StaffAccount) -> None:
            account.disabled, account.failed_logins, account.locked_until = False, 0, None

        return await self._change(username, enable)

    async def set_password(self, username: str, password: str) -> StaffAccount:
        """Set a new password (and lift a lock-out)."""
        check_new(password)
        new_hash = await asyncio.to_thread(self.passwords.hash, password)

        def set_password(account: StaffAccount) -> None:
            account.password_hash, account.failed_logins, account.locked_until = new_hash, 0, None

        return await self._change(username, set_password)

    async def set_teams(self, username: str, teams: Iterable[str]) -> StaffAccount:
        """Replace the account's teams."""
        checked = self.check_teams(teams)

        def set_teams(account: StaffAccount) -> None:
            account.teams = checked

        return await self._change(username, set_teams)

    async def _change(self, username: str, change: Callable[[StaffAccount], None]) -> StaffAccount:
        name = normalise_username(username)
        async with self._uow() as uow:
            account = await uow.staff.get(name)
            if account is None:
                raise AccountError(_("no staff account {username}"), username=name)
            before = account.password_hash
            change(account)
            await uow.staff.update(account)
            if account.password_hash != before or account.disabled:
                await uow.staff.drop_sessions(name)  # a new password or a disabled account
            await uow.commit()
        return account
