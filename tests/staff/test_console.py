"""The console's queue and ticket pages and every action, over the real desk and delivery."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from bot.core.outbound import DeliveryError
from tests.staff.conftest import Console, sign_in

Json = dict[str, Any]


@pytest.fixture
def staffed(console: Console) -> Console:
    console.add("alice", "agent", "default")
    console.add("kim", "agent", "seoul")
    console.add("root", "admin")
    return console


def queue(client: TestClient, query: str = "") -> list[Json]:
    response = client.get(f"/staff/queue.json{query}")
    assert response.status_code == 200
    data: Json = response.json()
    assert data["count"] == len(data["tickets"])
    return list(data["tickets"])


def thread(client: TestClient, ticket_id: int) -> Json:
    response = client.get(f"/staff/tickets/{ticket_id}/thread.json")
    assert response.status_code == 200
    data: Json = response.json()
    return data


def post(client: TestClient, ticket_id: int, action: str, csrf: str, **fields: str) -> Any:
    return client.post(f"/staff/tickets/{ticket_id}/{action}", data={"csrf": csrf, **fields})


# -- the queue -------------------------------------------------------------------------------


def test_the_queue_shows_each_ticket_at_a_glance_oldest_first(
    staffed: Console, client: TestClient
) -> None:
    first = staffed.escalate("m-en").id
    second = staffed.escalate("m-hant", "轉人工客服，謝謝").id
    third = staffed.escalate("m-ko", "상담원 연결해 주세요").id
    sign_in(client, "root")
    rows = queue(client)
    assert [r["id"] for r in rows] == [first, second, third]
    en, hant, ko = rows
    facts = (en["language"], en["channel"], en["reason_label"], en["team_name"])
    assert facts == ("English", "web", "asked for a person", "seller-support")
    assert (hant["language"], ko["language"], ko["team_name"]) == (
        "繁體中文",
        "한국어",
        "Seoul centre",
    )
    assert all(r["status"] == "open" and r["assignee"] is None for r in rows)
    assert all(r["waiting"] == "under a minute" and not r["overdue"] for r in rows)
    page = client.get("/staff/").text
    assert page.count('class="row status-open"') == 3
    assert f'href="/staff/tickets/{second}"' in page


def test_overdue_tickets_are_highlighted_until_first_answered(
    staffed: Console, client: TestClient
) -> None:
    late = staffed.escalate("m-1").id
    staffed.clock.advance(timedelta(hours=3))
    fresh = staffed.escalate("m-2").id
    csrf = sign_in(client, "alice")
    rows = {r["id"]: r for r in queue(client)}
    assert rows[late]["overdue"] and rows[late]["waiting"] == "3 hours"
    assert not rows[fresh]["overdue"]
    page = client.get("/staff/").text
    assert page.count("overdue") >= 2  # the row class and its badge
    assert f'class="row status-open overdue" data-ticket="{late}"' in page
    assert post(client, late, "reply", csrf, text="Sorry for the wait!").status_code == 303
    answered = {r["id"]: r for r in queue(client)}[late]
    assert not answered["overdue"] and answered["answered"]


def test_the_queue_filters(staffed: Console, client: TestClient) -> None:
    en = staffed.escalate("m-en").id
    zh = staffed.escalate("m-zh", "转人工客服").id
    ko = staffed.escalate("m-ko", "상담원 연결해 주세요").id
    staffed.say("m-comp", "Amazon froze my funds, can you help me get the money released?")
    comp = staffed.ticket_of("m-comp")
    assert comp is not None and comp.reason.startswith("compliance")
    staffed.say("m-none", "what's the weather in Seoul tomorrow")
    staffed.press("m-none", "human:no_answer")
    none = staffed.ticket_of("m-none")
    assert none is not None and none.reason == "no_answer"
    csrf = sign_in(client, "root")
    assert post(client, zh, "claim", csrf).status_code == 303
    assert post(client, comp.id, "resolve", csrf).status_code == 303

    def ids(query: str) -> list[int]:
        return [r["id"] for r in queue(client, query)]

    assert ids("") == [en, zh, ko, none.id]
    assert ids("?team=seoul") == [ko]
    assert ids("?locale=zh_Hans") == [zh]
    assert ids("?reason=no_answer") == [none.id]
    assert ids("?reason=compliance&status=all") == [comp.id]
    assert ids("?status=assigned") == [zh]
    assert ids("?status=open") == [en, ko, none.id]
    assert ids("?status=resolved") == [comp.id]
    assert ids("?mine=1") == [zh]
    assert ids("?status=bogus&team=nowhere&locale=xx&reason=x") == [en, zh, ko, none.id]
    page = client.get("/staff/?team=seoul&status=all&mine=1").text
    assert '<option value="seoul" selected>' in page and "checked" in page
    assert 'data-poll="/staff/queue.json?status=all&amp;team=seoul&amp;mine=1"' in page


# -- the ticket page -------------------------------------------------------------------------


def test_the_ticket_page_shows_the_conversation_and_offers_macros_in_the_merchants_language(
    staffed: Console, client: TestClient
) -> None:
    staffed.say("m-ko", "보증금은 얼마인가요?")
    ticket = staffed.escalate("m-ko", "상담원 연결해 주세요")
    sign_in(client, "kim")
    page = client.get(f"/staff/tickets/{ticket.id}").text
    assert "보증금은 얼마인가요?" in page  # what came before the hand-over is there too
    assert "상담원 연결해 주세요" in page
    assert "ticket opened: asked for a person" in page
    assert "Reply to the merchant" in page and "in 한국어, via web" in page
    assert ">확인 중</option>" in page and ">Taking a look</option>" not in page
    sign_in(client, "root")
    hant = staffed.escalate("m-hant", "轉人工客服，謝謝")
    page = client.get(f"/staff/tickets/{hant.id}").text
    assert "感謝您耐心等待" in page and "感谢" not in page  # converted, never stored


def test_merchant_text_is_escaped(staffed: Console, client: TestClient) -> None:
    ticket = staffed.escalate("m-1")
    staffed.say("m-1", '<img src=x onerror="alert(1)"> & more')
    sign_in(client, "alice")
    page = client.get(f"/staff/tickets/{ticket.id}").text
    assert "<img src=x" not in page
    assert str(escape('<img src=x onerror="alert(1)"> & more')) in page


def test_claim_reply_and_delivery(staffed: Console, client: TestClient) -> None:
    ticket = staffed.escalate("m-1").id
    csrf = sign_in(client, "alice")
    claimed = post(client, ticket, "claim", csrf)
    assert claimed.status_code == 303 and claimed.headers["location"] == f"/staff/tickets/{ticket}"
    assert staffed.ticket(ticket).assignee == "alice"
    assert "alice claimed the ticket" in client.get(f"/staff/tickets/{ticket}").text
    assert (
        post(client, ticket, "reply", csrf, text="Hi, I'm Alice.\nHow can I help?").status_code
        == 303
    )
    item = next(i for i in thread(client, ticket)["items"] if i["kind"] == "staff")
    assert (item["text"], item["author"]) == ("Hi, I'm Alice.\nHow can I help?", "alice")
    assert item["delivery"] == "sending"
    assert staffed.deliver() == 1
    assert staffed.outbound.sent[-1][1] == "Hi, I'm Alice.\nHow can I help?"
    item = next(i for i in thread(client, ticket)["items"] if i["kind"] == "staff")
    assert item["delivery"] == "sent"
    assert staffed.history("m-1")[-1].text == "Hi, I'm Alice.\nHow can I help?"
    assert thread(client, ticket)["ticket"]["status"] == "waiting"
    # The merchant answers: the poller sees it, the ticket is back with the staff.
    staffed.say("m-1", "My order 1234 never arrived")
    data = thread(client, ticket)
    said, told = data["items"][-2:]  # the message, and the bot's "added to your request"
    assert (said["kind"], said["text"]) == ("merchant", "My order 1234 never arrived")
    assert told["kind"] == "bot" and "added this to your request" in told["text"]
    assert data["ticket"]["status"] == "assigned"
    assert "My order 1234 never arrived" in data["html"]["thread"]


def test_notes_stay_internal(staffed: Console, client: TestClient) -> None:
    ticket = staffed.escalate("m-1").id
    csrf = sign_in(client, "alice")
    assert (
        post(client, ticket, "note", csrf, text="Looks like a courier problem").status_code == 303
    )
    notes = [i for i in thread(client, ticket)["items"] if i["kind"] == "note"]
    assert [(n["text"], n["author"]) for n in notes] == [("Looks like a courier problem", "alice")]
    assert "internal note" in client.get(f"/staff/tickets/{ticket}").text
    staffed.deliver()
    assert all("courier" not in m.text for m in staffed.history("m-1"))
    assert staffed.outbound.sent == []


def test_transfer_moves_the_ticket_out_of_the_agents_sight(
    staffed: Console, client: TestClient
) -> None:
    ticket = staffed.escalate("m-1").id
    csrf = sign_in(client, "alice")
    post(client, ticket, "claim", csrf)
    page = client.get(f"/staff/tickets/{ticket}").text
    assert '<option value="seoul">Seoul centre</option>' in page
    assert post(client, ticket, "transfer", csrf, team="seoul").status_code == 303
    moved = staffed.ticket(ticket)
    assert (moved.team, moved.status, moved.assignee) == ("seoul", "open", None)
    assert client.get(f"/staff/tickets/{ticket}").status_code == 404
    sign_in(client, "kim")
    assert (
        "alice transferred it from default to seoul" in client.get(f"/staff/tickets/{ticket}").text
    )


def test_assigning_is_for_admins_and_to_people_who_may_see_the_ticket(
    staffed: Console, client: TestClient
) -> None:
    ticket = staffed.escalate("m-1").id
    csrf = sign_in(client, "alice")
    assert 'id="assign-to"' not in client.get(f"/staff/tickets/{ticket}").text
    refused = post(client, ticket, "assign", csrf, username="root")
    assert refused.status_code == 409 and "only admins" in refused.text
    csrf = sign_in(client, "root")
    page = client.get(f"/staff/tickets/{ticket}").text
    assert '<option value="alice">' in page and '<option value="kim">' not in page
    wrong = post(client, ticket, "assign", csrf, username="kim")
    assert wrong.status_code == 409 and "kim cannot take tickets of team default" in wrong.text
    assert post(client, ticket, "assign", csrf, username="alice").status_code == 303
    assert staffed.ticket(ticket).assignee == "alice"
    assert "root assigned it to alice" in client.get(f"/staff/tickets/{ticket}").text


def test_resolve_asks_the_merchant_to_rate_and_closes_the_composer(
    staffed: Console, client: TestClient
) -> None:
    ticket = staffed.escalate("m-1").id
    csrf = sign_in(client, "alice")
    assert post(client, ticket, "resolve", csrf).status_code == 303
    assert staffed.ticket(ticket).status == "resolved"
    request = staffed.history("m-1")[-1]
    assert [b.payload for b in request.buttons] == [f"rate:{ticket}:{n}" for n in range(1, 6)]
    page = client.get(f"/staff/tickets/{ticket}").text
    assert f'action="/staff/tickets/{ticket}/reply"' not in page
    assert "not rated yet" in page and "alice resolved the ticket" in page
    late = post(client, ticket, "reply", csrf, text="One more thing")
    assert late.status_code == 409 and "the ticket is resolved" in late.text
    staffed.press("m-1", f"rate:{ticket}:4")
    data = thread(client, ticket)
    assert data["ticket"]["rating"] == 4
    assert (
        "4/5" in data["html"]["summary"] and "merchant rated the help 4/5" in data["html"]["thread"]
    )


def test_a_refused_reply_keeps_the_draft(staffed: Console, client: TestClient) -> None:
    ticket = staffed.escalate("m-1").id
    csrf = sign_in(client, "alice")
    long = "x" * 4001
    refused = post(client, ticket, "reply", csrf, text=long)
    assert refused.status_code == 409
    assert "longer than 4000 characters" in refused.text
    assert f">{long}</textarea>" in refused.text
    empty = client.post(
        f"/staff/tickets/{ticket}/reply",
        data={"text": "   "},
        headers={"accept": "application/json", "x-csrf-token": csrf},
    )
    assert empty.status_code == 409
    assert empty.json() == {"error": "refused", "message": "the reply is empty"}


# -- failed deliveries -----------------------------------------------------------------------


def test_an_undeliverable_reply_is_shown_as_failed_and_can_be_retried(
    staffed: Console, client: TestClient
) -> None:
    ticket = staffed.escalate("m-1").id
    csrf = sign_in(client, "alice")
    staffed.outbound.failure = DeliveryError("the merchant blocked the bot", permanent=True)
    post(client, ticket, "reply", csrf, text="Are you still there?")
    assert staffed.deliver() == 0
    staff_item = next(i for i in thread(client, ticket)["items"] if i["kind"] == "staff")
    assert staff_item["delivery"] == "failed"
    assert staff_item["error"] == "the merchant blocked the bot"
    page = client.get(f"/staff/tickets/{ticket}").text
    assert "Not delivered: the merchant blocked the bot" in page
    assert f'action="/staff/tickets/{ticket}/retry"' in page
    assert f'name="message_id" value="{staff_item["message_id"]}"' in page
    # Sent again once the channel works: pending at once, then delivered.
    staffed.outbound.failure = None
    retried = post(client, ticket, "retry", csrf, message_id=str(staff_item["message_id"]))
    assert retried.status_code == 303
    assert [i.status for i in staffed.outbox(ticket)] == ["pending"]
    assert "sending" in thread(client, ticket)["html"]["thread"]
    assert staffed.deliver() == 1
    assert [text for _, text in staffed.outbound.sent] == ["Are you still there?"]
    assert "alice sent a failed message again" in client.get(f"/staff/tickets/{ticket}").text
    again = post(client, ticket, "retry", csrf, message_id=str(staff_item["message_id"]))
    assert again.status_code == 409 and "only a failed message" in again.text
    assert post(client, ticket, "retry", csrf, message_id="abc").status_code == 400
    assert post(client, ticket, "retry", csrf).status_code == 400


def test_a_transient_failure_shows_the_reply_as_still_sending(
    staffed: Console, client: TestClient
) -> None:
    ticket = staffed.escalate("m-1").id
    csrf = sign_in(client, "alice")
    staffed.outbound.failure = DeliveryError("timeout")
    post(client, ticket, "reply", csrf, text="Hello?")
    staffed.deliver()
    item = next(i for i in thread(client, ticket)["items"] if i["kind"] == "staff")
    assert (item["delivery"], item["error"]) == ("sending", "timeout")
    assert "Retrying: timeout" in client.get(f"/staff/tickets/{ticket}").text
