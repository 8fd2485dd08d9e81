"""WECHAT_* settings become one checked WechatConfig; bad values name their variable."""

from __future__ import annotations

import pytest

from bot.channels.wechat import ConfigError, WechatConfig
from bot.settings import Settings
from tests.wechat.wire import AES_KEY, APP_ID, SECRET, TOKEN


def test_off_without_a_token() -> None:
    assert WechatConfig.from_settings(Settings(wechat_token="")) is None


def test_from_settings_plaintext_and_safe_mode() -> None:
    plain = WechatConfig.from_settings(Settings(wechat_token=TOKEN))
    assert plain is not None and not plain.safe_mode and not plain.can_send
    assert plain.api_url == "https://api.weixin.qq.com" and plain.passive_budget == 4.0
    safe = WechatConfig.from_settings(
        Settings(
            wechat_token=TOKEN,
            wechat_app_id=APP_ID,
            wechat_app_secret=SECRET,
            wechat_encoding_aes_key=AES_KEY,
            wechat_api_url="http://127.0.0.1:9000/",
        )
    )
    assert safe is not None and safe.safe_mode and safe.can_send
    assert safe.api_url == "http://127.0.0.1:9000"


@pytest.mark.parametrize(
    ("fields", "variable"),
    [
        ({"encoding_aes_key": AES_KEY[:-1], "app_id": APP_ID}, "WECHAT_ENCODING_AES_KEY"),
        ({"encoding_aes_key": AES_KEY}, "WECHAT_APP_ID"),
        ({"api_url": "api.weixin.qq.com"}, "WECHAT_API_URL"),
    ],
)
def test_bad_values_name_the_variable(fields: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        WechatConfig(TOKEN, **fields)  # type: ignore[arg-type]
    assert str(caught.value).startswith(f"{variable}: ")
