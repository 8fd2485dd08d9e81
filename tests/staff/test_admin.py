"""The console's admin pages over SQLite: insights, the unanswered workbench, the test pane."""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from bot.channels import numbered
from bot.cli.main import main
from bot.core.conversation import ConversationService
from bot.core.desk import Desk
from bot.core.escalation import Escalation
from bot.core.responder import Responder
from bot.core.types import Incoming, MerchantKey, Reply
from bot.faq.reloader import FaqHolder, SemanticsLoader
from bot.faq.semantic.encoder import EncoderStatus
from bot.faq.semantic.resources import Semantics
from bot.staff.accounts import Accounts
from bot.staff.auth import StaffAuth
from bot.staff.macros import MacroHolder
from bot.staff.throttle import HashGate, SlidingWindow
from bot.storage.insights import SqlInsights
from bot.storage.uow import SqlStore
from bot.web.app import create_app
from bot.web.staff import AdminParts, staff_routes
from tests.conftest import FAQ_DIR
from tests.faq.fake_encoder import HashingEncoder
from tests.staff.conftest import FAST, PASSWORD, Clock, Teams, Ticker, sign_in

PAGES = (
    "/staff/admin/insights",
    "/staff/admin/insights.csv",
    "/staff/admin/unanswered",
    "/staff/admin/unanswered/draft?q=en|hello",
    "/staff/admin/test?q=fees",
    "/staff/admin/faq",
)
ODD = "Could my parrot run the shop while I travel?"


@dataclass
class Bench:
    client: TestClient
    chat: ConversationService
    faq: FaqHolder
    folder: Path

    def say(self, user: str, text: str) -> Reply:
        event = Incoming(MerchantKey("web", user), "text", text=text)
        reply: Reply = self.client.portal.call(self.chat.handle, event)  # type: ignore[union-attr]
        return reply


@pytest.fixture
def encoder(request: pytest.FixtureRequest, tmp_path: Path) -> SemanticsLoader | None:
    """No encoder (lexical), unless a test asks for the fake one (parametrized with True)."""
    if not getattr(request, "param", False):
        return None
    fake = HashingEncoder()
    return lambda: (Semantics(fake, tmp_path / "vectors"), EncoderStatus(fake.model_id, True))


@pytest.fixture
def with_insights(request: pytest.FixtureRequest) -> bool:
    """The SQL insights on, unless a test asks for none (parametrized with False)."""
    return bool(getattr(request, "param", True))


@pytest.fixture
def bench(
    db_url: str, tmp_path: Path, encoder: SemanticsLoader | None, with_insights: bool
) -> Iterator[Bench]:
    folder = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, folder)
    faq = FaqHolder(folder, encoder)  # lexical unless a test asks for the encoder
    faq.reload()
    if encoder is not None:
        assert faq.upgrade()  # what serve's watcher does after start-up
    store, clock, teams = SqlStore(db_url), Clock(), Teams()
    chat = ConversationService(
        faq.matcher, store.uow, escalation=Escalation(lambda: teams, clock=clock)
    )
    desk = Desk(store.uow, lambda: teams, clock=clock)
    auth = StaffAuth(store.uow, passwords=FAST, clock=clock, failure_delay=0, gate=HashGate())
    accounts = Accounts(store.uow, passwords=FAST, clock=clock)
    macros = MacroHolder(FAQ_DIR / "macros.yaml")
    macros.reload()
    parts = AdminParts(
        uow=store.uow,
        matcher=faq.matcher,
        faq_folder=folder,
        reload=faq.reload,
        responder=Responder(faq.matcher),
        numbered=numbered.render,
        insights=SqlInsights(store.engine) if with_insights else None,
    )
    routes = staff_routes(
        desk, auth, macros, lambda: teams, clock=clock,
        limiter=SlidingWindow(clock=Ticker()), admin=parts,
    )  # fmt: skip

    async def health() -> dict[str, Any]:
        return {"ok": True}

    with TestClient(create_app(chat, health, routes=routes), follow_redirects=False) as client:
        portal = client.portal
        assert portal is not None
        portal.call(accounts.add, "ada", "admin", PASSWORD, ())
        portal.call(accounts.add, "mei", "agent", PASSWORD, ("default",))
        yield Bench(client, chat, faq, folder)
        portal.call(store.close)


def test_an_agent_is_refused_every_admin_page_and_sees_no_links(bench: Bench) -> None:
    sign_in(bench.client, "mei")
    assert "/staff/admin/insights" not in bench.client.get("/staff/").text
    for page in PAGES:
        assert bench.client.get(page).status_code == 403, page
    bench.client.cookies.clear()
    assert bench.client.get(PAGES[0]).status_code == 303  # signed out: to the sign-in form


@pytest.mark.parametrize("with_insights", [False], indirect=True)
def test_without_sql_insights_their_pages_are_not_found_but_still_admin_only(
    bench: Bench,
) -> None:
    sign_in(bench.client, "mei")
    for page in PAGES[:2]:
        assert bench.client.get(page).status_code == 403, page
    bench.client.cookies.clear()
    sign_in(bench.client, "ada")
    for page in PAGES[:2]:
        got = bench.client.get(page)
        assert got.status_code == 404 and "Insights need the SQL database." in got.text, page


def test_an_admin_sees_the_insights_with_charts_and_csv(bench: Bench) -> None:
    bench.say("u1", "What documents do I need to open a seller account?")
    bench.say("u2", ODD)
    bench.say("u3", "I want to talk to a real person")
    sign_in(bench.client, "ada")
    assert "/staff/admin/insights" in bench.client.get("/staff/").text
    for page in PAGES:
        assert bench.client.get(page).status_code == 200, page
    page = bench.client.get("/staff/admin/insights")
    assert re.search(r'data-figure="conversations">3<', page.text)
    assert re.search(r'data-figure="tickets_opened">1<', page.text)
    assert page.text.count("<svg") == 3
    csv = bench.client.get("/staff/admin/insights.csv?channel=web")
    assert csv.headers["content-type"].startswith("text/csv")
    header, total = csv.text.splitlines()[:2]
    assert header.startswith("dimension,value,conversations")
    assert total.startswith("total,,3,")
    zh = bench.client.get("/staff/admin/insights", headers={"accept-language": "zh-TW"})
    assert "洞察" in zh.text or "數據" in zh.text


def test_the_workbench_adds_a_wording_and_the_reload_answers_it(bench: Bench) -> None:
    assert bench.say("u1", ODD).messages  # a fallback: logged as unanswered
    csrf = sign_in(bench.client, "ada")
    page = bench.client.get("/staff/admin/unanswered")
    assert page.status_code == 200
    assert html.escape(ODD, quote=False) in page.text or html.escape(ODD) in page.text
    draft = bench.client.get("/staff/admin/unanswered/draft", params={"q": f"en|{ODD}"})
    assert "  - id: new-entry" in html.unescape(draft.text)
    assert ODD in html.unescape(draft.text)

    done = bench.client.post(
        "/staff/admin/unanswered/phrasing",
        data={"csrf": csrf, "entry": "individual-vs-company", "lang": "en", "text": ODD},
    )
    assert done.status_code == 200, done.text
    assert ODD in (bench.folder / "account.yaml").read_text(encoding="utf-8")
    assert html.escape("+", quote=False) in done.text and "account.yaml" in done.text
    decision = bench.faq.matcher().ask(ODD)
    assert (decision.action, decision.faq_id) == ("answer", "individual-vs-company")
    # answered now: the group leaves the list (still_open), but stays under "all"
    assert html.escape(ODD) not in bench.client.get("/staff/admin/unanswered").text
    assert html.escape(ODD) in bench.client.get("/staff/admin/unanswered?all=1").text

    again = bench.client.post(
        "/staff/admin/unanswered/phrasing",
        data={"csrf": csrf, "entry": "individual-vs-company", "lang": "en", "text": ODD},
    )
    assert again.status_code == 422 and "already has this phrasing" in again.text
    refused = bench.client.post(
        "/staff/admin/unanswered/phrasing",
        data={"csrf": "wrong", "entry": "individual-vs-company", "lang": "en", "text": "x y"},
    )
    assert refused.status_code == 403


def test_the_test_pane_shows_the_decision_and_the_wechat_numbered_text(bench: Bench) -> None:
    sign_in(bench.client, "ada")
    page = bench.client.get("/staff/admin/test", params={"q": "费用"}).text
    assert 'data-action="clarify"' in page or 'data-action="answer"' in page
    assert 'id="candidates"' in page
    numbered_part = page.split('id="render-numbered"', 1)[1]
    clarify = bench.client.get("/staff/admin/test", params={"q": ODD}).text
    menu = html.unescape(clarify.split('id="render-numbered"', 1)[1])
    assert re.search(r"^1\. ", menu, re.M), menu[:500]
    assert "Reply with a number to choose." in menu
    assert 'data-action="fallback"' in clarify
    assert "<pre" in numbered_part


FLAWED = """\
entries:
  - id: parcel-insurance
    category: shipping
    escalate: false
    questions:
      en:
        - Should I insure parcels I send abroad?
        - is shipping insurance worth it
      zh:
        - 国际包裹要不要买保险
      ko:
        - Do I need insurance for parcels?
    answer:
      en: "Insure parcels worth more than USD 100."
      zh: "價值超過100美元的包裹建議投保。"
      ko: "Insure parcels worth more than USD 100."
"""


def test_the_faq_browser_flags_what_a_language_cannot_reach_or_would_misread(
    bench: Bench,
) -> None:
    (bench.folder / "insurance.yaml").write_text(FLAWED, encoding="utf-8")
    bench.faq.reload()
    sign_in(bench.client, "ada")
    page = bench.client.get("/staff/admin/faq")
    assert page.status_code == 200
    section = page.text.split('id="entry-parcel-insurance"', 1)[1].split("</section>", 1)[0]
    found = re.findall(r'data-lang="(\w+)"><span class="badge">\w+</span> ([^<:]+)', section)
    kinds = {(lang, label.strip()) for lang, label in found}
    assert ("ko", "the answer is written in another language") in kinds
    assert ("ko", "a phrasing is written in another language") in kinds
    assert ("zh", "only one phrasing in this language") in kinds
    assert any(lang == "zh" and "in Traditional characters" in label for lang, label in kinds)
    assert not any(lang == "en" for lang, _label in kinds)  # nothing wrong in English

    flagged = bench.client.get("/staff/admin/faq?flagged=1").text
    counts = re.findall(r'id="entry-([\w-]+)" data-flags="(\d+)" data-alike="(\d+)"', flagged)
    assert "parcel-insurance" in {entry for entry, _f, _a in counts}
    assert all(int(f) + int(a) > 0 for _entry, f, a in counts)
    assert len(counts) < len(re.findall(r'<section class="entry"', page.text))


TWIN = """\
entries:
  - id: deposit-top-up
    category: fees
    escalate: false
    questions:
      en: ["How much is the security deposit??", "deposit deducted, do i need to top up?!"]
      zh: ["保证金被扣了要补吗", "保证金扣了以后需要补缴吗"]
      ko: ["보증금이 차감되면 다시 채워야 하나요?", "보증금 차감 후 충전해야 해요?"]
    answer:
      en: "Top the deposit up to USD 500 in Seller Center."
      zh: "请在卖家中心把保证金补足到500美元。"
      ko: "셀러 센터에서 보증금을 500달러로 다시 채워 주세요."
"""


def test_the_faq_browser_shows_the_confusable_pairs_faq_check_warns_about(
    bench: Bench, capsys: pytest.CaptureFixture[str]
) -> None:
    (bench.folder / "twin.yaml").write_text(TWIN, encoding="utf-8")
    bench.faq.reload()
    assert main(["faq", "check", "--faq-dir", str(bench.folder)]) == 0
    warned = capsys.readouterr().err
    assert "'deposit-top-up'" in warned and "'security-deposit'" in warned
    sign_in(bench.client, "ada")
    page = bench.client.get("/staff/admin/faq?flagged=1").text
    for entry, other in (
        ("deposit-top-up", "security-deposit"),
        ("security-deposit", "deposit-top-up"),
    ):
        section = page.split(f'id="entry-{entry}"', 1)[1].split("</section>", 1)[0]
        assert re.search(rf'class="confusable">[^<]*<a href="#entry-{other}">', section), entry


def test_the_workbench_lists_unsure_answers_with_the_entry_the_matcher_leaned_to(
    bench: Bench,
) -> None:
    assert bench.faq.matcher().ask("shipping").action == "clarify"  # did you mean ...?
    refund = bench.faq.matcher().ask("refund")
    assert refund.action == "answer" and refund.score < 0.5  # answered, but unsure
    bench.say("u1", "shipping")
    bench.say("u2", "refund")
    sign_in(bench.client, "ada")
    page = bench.client.get("/staff/admin/unanswered").text
    sections = page.split('<section class="cluster">')[1:]
    for wording, entry in (("shipping", "shipping-options"), ("refund", "refunds-disputes")):
        (section,) = [s for s in sections if f">{wording}</q>" in s]
        assert f"Suggested entry: <strong>{entry}</strong>" in section
        assert f'name="entry" list="entries" value="{entry}"' in section  # one click adds it


@pytest.mark.parametrize("encoder", [True], indirect=True)
def test_the_test_pane_shows_each_rankers_score(bench: Bench) -> None:
    sign_in(bench.client, "ada")
    page = bench.client.get("/staff/admin/test", params={"q": "보증금은 얼마인가요?"}).text
    assert re.search(r"<dt>Matcher</dt><dd>fused</dd>", page)
    table = page.split('id="candidates"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr><th scope="row">([\w-]+)</th>(.*?)</tr>', table, re.S)
    assert rows and rows[0][0] == "security-deposit"
    score, lexical, semantic = re.findall(r'<td class="num">([^<]*)</td>', rows[0][1])
    assert all(re.fullmatch(r"\d\.\d{3}", v) for v in (score, lexical, semantic)), rows[0]
