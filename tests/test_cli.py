"""The merchant-bot command line: outputs, exit codes and every error path."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.conftest import CASES, FAQ_DIR, WriteFaq, entry_yaml
from tests.faq.samples import SMALL


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_json_has_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "保证金交多少钱啊", "--json", "--faq-dir", str(FAQ_DIR))
    assert code == 0
    data = json.loads(out)
    assert set(data) == {
        "action", "faq_id", "score", "lang", "reply", "mode", "compliance", "candidates"
    }
    assert data["action"] == "answer" and data["faq_id"] == "security-deposit"
    assert data["lang"] == "zh" and isinstance(data["score"], float)
    assert data["mode"] == "lexical"  # the suite runs with MATCHER_ENCODER=none
    ranker_scores = {"faq_id", "score", "lexical", "semantic"}
    assert data["reply"] and all(set(c) == ranker_scores for c in data["candidates"])


def test_ask_plain_prints_the_reply(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "보증금 얼마예요?", "--faq-dir", str(FAQ_DIR))
    assert code == 0 and "500" in out


def test_ask_escalates_compliance(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "ask", "someone changed my payout bank account", "--json", "--faq-dir", str(FAQ_DIR)
    )
    assert code == 0 and json.loads(out)["action"] == "escalate"


@pytest.mark.parametrize("text", ["", "   "])
def test_ask_empty_text_is_a_usage_error(capsys: pytest.CaptureFixture[str], text: str) -> None:
    code, out, err = run(capsys, "ask", text, "--faq-dir", str(FAQ_DIR))
    assert code == 2 and out == "" and "empty" in err


def test_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    for argv in (["faq", "check"], ["ask", "hi"], ["faq", "test", str(CASES)]):
        code, _, err = run(capsys, *argv, "--faq-dir", str(missing))
        assert code == 1 and f"{missing}:0: FAQ folder not found" in err


def test_check_reports_bad_yaml_with_file_and_line(
    capsys: pytest.CaptureFixture[str], write_faq: WriteFaq
) -> None:
    folder = write_faq(a__yaml=SMALL, b__yaml="entries:\n  - id: x\n   bad: [\n")
    code, _, err = run(capsys, "faq", "check", "--faq-dir", str(folder))
    assert code == 1
    assert f"{folder / 'b.yaml'}:3: YAML syntax error" in err


def test_check_passes_on_shipped_faq(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "faq", "check", "--faq-dir", str(FAQ_DIR))
    assert code == 0 and "entries OK" in out
    assert "error" not in err.lower()


def test_check_warns_about_confusable_phrasings(
    capsys: pytest.CaptureFixture[str], write_faq: WriteFaq
) -> None:
    twin = entry_yaml(
        "deposit-refund", ["How much is the security deposit??"], ["押金退款"], ["보증금 환불"]
    )
    folder = write_faq(a__yaml=SMALL + twin)
    code, _, err = run(capsys, "faq", "check", "--faq-dir", str(folder))
    assert code == 0
    assert "warning:" in err and "'deposit-refund'" in err and "'security-deposit'" in err


def test_faq_test_json_reports_every_case(
    capsys: pytest.CaptureFixture[str], write_faq: WriteFaq, tmp_path: Path
) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "cases:\n"
        '  - {text: "押金要交多少", lang: zh, expect: security-deposit}\n'
        '  - {text: "what is the weather today", lang: en, expect: fallback}\n'
        '  - {text: "my balance is frozen", lang: en, expect: escalate}\n'
        '  - {text: "what commission per sale", lang: en, expect: shipping-options}\n',
        encoding="utf-8",
    )
    folder = write_faq(a__yaml=SMALL)
    code, out, _ = run(capsys, "faq", "test", str(cases), "--json", "--faq-dir", str(folder))
    assert code == 0
    data = json.loads(out)
    assert [c["ok"] for c in data["cases"]] == [True, True, True, False]
    fields = {"text", "lang", "expect", "action", "faq_id", "score", "ok", "candidates"}
    assert set(data["cases"][0]) == fields
    wrong = data["cases"][3]  # the candidates say what a "did you mean" would have offered
    assert wrong["candidates"] and all("faq_id" in c for c in wrong["candidates"])
    en = data["summary"]["en"]
    assert en["out_of_scope_handled"] == 1.0 and en["escalation_recall"] == 1.0
    assert en["in_scope_top1"] == 0.0 and data["summary"]["zh"]["in_scope_top1"] == 1.0


def test_faq_test_table_and_required_targets(
    capsys: pytest.CaptureFixture[str], write_faq: WriteFaq, tmp_path: Path
) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        'cases:\n  - {text: "commission per sale?", lang: en, expect: shipping-options}\n',
        encoding="utf-8",
    )
    folder = write_faq(a__yaml=SMALL)
    code, out, _ = run(capsys, "faq", "test", str(cases), "--faq-dir", str(folder))
    assert code == 0 and "in-scope top-1" in out and "Failures (1)" in out
    code, out, _ = run(
        capsys, "faq", "test", str(cases), "--require-targets", "--faq-dir", str(folder)
    )
    assert code == 1 and "Targets missed" in out


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("cases: [\n", "YAML syntax error"),
        ("items: []\n", "expected a top-level 'cases:' list"),
        ('cases:\n  - {text: "x", lang: fr, expect: fallback}\n', ":2: lang must be en, zh or ko"),
        ('cases:\n  - {text: "x", lang: en, expect: nope}\n', ":2: expect 'nope' is not an entry"),
        ('cases:\n  - {text: "x"}\n', ":2: a case needs text, lang and expect"),
    ],
)
def test_faq_test_rejects_bad_case_files(
    capsys: pytest.CaptureFixture[str], write_faq: WriteFaq, tmp_path: Path, body: str, message: str
) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(body, encoding="utf-8")
    code, _, err = run(
        capsys, "faq", "test", str(cases), "--faq-dir", str(write_faq(a__yaml=SMALL))
    )
    assert code == 1 and message in err, err


def test_faq_test_missing_cases_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "faq", "test", str(tmp_path / "none.yaml"), "--faq-dir", str(FAQ_DIR)
    )
    assert code == 1 and "cannot read file" in err


def test_chat_reads_questions_and_picks_numbered_options(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], write_faq: WriteFaq
) -> None:
    twin = entry_yaml("fee-a", ["what is the monthly fee"], ["月费多少"], ["월 이용료 얼마"])
    twin += entry_yaml(
        "fee-b", ["what is the monthly fee amount"], ["月费金额"], ["월 이용료 금액"]
    )
    folder = write_faq(a__yaml=SMALL + twin)
    monkeypatch.setattr(sys, "stdin", io.StringIO("押金多少\nmonthly fee?\n2\n保證金能退嗎\n"))
    code, out, _ = run(capsys, "chat", "--faq-dir", str(folder))
    assert code == 0
    # Each reply as a merchant sees it on a channel without buttons: the text, then a menu.
    blocks = [b for b in out.split("\n\n") if b.strip()]
    assert blocks[0] == "答案 security-deposit 中文"
    assert blocks[1] == "这个回答有帮助吗？有帮助回复 1 👍，没帮助回复 2 👎。"  # one key
    assert blocks[2].startswith("3. ") and blocks[2].endswith("回复数字即可选择。")
    assert blocks[3] == "Did you mean one of these?"
    options = blocks[4].splitlines()
    assert options[0].startswith("1. what is the monthly fee") and options[1].startswith("2. ")
    picked = "fee-b" if "amount" in options[1] else "fee-a"  # "2" pressed the second option
    assert blocks[5] == f"Answer {picked} en"  # no menu: "Did this help?" once per burst
    assert blocks[6] == "答案 security-deposit 中文" and "回覆數字即可選擇" in blocks[7]
    assert "👍" not in blocks[7] and blocks[7].startswith("1. ")  # its related entry only


def test_console_script_and_module_entry_points() -> None:
    script = str(Path(sys.executable).parent / "merchant-bot")  # the venv's console script
    for cmd in ([script, "--help"], [sys.executable, "-m", "bot", "--help"]):
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert done.returncode == 0 and "ask" in done.stdout and "faq" in done.stdout
    bad = subprocess.run([script, "nope"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
