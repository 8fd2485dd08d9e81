"""The workbench edit: a merchant's wording becomes a phrasing; the admin's file stays theirs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.faq import editor
from bot.faq.editor import EditRefused, add_phrasing
from bot.faq.loader import load_faq
from bot.faq.reloader import FaqHolder
from tests.conftest import WriteFaq
from tests.faq.samples import SMALL

BLOCK = """\
# Fees the seller pays (reviewed by the finance team; keep answers short)
entries:
  - id: annual-fee   # asked about weekly
    category: fees
    escalate: false
    questions:
      en:
        - Is there a yearly fee?
        - annual fee amount   # merchants' own words
      zh:
        - 年费多少
      ko:
        - 연회비 있나요?
    answer:
      en: "USD 99 a year."
      zh: "每年99美元。"
      ko: "연 99달러입니다."
"""


def added_lines(diff: str) -> list[str]:
    return [ln for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]


def test_a_phrasing_is_one_added_line_with_comments_and_layout_kept(write_faq: WriteFaq) -> None:
    folder = write_faq(fees__yaml=BLOCK)
    edit = add_phrasing(folder, "annual-fee", "zh", "  每年要交多少 年费？ ")
    text = (folder / "fees.yaml").read_text(encoding="utf-8")
    assert added_lines(edit.diff()) == ["+        - 每年要交多少 年费？"]
    assert text.replace("        - 每年要交多少 年费？\n", "") == BLOCK  # nothing else moved
    faq, _ = load_faq(folder)
    assert faq is not None and "每年要交多少 年费？" in faq.get("annual-fee").questions["zh"]


def test_a_flow_list_gets_the_new_wording_quoted_like_its_siblings(write_faq: WriteFaq) -> None:
    folder = write_faq(a__yaml=SMALL)
    edit = add_phrasing(folder, "security-deposit", "ko", "보증금 얼마 걸어야 돼요?")
    (line,) = added_lines(edit.diff())
    assert "\"보증금 얼마 걸어야 돼요?\"" in line  # quoted like the wordings beside it


@pytest.mark.parametrize(
    ("entry", "lang", "text", "why"),
    [
        ("annual-fee", "en", "ANNUAL fee  amount", "already has this phrasing"),
        ("nope", "en", "hello", "no entry 'nope'"),
        ("annual-fee", "fr", "frais annuels", "unknown language"),
        ("annual-fee", "en", "   ", "empty"),
    ],
)
def test_refused_edits_say_why_and_change_nothing(
    write_faq: WriteFaq, entry: str, lang: str, text: str, why: str
) -> None:
    folder = write_faq(fees__yaml=BLOCK)
    with pytest.raises(EditRefused, match=why):
        add_phrasing(folder, entry, lang, text)  # type: ignore[arg-type]
    assert (folder / "fees.yaml").read_text(encoding="utf-8") == BLOCK


def test_an_edit_to_a_folder_that_does_not_load_is_refused(write_faq: WriteFaq) -> None:
    folder = write_faq(fees__yaml=BLOCK, broken__yaml="entries:\n  - id: [oops\n")
    with pytest.raises(EditRefused, match="would break the FAQ") as refused:
        add_phrasing(folder, "annual-fee", "en", "how much per year")
    assert any("broken.yaml" in str(p) for p in refused.value.problems)
    assert (folder / "fees.yaml").read_text(encoding="utf-8") == BLOCK


def test_a_dry_run_shows_the_diff_and_writes_nothing(write_faq: WriteFaq) -> None:
    folder = write_faq(fees__yaml=BLOCK)
    edit = add_phrasing(folder, "annual-fee", "en", "yearly charge?", write=False)
    assert added_lines(edit.diff()) == ["+        - yearly charge?"]
    assert (folder / "fees.yaml").read_text(encoding="utf-8") == BLOCK


def test_the_hot_reload_picks_the_edit_up(write_faq: WriteFaq, tmp_path: Path) -> None:
    folder = write_faq(fees__yaml=BLOCK)
    holder = FaqHolder(folder, snapshot=tmp_path / "snap")
    assert holder.reload()
    wording = "how much do I pay every twelve months"
    before = holder.matcher().ask(wording)
    add_phrasing(folder, "annual-fee", "en", wording)
    stat = (folder / "fees.yaml").stat()  # a same-second rewrite must still look changed
    os.utime(folder / "fees.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert holder.reload()
    after = holder.matcher().ask(wording)
    assert after.action == "answer" and after.faq_id == "annual-fee"
    assert after.score >= before.score


def test_the_command_prints_the_diff_or_the_reason(
    write_faq: WriteFaq, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_faq(fees__yaml=BLOCK)
    args = ["faq", "add-phrasing", "annual-fee", "연회비 얼마예요?", "--lang", "ko"]
    assert main([*args, "--faq-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("--- a/fees.yaml") and "+        - 연회비 얼마예요?" in out
    assert main([*args, "--faq-dir", str(folder)]) == 1  # the same wording again
    assert "already has this phrasing in ko" in capsys.readouterr().err


def test_an_edit_racing_another_is_refused_and_neither_is_lost(
    write_faq: WriteFaq, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_faq(fees__yaml=BLOCK)
    validate = editor._validate
    raced: list[str] = []

    def another_admin_lands_first(folder_: Path, edit: editor.Edit) -> None:
        validate(folder_, edit)
        if not raced:  # the other admin's edit is written while this one is validated
            raced.append("x")
            add_phrasing(folder, "annual-fee", "ko", "1년 회비 얼마예요?")

    monkeypatch.setattr(editor, "_validate", another_admin_lands_first)
    with pytest.raises(EditRefused, match="changed by someone else"):
        add_phrasing(folder, "annual-fee", "en", "how much per year")
    faq, _ = load_faq(folder)
    assert faq is not None
    entry = faq.get("annual-fee")
    assert "1년 회비 얼마예요?" in entry.questions["ko"]
    assert "how much per year" not in entry.questions["en"]
    add_phrasing(folder, "annual-fee", "en", "how much per year")  # sent again: both kept
    faq, _ = load_faq(folder)
    assert faq is not None
    entry = faq.get("annual-fee")
    assert "how much per year" in entry.questions["en"]
    assert "1년 회비 얼마예요?" in entry.questions["ko"]
