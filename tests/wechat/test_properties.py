"""Bad input on /wechat, systematically (Hypothesis): signed, encrypted pushes through the real
app, channel and conversation service (in-memory store), and the safe-mode crypto itself.

Whatever is pushed: never a 5xx; a refusal is a short plain-text reason (no traceback) and
stores nothing; any text WeChat can carry is stored once and answered (passively, or
``success`` and the customer-service API).
"""

from __future__ import annotations

import contextlib
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.wechat.crypto import CryptoError, MessageCrypto
from bot.channels.wechat.mapping import MAX_TEXT_CHARS
from bot.channels.wechat.xml import cdata
from tests.fakes import FakeStore
from tests.wechat import reference, wire
from tests.wechat.conftest import Bot, MakeBot
from tests.wechat.wire import ACCOUNT, AES_KEY, APP_ID

OPENID = "oProp00000000000000000000000"
# What XML 1.0 can carry (WeChat cannot send anything else), and \r, which XML turns into \n.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XML_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from(
        "保证金退款보증금ㅂ日本語عربيעברית🙂👍🏽👨‍👩‍👧\u200d\u200f\u202e\ufeff]]>&<'\"\t\n 　"
    ),
    min_size=1,
    max_size=400,
).map(lambda s: NOT_XML.sub("", s))
FIELDS = st.sampled_from(
    ["ToUserName", "FromUserName", "CreateTime", "MsgType", "MsgId", "Content", "Event",
     "EventKey", "Location_X", "Location_Y", "Label", "Recognition", "Encrypt"]
)  # fmt: skip
MSG_TYPES = st.sampled_from(["text", "event", "location", "voice", "image", "TEXT", "", "x"])
EVENTS = st.sampled_from(["subscribe", "unsubscribe", "CLICK", "VIEW", "LOCATION", "SCAN", ""])


@st.composite
def pushes(draw: st.DrawFn) -> str:
    """WeChat-shaped XML with any fields missing, repeated or holding odd values."""
    fields = {
        "ToUserName": ACCOUNT,
        "FromUserName": draw(st.just(OPENID) | XML_TEXT),
        "CreateTime": draw(
            st.integers(-(2**70), 2**70).map(str) | st.sampled_from(["", "now", "1e9", "٣"])
        ),
        "MsgType": draw(MSG_TYPES),
        "MsgId": draw(st.integers(0, 2**64).map(str) | XML_TEXT),
        "Content": draw(XML_TEXT),
        "Event": draw(EVENTS),
        "EventKey": draw(XML_TEXT | st.sampled_from(["lang:ko", "topics", "human", "qrscene_1"])),
        "Location_X": draw(st.floats().map(str) | XML_TEXT),
        "Location_Y": draw(st.floats().map(str) | XML_TEXT),
        "Recognition": draw(XML_TEXT),
    }
    drop = draw(st.sets(FIELDS))
    extra = draw(st.lists(st.tuples(FIELDS, XML_TEXT), max_size=3))
    body = "".join(f"<{k}>{cdata(v)}</{k}>" for k, v in fields.items() if k not in drop)
    body += "".join(f"<{k}>{cdata(v)}</{k}>" for k, v in extra)
    return f"<xml>{body}</xml>"


@pytest.fixture
async def bots(make_bot: MakeBot) -> AsyncIterator[dict[bool, Bot]]:
    yield {False: await make_bot(), True: await make_bot(safe=True)}


def stored(store: FakeStore) -> int:
    return len(store.committed.messages)


def assert_clear_refusal(status: int, text: str) -> None:
    assert status in (400, 403, 413), (status, text[:200])
    assert text.strip() and len(text) < 300 and "Traceback" not in text and 'File "' not in text


@given(xml=pushes(), safe=st.booleans())
async def test_any_signed_push_is_answered_or_refused_cleanly(
    bots: dict[bool, Bot], store: FakeStore, xml: str, safe: bool
) -> None:
    bot, before = bots[safe], stored(store)
    response = await bot.post(xml)
    if response.status_code == 200:
        bot.wire.read(response.content)  # a well-formed (and, in safe mode, signed) reply
    else:
        assert_clear_refusal(response.status_code, response.text)
        assert stored(store) == before, "a refused push stored something"


@given(
    body=st.binary(max_size=400)
    | XML_TEXT.map(str.encode)
    | st.sampled_from([b"<xml>", b"<xml/>", b"<xml><Encrypt/></xml>", b"\xef\xbb\xbf<xml></xml>"]),
    safe=st.booleans(),
)
async def test_any_signed_bytes_are_refused_cleanly(
    bots: dict[bool, Bot], store: FakeStore, body: bytes, safe: bool
) -> None:
    bot, before = bots[safe], stored(store)
    params, _ = bot.wire.push("<xml/>")
    if safe:  # signed over the (garbage) Encrypt field, as WeChat would sign it
        try:
            encrypted = (ET.fromstring(body).findtext("Encrypt") or "").strip()
        except ET.ParseError:
            encrypted = ""
        params["msg_signature"] = reference.signature(
            wire.TOKEN, params["timestamp"], params["nonce"], encrypted
        )
    response = await bot.client.post("/wechat", params=params, content=body)
    if response.status_code != 200:
        assert_clear_refusal(response.status_code, response.text)
    assert stored(store) == before


@given(
    encrypted=st.text(max_size=200)
    | st.binary(max_size=200).map(lambda b: __import__("base64").b64encode(b).decode())
    | st.builds(
        lambda text, app: reference.encrypt(AES_KEY, app, text, b"\x00" * 16),
        XML_TEXT,
        st.sampled_from([APP_ID, "wx0000000000000000", ""]),
    ),
)
async def test_any_signed_ciphertext_is_refused_or_read(
    bots: dict[bool, Bot], store: FakeStore, encrypted: str
) -> None:
    bot, before = bots[True], stored(store)
    params, _ = bot.wire.push("<xml/>")
    params["msg_signature"] = reference.signature(
        wire.TOKEN, params["timestamp"], params["nonce"], encrypted.strip()
    )
    body = f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt>{cdata(encrypted)}</Encrypt></xml>"
    response = await bot.client.post("/wechat", params=params, content=body.encode())
    assert response.status_code < 500
    if response.status_code != 200:
        assert_clear_refusal(response.status_code, response.text)
        assert stored(store) == before


@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "signature",
                "msg_signature",
                "timestamp",
                "nonce",
                "echostr",
                "encrypt_type",
                "openid",
            ]
        ),
        st.text(max_size=60),
    )
)
async def test_forged_or_missing_signatures_are_refused(
    bots: dict[bool, Bot], store: FakeStore, params: dict[str, str]
) -> None:
    for bot in bots.values():
        before = stored(store)
        pushed = await bot.client.post("/wechat", params=params, content=wire.text(OPENID, "hi"))
        assert_clear_refusal(pushed.status_code, pushed.text)
        checked = await bot.client.get("/wechat", params=params)
        assert_clear_refusal(checked.status_code, checked.text)
        assert stored(store) == before


@given(content=XML_TEXT, safe=st.booleans())
async def test_any_text_wechat_can_carry_is_stored_once_and_answered(
    bots: dict[bool, Bot], store: FakeStore, content: str, safe: bool
) -> None:
    bot = bots[safe]
    openid = f"oProp{abs(hash((content, safe))):023d}"[:28]  # a new merchant each time
    xml = wire.text(openid, "").replace("<![CDATA[]]>", cdata(content))
    before = [m for m in store.committed.messages if m.direction == "in"]
    response = await bot.post(xml)
    assert response.status_code == 200, response.text
    reply = bot.wire.read(response.content)
    inbound = [m for m in store.committed.messages if m.direction == "in"][len(before) :]
    expected = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", content).strip()[:MAX_TEXT_CHARS]
    assert [m.text for m in inbound] == [expected]
    if reply is not None:  # else answered late, through the customer-service API
        assert str(reply["Content"]).strip()
    again = await bot.post(xml)  # WeChat's retry of the same MsgId: not stored again
    assert again.status_code == 200
    assert len([m for m in store.committed.messages if m.direction == "in"]) == len(before) + 1


@given(text=st.text(max_size=600), random=st.binary(min_size=16, max_size=16))
def test_crypto_round_trips_any_text(text: str, random: bytes) -> None:
    crypto = MessageCrypto(AES_KEY, APP_ID, random=lambda n: random[:n])
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return  # a lone surrogate cannot be sent at all
    encrypted = crypto.encrypt(text)
    assert crypto.decrypt(encrypted) == text
    assert reference.decrypt(AES_KEY, encrypted) == (text, APP_ID)


@given(encrypted=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.hex()))
def test_decrypting_anything_is_a_crypto_error_or_a_message(encrypted: str) -> None:
    with contextlib.suppress(CryptoError):
        MessageCrypto(AES_KEY, APP_ID).decrypt(encrypted)
