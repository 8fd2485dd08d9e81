"""``merchant-bot staff ...`` against a real SQLite database: outputs, exit codes, errors."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.staff.auth import StaffAuth
from bot.storage.uow import SqlStore
from tests.conversing import run
from tests.staff.conftest import PASSWORD

Run = tuple[int, str, str]
Staff = Callable[..., Run]
CENTRE = """
  - id: {id}
    name: {{en: "{name} Business Expansion Centre", zh: "{name}商家发展中心", ko: "{name} 센터"}}
    address: {{en: "{name}", zh: "{name}", ko: "{name}"}}
    location: {{lat: {lat}, lon: 127.0}}
    timezone: Asia/Seoul
    hours: {{mon: "09:00-18:00"}}
    languages: [ko, en]
"""
# Two centres share the "seoul" team (the `team` field); Busan's team is its id.
CENTRES = (
    "centres:"
    + CENTRE.format(id="gangnam", name="Gangnam", lat=37.5)
    + "    team: seoul\n"
    + CENTRE.format(id="mapo", name="Mapo", lat=37.6)
    + "    team: seoul\n"
    + CENTRE.format(id="busan", name="Busan", lat=35.2)
)


@pytest.fixture(autouse=True)
def centres_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The centres file the team ids come from (as ``serve`` reads it: ``CENTRES_FILE``)."""
    path = tmp_path / "centres.yaml"
    path.write_text(CENTRES, encoding="utf-8")
    monkeypatch.setenv("CENTRES_FILE", str(path))
    return path


@pytest.fixture(autouse=True)
def english_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command prints in the terminal's language: English here, unless a test says."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


class Terminal(io.StringIO):
    """Standard input that says it is a terminal (the password is then asked with getpass)."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def staff(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Staff]:
    def call(*argv: str, stdin: str = "") -> Run:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(["staff", *argv, "--database-url", db_url])
        out, err = capsys.readouterr()
        return code, out, err

    yield call


async def sign_in(db_url: str, username: str, password: str) -> str | None:
    store = SqlStore(db_url)
    try:
        login = await StaffAuth(store.uow, failure_delay=0).login(username, password)
        return login.token if login else None
    finally:
        await store.close()


async def signed_in(db_url: str, token: str) -> bool:
    store = SqlStore(db_url)
    try:
        return await StaffAuth(store.uow).authenticate(token) is not None
    finally:
        await store.close()


def test_add_reads_the_password_from_stdin_and_the_account_can_sign_in(
    staff: Staff, db_url: str
) -> None:
    argv = ["add", "Alice", "--role", "agent", "--team", "default", "--team", "seoul"]
    code, out, err = staff(*argv, stdin=f"{PASSWORD}\n")
    assert (code, err) == (0, "")
    assert out == "added alice (agent; teams: default, seoul)\n"
    assert run(sign_in(db_url, "alice", PASSWORD)) is not None
    assert run(sign_in(db_url, "alice", PASSWORD + "\n")) is None  # the newline is not part of it


def test_list_shows_role_state_and_teams(staff: Staff) -> None:
    assert staff("list")[1].startswith("no staff accounts")
    staff("add", "root", "--role", "admin", stdin=PASSWORD)
    staff("add", "bob", "--role", "agent", "--team", "default", stdin=PASSWORD)
    staff("disable", "bob")
    code, out, _ = staff("list")
    assert code == 0
    assert out.splitlines() == [
        "bob   agent  disabled  teams: default",
        "root  admin  active    teams: -",
    ]


def test_an_agent_without_teams_is_added_with_a_warning(staff: Staff) -> None:
    code, out, _ = staff("add", "newbie", "--role", "agent", stdin=PASSWORD)
    assert code == 0 and "no team: sees no tickets yet" in out


def test_disable_stops_the_accounts_sessions_at_once(staff: Staff, db_url: str) -> None:
    staff("add", "alice", "--role", "agent", "--team", "default", stdin=PASSWORD)
    token = run(sign_in(db_url, "alice", PASSWORD))
    assert token is not None and run(signed_in(db_url, token))
    code, out, _ = staff("disable", "alice")
    assert (code, out) == (0, "disabled alice (agent; teams: default)\n")
    assert not run(signed_in(db_url, token))
    assert run(sign_in(db_url, "alice", PASSWORD)) is None
    assert staff("enable", "alice")[0] == 0
    assert run(sign_in(db_url, "alice", PASSWORD)) is not None


def test_password_and_teams_change_the_account(staff: Staff, db_url: str) -> None:
    staff("add", "alice", "--role", "agent", "--team", "default", stdin=PASSWORD)
    code, out, _ = staff("password", "alice", stdin="a brand new secret\n")
    assert (code, out) == (0, "password changed for alice\n")
    assert run(sign_in(db_url, "alice", PASSWORD)) is None
    assert run(sign_in(db_url, "alice", "a brand new secret")) is not None
    code, out, _ = staff("teams", "alice", "--team", "seoul")
    assert (code, out) == (0, "teams set: alice (agent; teams: seoul)\n")


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["add", "alice", "--role", "agent"], "short\n", "shorter than 10 characters"),
        (["add", "alice", "--role", "agent"], "", "the password is empty"),
        (["add", "alice", "--role", "agent"], "\n", "the password is empty"),
        (["add", "not valid!", "--role", "agent"], PASSWORD, "invalid username 'not valid!'"),
        (["add", "alice", "--role", "agent", "--team", "a b"], PASSWORD, "invalid team id 'a b'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    staff: Staff, argv: list[str], stdin: str, message: str
) -> None:
    code, out, err = staff(*argv, stdin=stdin)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith(f"merchant-bot staff {argv[0]}: ")
    assert message in err
    assert staff("list")[1].startswith("no staff accounts")  # nothing was created


@pytest.mark.parametrize(
    "argv",
    [
        ["add", "bob", "--role", "agent", "--team", "nowhere"],
        ["add", "bob", "--role", "agent", "--team", "seoul", "--team", "nowhere"],
        ["add", "bob", "--role", "agent", "--team", "gangnam"],  # a centre in the seoul team
    ],
)
def test_add_refuses_a_team_that_no_centre_has(
    staff: Staff, centres_file: Path, argv: list[str]
) -> None:
    code, out, err = staff(*argv, stdin=PASSWORD)
    assert (code, out) == (2, "")
    team = argv[-1]
    assert err == (
        f"merchant-bot staff add: unknown team id {team!r}: the teams are seoul, busan, default "
        f"(from {centres_file}; --centres-file reads another)\n"
    )
    assert staff("list")[1].startswith("no staff accounts")


def test_add_accepts_the_centres_teams_and_default(staff: Staff) -> None:
    argv = ["add", "bob", "--role", "agent", "--team", "seoul", "--team", "busan"]
    assert staff(*argv, "--team", "default", stdin=PASSWORD)[:2] == (
        0,
        "added bob (agent; teams: seoul, busan, default)\n",
    )


def test_an_unknown_team_is_refused_before_the_password_is_asked(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def getpass(prompt: str = "") -> str:
        raise AssertionError("the password was asked for")

    monkeypatch.setattr("getpass.getpass", getpass)
    monkeypatch.setattr(sys, "stdin", Terminal())
    argv = ["staff", "add", "bob", "--role", "agent", "--team", "nowhere"]
    assert main([*argv, "--database-url", db_url]) == 2
    assert "unknown team id 'nowhere'" in capsys.readouterr().err


def test_teams_refuses_an_unknown_team_and_keeps_the_old_ones(staff: Staff) -> None:
    staff("add", "alice", "--role", "agent", "--team", "busan", stdin=PASSWORD)
    code, out, err = staff("teams", "alice", "--team", "seoul", "--team", "nowhere")
    assert (code, out) == (2, "")
    assert err.startswith("merchant-bot staff teams: unknown team id 'nowhere': ")
    assert staff("list")[1] == "alice  agent  active    teams: busan\n"


def test_the_centres_file_can_be_named_on_the_command_line(
    staff: Staff, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CENTRES_FILE")
    other = tmp_path / "other.yaml"
    other.write_text("centres:" + CENTRE.format(id="jeju", name="Jeju", lat=33.5), "utf-8")
    argv = ["add", "bob", "--role", "agent", "--team", "jeju"]
    assert staff(*argv, "--centres-file", str(other), stdin=PASSWORD)[0] == 0
    code, _, err = staff("teams", "bob", "--team", "busan", "--centres-file", str(other))
    assert code == 2 and "the teams are jeju, default (from " in err


def test_without_a_centres_file_only_the_default_team_exists(
    staff: Staff, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CENTRES_FILE")
    monkeypatch.delenv("FAQ_DIR", raising=False)
    monkeypatch.chdir(tmp_path)  # no faq/centres.yaml here: serve would route to default only
    code, _, err = staff("add", "bob", "--role", "agent", "--team", "busan", stdin=PASSWORD)
    assert code == 2
    assert "the teams are default (no centres file at faq/centres.yaml;" in err
    assert staff("add", "bob", "--role", "agent", "--team", "default", stdin=PASSWORD)[0] == 0


def test_a_broken_centres_file_stops_team_changes_with_its_first_error(
    staff: Staff, centres_file: Path
) -> None:
    centres_file.write_text("centres: [oops]\n", encoding="utf-8")
    code, out, err = staff("add", "bob", "--role", "agent", "--team", "busan", stdin=PASSWORD)
    assert (code, out) == (1, "")
    assert err.startswith(f"merchant-bot staff add: cannot check the team ids: {centres_file}:1:")
    assert err.count("\n") == 1
    assert staff("add", "bob", "--role", "admin", stdin=PASSWORD)[0] == 0  # no team: no check


def test_a_bad_role_is_an_argparse_usage_error(staff: Staff) -> None:
    with pytest.raises(SystemExit) as exit_:
        staff("add", "alice", "--role", "boss", stdin=PASSWORD)
    assert exit_.value.code == 2


@pytest.mark.parametrize("action", ["disable", "enable", "password", "teams"])
def test_an_unknown_user_exits_1(staff: Staff, action: str) -> None:
    extra = ["--team", "default"] if action == "teams" else []
    code, out, err = staff(action, "ghost", *extra, stdin=PASSWORD)
    assert (code, out) == (1, "")
    assert err == f"merchant-bot staff {action}: no staff account ghost\n"


def test_adding_an_existing_user_exits_1(staff: Staff) -> None:
    staff("add", "alice", "--role", "agent", stdin=PASSWORD)
    code, _, err = staff("add", "ALICE", "--role", "admin", stdin=PASSWORD)
    assert (code, err) == (1, "merchant-bot staff add: staff account alice already exists\n")


def test_on_a_terminal_the_password_is_asked_twice(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter([PASSWORD, PASSWORD, PASSWORD, "something else!"])
    prompts: list[str] = []

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", getpass)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdin", terminal)
    assert main(["staff", "add", "alice", "--role", "admin", "--database-url", db_url]) == 0
    assert prompts == ["New password: ", "Repeat it: "]
    assert run(sign_in(db_url, "alice", PASSWORD)) is not None
    monkeypatch.setattr(sys, "stdin", terminal)
    assert main(["staff", "password", "alice", "--database-url", db_url]) == 2
    assert "the passwords do not match" in capsys.readouterr().err


def test_an_unreachable_database_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://nobody@127.0.0.1:9/none"  # port 9 (discard): nothing listens
    assert main(["staff", "list", "--database-url", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("merchant-bot staff list: database error: ") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("lang", "added", "refused"),
    [
        (
            "zh_TW.UTF-8",
            "已新增 alice（agent；團隊：busan）",
            "未知的團隊 ID 'nowhere'：現有團隊為 ",
        ),
        (
            "zh_CN.UTF-8",
            "已添加 alice（agent；团队：busan）",
            "未知的团队 ID 'nowhere'：现有团队为 ",
        ),
        (
            "ko_KR.UTF-8",
            "추가했습니다: alice (agent; 팀: busan)",
            "알 수 없는 팀 ID 'nowhere': 팀은 ",
        ),
    ],
)
def test_the_command_speaks_the_terminal_s_language(
    staff: Staff, monkeypatch: pytest.MonkeyPatch, lang: str, added: str, refused: str
) -> None:
    monkeypatch.setenv("LANG", lang)
    assert staff("add", "alice", "--role", "agent", "--team", "busan", stdin=PASSWORD) == (
        0,
        added + "\n",
        "",
    )
    code, out, err = staff("teams", "alice", "--team", "nowhere")
    assert (code, out) == (2, "") and err.startswith(f"merchant-bot staff teams: {refused}")
    assert staff("list")[1].startswith("alice")
