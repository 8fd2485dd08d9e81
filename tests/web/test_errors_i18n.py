"""The web chat's refusals in the merchant's language: the chat's, the page's, the browser's."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import FakeService

EMPTY = {
    "en": "Please type a message before sending.",
    "ko": "보내기 전에 메시지를 입력해 주세요.",
    "zh_Hans": "请先输入消息再发送。",
    "zh_Hant": "請先輸入訊息再傳送。",
}


def refused(client: TestClient, body: object, **headers: str) -> tuple[int, str, str]:
    response = client.post("/api/chat", json=body, headers=headers)
    data = response.json()
    return response.status_code, data["error"], data["message"]


def test_an_error_is_in_the_chat_s_stored_language(client: TestClient) -> None:
    assert (
        client.post("/api/chat", json={"type": "text", "text": "保证金是多少"}).status_code == 200
    )
    # the page's own hint says English; the chat is in Simplified Chinese, so that wins
    body = {"type": "text", "text": "  ", "lang": "en-US"}
    assert refused(client, body) == (400, "empty_text", EMPTY["zh_Hans"])


def test_a_korean_chat_is_told_in_korean_that_a_message_is_too_long(client: TestClient) -> None:
    assert (
        client.post("/api/chat", json={"type": "text", "text": "보증금은 얼마예요"}).status_code
        == 200
    )
    status, code, message = refused(client, {"type": "text", "text": "가" * 2001})
    assert (status, code) == (413, "text_too_long")
    assert message == "메시지는 최대 2000자까지 보낼 수 있습니다."


@pytest.mark.parametrize(
    ("lang", "locale"), [("zh-TW", "zh_Hant"), ("zh-CN", "zh_Hans"), ("ko-KR", "ko"), ("fr", "en")]
)
def test_a_new_chat_is_answered_in_the_page_s_language(
    client: TestClient, lang: str, locale: str
) -> None:
    assert refused(client, {"type": "text", "text": "", "lang": lang})[2] == EMPTY[locale]


def test_without_a_hint_the_browser_s_accept_language_decides(client: TestClient) -> None:
    status, code, message = refused(
        client, {"type": "text"}, **{"accept-language": "zh-TW,zh;q=0.9"}
    )
    assert (status, code, message) == (400, "empty_text", EMPTY["zh_Hant"])
    headers = {"content-type": "application/json", "accept-language": "ko,en;q=0.5"}
    broken = client.post("/api/chat", content=b"{not json", headers=headers)
    assert broken.json() == {
        "error": "invalid_json",
        "message": "요청 본문이 올바른 JSON이 아닙니다.",
    }


def test_an_unavailable_core_is_apologised_for_in_the_merchant_s_language(
    client: TestClient, service: FakeService
) -> None:
    response = client.post("/api/chat", json={"type": "text", "text": "boom", "lang": "zh-Hant"})
    assert response.status_code == 503
    assert response.json()["message"] == "抱歉，我們這邊出了點問題，請稍後再試。"


def test_a_failing_store_still_answers_in_the_page_s_language(
    client: TestClient, service: FakeService
) -> None:
    assert client.post("/api/chat", json={"type": "start"}).status_code == 200
    service.fail_history = True
    assert refused(client, {"type": "text", "text": " ", "lang": "ko"})[2] == EMPTY["ko"]
