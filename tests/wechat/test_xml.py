"""Parsing WeChat's XML into our dataclasses, and building replies that survive any text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bot.channels.wechat.xml import (
    MAX_XML_BYTES,
    WechatMessage,
    XmlError,
    encrypted_reply,
    parse_encrypted,
    parse_message,
    text_reply,
)
from tests.wechat import wire


def test_a_text_message_from_the_docs() -> None:
    body = """<xml>
      <ToUserName><![CDATA[toUser]]></ToUserName>
      <FromUserName><![CDATA[fromUser]]></FromUserName>
      <CreateTime>1348831860</CreateTime>
      <MsgType><![CDATA[text]]></MsgType>
      <Content><![CDATA[this is a test]]></Content>
      <MsgId>1234567890123456</MsgId>
    </xml>"""
    assert parse_message(body) == WechatMessage(
        "toUser", "fromUser", 1348831860, "text", msg_id="1234567890123456",
        content="this is a test",
    )  # fmt: skip


def test_location_event_and_voice_fields() -> None:
    loc = parse_message(wire.location("o1", 23.134521, 113.358803))
    assert (loc.msg_type, loc.latitude, loc.longitude, loc.label) == (
        "location", 23.134521, 113.358803, "Shenzhen",
    )  # fmt: skip
    click = parse_message(wire.event("o1", "CLICK", key="topics", at=1700000000))
    assert (click.event, click.event_key, click.msg_id, click.create_time) == (
        "CLICK", "topics", "", 1700000000,
    )  # fmt: skip
    voice = parse_message(wire.media("o1", "voice", "<Recognition>你好</Recognition>"))
    assert voice.recognition == "你好"


def test_an_image_message_from_the_docs() -> None:
    body = """<xml>
      <ToUserName><![CDATA[toUser]]></ToUserName>
      <FromUserName><![CDATA[fromUser]]></FromUserName>
      <CreateTime>1348831860</CreateTime>
      <MsgType><![CDATA[image]]></MsgType>
      <PicUrl><![CDATA[this is a url]]></PicUrl>
      <MediaId><![CDATA[media_id]]></MediaId>
      <MsgId>1234567890123456</MsgId>
    </xml>"""
    assert parse_message(body) == WechatMessage(
        "toUser", "fromUser", 1348831860, "image", msg_id="1234567890123456", media_id="media_id"
    )


@pytest.mark.parametrize("lat", ["91", "nan", "inf", "north"])
def test_impossible_coordinates_become_none(lat: str) -> None:
    body = wire.location("o1", 0, 0).replace(
        "<Location_X>0</Location_X>", f"<Location_X>{lat}</Location_X>"
    )
    assert parse_message(body).latitude is None


def test_an_encrypted_envelope() -> None:
    assert (
        parse_encrypted("<xml><ToUserName>gh</ToUserName><Encrypt>abc=</Encrypt></xml>") == "abc="
    )
    with pytest.raises(XmlError):
        parse_encrypted("<xml><ToUserName>gh</ToUserName></xml>")


@pytest.mark.parametrize(
    "body",
    [
        '<!DOCTYPE xml [<!ENTITY a "b">]><xml><ToUserName>a</ToUserName></xml>',
        '<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/x.dtd"><xml/>',
        "<xml><ToUserName>a</ToUserName>",
        "<notxml/>",
        "<xml>" + " " * MAX_XML_BYTES + "</xml>",
    ],
)
def test_refused_documents(body: str) -> None:
    with pytest.raises(XmlError):
        parse_message(body)


@pytest.mark.parametrize(
    "content",
    ["普通文本", "a ]]> b", "]]>]]>", "<b>&amp;</b>", "ctl\x01\x08\x0b char\ttab\nnl", "😀"],
)
def test_replies_carry_any_text_as_valid_xml(content: str) -> None:
    root = ET.fromstring(text_reply("oUser", "gh_account", 1700000000, content))
    expected = content.replace("\x01", "").replace("\x08", "").replace("\x0b", "")
    assert [c.tag for c in root] == [
        "ToUserName", "FromUserName", "CreateTime", "MsgType", "Content",
    ]  # fmt: skip
    assert root.findtext("Content") == expected
    assert (root.findtext("ToUserName"), root.findtext("MsgType")) == ("oUser", "text")


def test_an_encrypted_reply_envelope() -> None:
    root = ET.fromstring(encrypted_reply("c2VjcmV0", "ab12", "1700000000", "42"))
    assert [(c.tag, c.text) for c in root] == [
        ("Encrypt", "c2VjcmV0"), ("MsgSignature", "ab12"), ("TimeStamp", "1700000000"),
        ("Nonce", "42"),
    ]  # fmt: skip
