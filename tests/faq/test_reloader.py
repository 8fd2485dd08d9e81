"""FAQ hot reload through the FAQ holder: the matcher is rebuilt on a good edit and kept on a
broken one (the content holder itself: tests/content/test_holder.py)."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest

from bot.faq.reloader import FaqHolder
from tests.conftest import WriteFaq
from tests.faq.samples import SMALL


def touch_later(path: Path) -> None:
    # Make sure the modification time moves even on coarse file systems.
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_first_load_serves_and_reports_ok(write_faq: WriteFaq) -> None:
    holder = FaqHolder(write_faq(a__yaml=SMALL))
    assert holder.reload() is True
    assert holder.state.ok and holder.state.entries == 4
    assert holder.matcher().ask("押金多少").faq_id == "security-deposit"
    assert holder.reload() is False  # nothing changed


def test_broken_edit_keeps_last_good_and_reports_file_and_line(
    write_faq: WriteFaq, caplog: pytest.LogCaptureFixture
) -> None:
    folder = write_faq(a__yaml=SMALL)
    holder = FaqHolder(folder)
    holder.reload()
    good = holder.matcher()
    (folder / "a.yaml").write_text(SMALL + "  - id: [broken\n", encoding="utf-8")
    touch_later(folder / "a.yaml")
    with caplog.at_level(logging.ERROR):
        assert holder.reload() is False
    assert holder.matcher() is good
    assert not holder.state.ok
    assert any("a.yaml:" in str(p) for p in holder.state.problems)
    assert any("still serving the last good version" in r.message for r in caplog.records)
    (folder / "a.yaml").write_text(SMALL.replace("押金多少钱", "押金要多少"), encoding="utf-8")
    touch_later(folder / "a.yaml")
    assert holder.reload() is True and holder.state.ok and holder.matcher() is not good


def test_matcher_before_any_good_load_raises(tmp_path: Path) -> None:
    holder = FaqHolder(tmp_path / "missing")
    assert holder.reload() is False
    with pytest.raises(RuntimeError, match="no valid FAQ"):
        holder.matcher()


def test_watch_picks_up_a_new_file(write_faq: WriteFaq) -> None:
    folder = write_faq(a__yaml=SMALL)
    holder = FaqHolder(folder)
    holder.reload()
    extra = SMALL.replace("security-deposit", "deposit-two").replace("commission-rates", "c2")
    extra = extra.replace("shipping-options", "s2").replace("frozen-funds", "f2")

    async def scenario() -> int:
        task = asyncio.create_task(holder.watch(0.01))
        (folder / "b.yaml").write_text(extra, encoding="utf-8")
        for _ in range(300):
            await asyncio.sleep(0.01)
            if holder.state.entries == 8:
                break
        task.cancel()
        return holder.state.entries

    assert asyncio.run(scenario()) == 8
