"""``merchant-bot staff ...``: manage the accounts that sign in to the staff console.

What it prints goes through the UI catalogs in the terminal's language (LANGUAGE, LC_ALL,
LC_MESSAGES or LANG: ``LANG=zh_TW.UTF-8`` prints Traditional Chinese); usernames, roles and
team ids stay as typed.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.cli.centre import centres_file_option, centres_path
from bot.cli.db import database_url
from bot.core.accounts import ROLES, StaffAccount
from bot.core.teams import TeamDirectory
from bot.i18n import UiLocale, _, locale_from_environment, translate
from bot.staff.accounts import (
    AccountError,
    Accounts,
    InvalidInput,
    check_role,
    check_teams,
    check_username,
    team_ids,
)
from bot.staff.passwords import PasswordRejected, check_new

Action = Callable[[Accounts, argparse.Namespace], Awaitable[str]]
TEAM_HELP = "a centre's team id (its `team`, else its id) or 'default'; repeatable"


class TeamsUnavailable(Exception):
    """The centres file (where the team ids come from) cannot be read."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``staff`` command and its actions."""
    staff = sub.add_parser("staff", help="manage staff console accounts")
    actions = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")

    def action(name: str, help: str, run: Action, user: bool = True) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=help)
        if user:
            p.add_argument("username", metavar="USERNAME")
        p.add_argument(
            "--database-url",
            default=None,
            help="database URL (default: $DATABASE_URL, else an SQLite file under ./data/)",
        )
        p.set_defaults(run=lambda args: _run(args, run))
        return p

    add = action("add", "create an account (password from stdin, or prompted twice)", _add)
    add.add_argument("--role", required=True, choices=ROLES, help="agent: own teams; admin: all")
    add.add_argument("--team", action="append", default=[], metavar="ID", help=TEAM_HELP)
    centres_file_option(add)
    action("list", "list the accounts", _list, user=False)
    action("disable", "stop an account signing in; its sessions end at once", _disable)
    action("enable", "let a disabled or locked-out account sign in again", _enable)
    action("password", "set a new password (stdin, or prompted twice)", _password)
    teams = action("teams", "replace an account's teams", _teams)
    teams.add_argument("--team", action="append", required=True, metavar="ID", help=TEAM_HELP)
    centres_file_option(teams)


def team_directory(args: argparse.Namespace) -> TeamDirectory | None:
    """The teams of the centres file ``serve`` would read, when ``--team`` ids need checking.

    Like ``serve``, a missing centres file means the default queue only, unless the file was
    named (``--centres-file`` or ``CENTRES_FILE``); a broken one is ``TeamsUnavailable``.
    """
    if not getattr(args, "team", None):
        return None
    from bot.centres.loader import load_centres
    from bot.content.problems import errors
    from bot.core.centre_teams import CentreTeams

    path = centres_path(args)
    centres, problems = load_centres(path)
    named = args.centres_file is not None or bool(os.environ.get("CENTRES_FILE"))
    if centres is None and (path.exists() or named):
        first = next(iter(errors(problems)), f"{path}: cannot be read")
        raise TeamsUnavailable(say(_("cannot check the team ids: {problem}"), problem=first))
    directory = CentreTeams(lambda: centres)
    try:
        check_teams(args.team, team_ids(directory))
    except InvalidInput as exc:
        source = say(
            _("from {path}") if centres is not None else _("no centres file at {path}"), path=path
        )
        raise InvalidInput(
            _("{problem} ({source}; --centres-file reads another)"),
            problem=exc.text(locale()),
            source=source,
        ) from None
    return directory


def read_password() -> str:
    """A new password: one line of stdin when piped, else asked twice without echo."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(say(_("New password: ")))
    if getpass.getpass(say(_("Repeat it: "))) != first:
        raise InvalidInput(_("the passwords do not match"))
    return first


def _run(args: argparse.Namespace, action: Action) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.storage.database import StorageError

    command = f"merchant-bot staff {args.staff_command}"
    try:
        teams = team_directory(args)  # before the database and the password prompt
        print(asyncio.run(_with_accounts(database_url(args.database_url), args, action, teams)))
    except (InvalidInput, PasswordRejected) as exc:
        print(f"{command}: {exc.text(locale())}", file=sys.stderr)
        return 2
    except AccountError as exc:
        print(f"{command}: {exc.text(locale())}", file=sys.stderr)
        return 1
    except TeamsUnavailable as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return 1
    except (StorageError, SQLAlchemyError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        problem = say(_("database error: {reason}"), reason=reason)
        print(f"{command}: {problem}", file=sys.stderr)
        return 1
    return 0


async def _with_accounts(
    url: str, args: argparse.Namespace, action: Action, teams: TeamDirectory | None
) -> str:
    from bot.storage.database import is_sqlite
    from bot.storage.migrate import upgrade
    from bot.storage.uow import SqlStore

    if is_sqlite(url):  # as `serve` does: a fresh SQLite file is ready without `db upgrade`
        await upgrade(url)
    store = SqlStore(url)
    try:
        return await action(Accounts(store.uow, teams=teams), args)
    finally:
        await store.close()


async def _add(accounts: Accounts, args: argparse.Namespace) -> str:
    # Check everything before asking for the password: a typo should not cost a prompt.
    check_username(args.username), check_role(args.role), accounts.check_teams(args.team)
    account = await accounts.add(args.username, args.role, check_new(read_password()), args.team)
    if account.role == "admin" or account.teams:
        return say(_("added {account}"), account=describe(account))
    return say(_("added {account} (no team: sees no tickets yet)"), account=describe(account))


async def _list(accounts: Accounts, args: argparse.Namespace) -> str:
    found = await accounts.all()
    if not found:
        return say(
            _("no staff accounts (add one with: merchant-bot staff add USERNAME --role admin)")
        )
    width = max(len(a.username) for a in found)
    now = datetime.now(UTC)
    rows = [(a.username, a.role, _state(a, now), ", ".join(a.teams) or "-") for a in found]
    teams = say(_("teams: {teams}"), teams="{}")
    state_width = max(8, *(len(s) for _u, _r, s, _t in rows))
    return "\n".join(
        f"{u:<{width}}  {r:<5}  {s:<{state_width}}  {teams.format(t)}" for u, r, s, t in rows
    )


async def _disable(accounts: Accounts, args: argparse.Namespace) -> str:
    return say(_("disabled {account}"), account=describe(await accounts.disable(args.username)))


async def _enable(accounts: Accounts, args: argparse.Namespace) -> str:
    return say(_("enabled {account}"), account=describe(await accounts.enable(args.username)))


async def _password(accounts: Accounts, args: argparse.Namespace) -> str:
    check_username(args.username)
    account = await accounts.set_password(args.username, check_new(read_password()))
    return say(_("password changed for {username}"), username=account.username)


async def _teams(accounts: Accounts, args: argparse.Namespace) -> str:
    account = await accounts.set_teams(args.username, args.team)
    return say(_("teams set: {account}"), account=describe(account))


def describe(account: StaffAccount) -> str:
    """One line about an account: name, role, teams."""
    teams = ", ".join(account.teams) or say(_("none"))
    return say(
        _("{username} ({role}; teams: {teams})"),
        username=account.username,
        role=account.role,
        teams=teams,
    )


def _state(account: StaffAccount, now: datetime) -> str:
    if account.disabled:
        return say(_("disabled"))
    if account.locked_until is not None and account.locked_until > now:
        return say(_("locked"))
    return say(_("active"))


def locale() -> UiLocale:
    """The terminal's language (``bot.i18n.locale_from_environment``)."""
    return locale_from_environment()


def say(message: str, **values: object) -> str:
    """A marked string in the terminal's language."""
    return translate(locale(), message, **values)
