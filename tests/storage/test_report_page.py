"""The console's insights page and ``report stats`` give the same figures for the same period
and filters, whether the days are read raw or from the roll-ups, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from bot.channels import numbered
from bot.core.conversation import ConversationService
from bot.core.desk import Desk
from bot.core.insights import CSV_COLUMNS
from bot.core.responder import Responder
from bot.faq.reloader import FaqHolder
from bot.staff.accounts import Accounts
from bot.staff.auth import StaffAuth
from bot.staff.macros import MacroHolder
from bot.staff.throttle import HashGate, SlidingWindow
from bot.storage.insights import SqlInsights
from bot.storage.uow import SqlStore
from bot.web.app import create_app
from bot.web.staff import AdminParts, staff_routes
from tests.conftest import FAQ_DIR
from tests.staff.conftest import FAST, PASSWORD, Clock, Teams, Ticker, sign_in
from tests.storage.conftest import StoreUnderTest
from tests.storage.insights_world import World, period, run_report
from tests.storage.test_insights import _seed as seed_known

# (page query, report options): the same filters in each one's words
FILTERS = [
    ("", ()),
    ("&language=ko", ("--language", "ko")),
    ("&channel=wechat", ("--channel", "wechat")),
    ("&team=seoul", ("--team", "seoul")),
    ("&language=zh_Hant&channel=telegram", ("--language", "zh_Hant", "--channel", "telegram")),
]


@pytest.fixture
def console(
    store: StoreUnderTest, store_url: str, tmp_path: Path
) -> Iterator[tuple[TestClient, SqlStore]]:
    """The staff console with its admin pages over the store, an admin signed in."""
    folder = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, folder)
    faq = FaqHolder(folder)
    faq.reload()
    sql, clock, teams = SqlStore(store_url), Clock(), Teams()
    chat = ConversationService(faq.matcher, sql.uow)
    desk = Desk(sql.uow, lambda: teams, clock=clock)
    auth = StaffAuth(sql.uow, passwords=FAST, clock=clock, failure_delay=0, gate=HashGate())
    macros = MacroHolder(FAQ_DIR / "macros.yaml")
    macros.reload()
    parts = AdminParts(
        uow=sql.uow, matcher=faq.matcher, faq_folder=folder, reload=faq.reload,
        responder=Responder(faq.matcher), numbered=numbered.render,
        insights=SqlInsights(sql.engine),
    )  # fmt: skip
    routes = staff_routes(
        desk, auth, macros, lambda: teams, clock=clock,
        limiter=SlidingWindow(clock=Ticker()), admin=parts,
    )  # fmt: skip

    async def health() -> dict[str, Any]:
        return {"ok": True}

    with TestClient(create_app(chat, health, routes=routes), follow_redirects=False) as client:
        portal = client.portal
        assert portal is not None
        portal.call(
            Accounts(sql.uow, passwords=FAST, clock=clock).add, "ada", "admin", PASSWORD, ()
        )
        sign_in(client, "ada")
        yield client, sql
        portal.call(sql.close)


def report_csv(report: dict[str, Any]) -> list[list[str]]:
    """The rows the page's CSV has, made from ``report stats --json``."""

    def cell(value: object) -> str:
        return "" if value is None else str(value)

    def row(dimension: str, value: str, f: dict[str, Any]) -> list[str]:
        fr, rs = f["first_response"], f["resolution"]
        cells = [f["conversations"], f["deflected"], f["deflection"], f["questions"],
                 f["answered"], f["did_you_mean"], f["fallback"], f["escalated"],
                 f["tickets_opened"], f["tickets_resolved"], fr["median_seconds"],
                 fr["p90_seconds"], fr["within_target"], rs["median_seconds"], rs["p90_seconds"],
                 rs["within_target"], *(f["csat"][str(r)] for r in range(1, 6)),
                 None, None]  # fmt: skip
        return [dimension, value, *map(cell, cells)]

    rows = [list(CSV_COLUMNS), row("total", "", report["total"])]
    for dimension, key in (("language", "by_language"), ("channel", "by_channel"),
                           ("team", "by_team")):  # fmt: skip
        rows += [row(dimension, value, f) for value, f in report[key].items()]
    blanks = [""] * (len(CSV_COLUMNS) - 4)
    rows += [["entry", f["faq_id"], *blanks, str(f["up"]), str(f["down"])]
             for f in report["feedback"]]  # fmt: skip
    return rows


@pytest.mark.parametrize("store_url", ["sqlite", "postgresql"], indirect=True)
def test_the_page_and_report_stats_give_the_same_figures(
    console: tuple[TestClient, SqlStore], store_url: str
) -> None:
    client, sql = console
    now = datetime.now(UTC)
    world = World(now)
    assert client.portal is not None
    client.portal.call(world.store, sql.engine)
    since, until = period(now)
    dates = f"from={since.date()}&to={(until - timedelta(days=1)).date()}"
    seen = []
    for read in ("raw", "roll-ups"):  # the page first reads raw days; the report builds them
        for page_filters, options in FILTERS:
            page = client.get(f"/staff/admin/insights.csv?{dates}{page_filters}")
            assert page.status_code == 200
            reported = run_report(store_url, since, until, *options)
            assert list(csv.reader(io.StringIO(page.text))) == report_csv(reported), (
                read,
                page_filters,
            )
            html = client.get(f"/staff/admin/insights?{dates}{page_filters}").text
            shown = re.search(r'data-figure="questions">(\d+)<', html)
            assert shown is not None and int(shown[1]) == reported["total"]["questions"]
            seen.append(reported["total"]["questions"])
    assert min(seen) > 0 and seen[0] == world.expected(since, until)["questions"]


def table_rows(page: str) -> dict[str, list[str]]:
    """Each table row of the page by its heading cell: the cells' texts (the first row of a
    heading wins)."""
    rows: dict[str, list[str]] = {}
    for name, cells in re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', page, re.S):
        rows.setdefault(html.unescape(name), re.findall(r"<td[^>]*>([^<]*)</td>", cells))
    return rows


def bars_of(page: str, label: str) -> dict[str, int]:
    """A bar chart's values by bar, read from its SVG."""
    svg = page.split(f'aria-label="{label}"', 1)[1].split("</svg>", 1)[0]
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    return dict(zip(texts[::2], map(int, texts[1::2]), strict=True))


@pytest.mark.parametrize("store_url", ["sqlite", "postgresql"], indirect=True)
def test_the_page_shows_the_figures_of_a_known_data_set(
    console: tuple[TestClient, SqlStore],
) -> None:
    client, sql = console
    assert client.portal is not None
    client.portal.call(seed_known, sql)  # the console's store: its engine is on that loop
    page = client.get("/staff/admin/insights").text
    figure = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', page))
    assert figure == {"conversations": "3", "deflection": "33%", "questions": "5",
                      "tickets_opened": "2", "tickets_resolved": "1"}  # fmt: skip
    rows = table_rows(page)
    # tickets, median, p90, target, within target: first responses of 30 min and 4 h (p90
    # interpolated: 3 h 39 min), one resolution in 3 h
    assert rows["First response"] == ["2", "2.2 h", "3.6 h", "2.0 h", "50%"]
    assert rows["Resolution"] == ["1", "3.0 h", "3.0 h", "24.0 h", "100%"]
    # conversations, solved without a person, questions, answered, did you mean, fallback,
    # escalated, tickets opened, resolved
    assert rows["English"] == ["1", "100%", "2", "2", "0", "0", "0", "0", "0"]
    assert rows["한국어"] == ["1", "0%", "1", "0", "0", "1", "0", "1", "1"]
    assert rows["简体中文"] == ["1", "0%", "2", "0", "1", "0", "1", "1", "0"]
    assert rows["web"] == ["2", "50%", "3", "2", "0", "1", "0", "1", "1"]
    assert rows["wechat"] == ["1", "0%", "2", "0", "1", "0", "1", "1", "0"]
    # opened, resolved, first response median and p90, resolution median, rated
    assert rows["Seoul centre"] == ["1", "1", "30 min", "30 min", "3.0 h", "1"]
    assert rows["seller-support"] == ["1", "0", "4.0 h", "4.0 h", "–", "0"]
    assert (rows["refunds"], rows["fees"]) == (["0", "1"], ["1", "0"])  # 👍, 👎
    assert page.index(">refunds<") < page.index(">fees<")  # most 👎 first
    assert bars_of(page, "Questions by outcome") == {"answered": 2, "did you mean": 1,
                                                     "fallback": 1, "escalated": 1}  # fmt: skip
    assert bars_of(page, "Satisfaction ratings") == {"5 ★": 0, "4 ★": 1, "3 ★": 0, "2 ★": 0,
                                                     "1 ★": 0}  # fmt: skip
    days = re.findall(r"<title>(\d{4}-\d\d-\d\d): (\d+)</title>", page)
    assert sum(int(n) for _day, n in days) == 5  # questions per day
