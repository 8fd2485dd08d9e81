"""FAQ loading and validation: every problem is reported as file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.faq.loader import load_faq
from tests.conftest import FAQ_DIR, WriteFaq, entry_yaml

GOOD = (
    "entries:\n"
    + entry_yaml(
        "security-deposit",
        ["How much is the deposit?"],
        ["保证金多少？"],
        ["보증금 얼마예요?"],
        related=["annual-fee"],
    )
    + entry_yaml("annual-fee", ["Is there a yearly fee?"], ["年费多少"], ["연회비 있어요?"])
)


def messages(folder: Path) -> list[str]:
    return [str(p) for p in load_faq(folder)[1]]


def test_valid_folder_loads_every_entry(write_faq: WriteFaq) -> None:
    folder = write_faq(a__yaml=GOOD)
    faq, problems = load_faq(folder)
    assert problems == []
    assert faq is not None
    assert [e.id for e in faq] == ["security-deposit", "annual-fee"]
    entry = faq.get("security-deposit")
    assert entry.questions["zh"] == ("保证金多少？",)
    assert entry.related == ("annual-fee",)
    assert entry.line == 2 and entry.source.endswith("a.yaml")


def test_shipped_faq_is_valid_and_complete() -> None:
    faq, problems = load_faq(FAQ_DIR)
    assert faq is not None, problems
    assert not [p for p in problems if p.severity == "error"]
    assert len(faq) >= 40
    for entry in faq:
        for lang in ("en", "zh", "ko"):
            assert len(entry.questions[lang]) >= 4, (entry.id, lang)
    escalating = {e.id for e in faq if e.escalate}
    assert {"fake-reviews", "frozen-funds", "suspension-appeal", "ip-complaint"} <= escalating


def test_yaml_syntax_error_names_file_and_line(write_faq: WriteFaq) -> None:
    folder = write_faq(a__yaml=GOOD, b__yaml="entries:\n  - id: x\n    questions: [unclosed\n")
    faq, problems = load_faq(folder)
    assert faq is None
    (problem,) = problems
    assert problem.file.endswith("b.yaml")
    assert problem.line in (3, 4)
    assert "YAML syntax error" in problem.message


def test_unknown_and_missing_fields(write_faq: WriteFaq) -> None:
    text = GOOD.replace("    category: general\n", "    categroy: general\n", 1)
    out = messages(write_faq(a__yaml=text))
    assert any(m.endswith(":3: unknown field 'categroy'") for m in out), out
    assert any(m.endswith(":2: missing field 'category'") for m in out), out


def test_missing_language_in_questions_and_answer(write_faq: WriteFaq) -> None:
    text = GOOD.replace('      ko: ["보증금 얼마예요?"]\n', "", 1).replace(
        '      ko: "답변 security-deposit 한국어"\n', "", 1
    )
    out = messages(write_faq(a__yaml=text))
    assert any("'questions' has no 'ko'" in m and ":5:" in m for m in out), out
    assert any("'answer' has no 'ko'" in m for m in out), out


def test_duplicate_ids_across_files(write_faq: WriteFaq) -> None:
    other = "entries:\n" + entry_yaml("annual-fee", ["Yearly fee?"], ["年费"], ["연회비"])
    out = messages(write_faq(a__yaml=GOOD, b__yaml=other))
    assert any(
        m.startswith(str(Path("b.yaml"))) or ("b.yaml:2: duplicate id 'annual-fee'" in m)
        for m in out
    ), out
    assert any("first at" in m and "a.yaml:" in m for m in out)


def test_unknown_related_id(write_faq: WriteFaq) -> None:
    text = GOOD.replace('related: ["annual-fee"]', 'related: ["no-such-entry"]')
    out = messages(write_faq(a__yaml=text))
    assert any(":2: 'security-deposit' relates to unknown id 'no-such-entry'" in m for m in out)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("id: security-deposit", "id: Bad_Id", ":2: id must be lowercase letters, digits and '-'"),
        ("escalate: false", "escalate: maybe", ":4: escalate must be true or false"),
        ("escalate: false", 'escalate: "yes"', ":4: escalate must be true or false"),
        ("category: general", "category: [a, b]", ":3: category must be text"),
    ],
)
def test_field_values_are_checked(write_faq: WriteFaq, old: str, new: str, expected: str) -> None:
    out = messages(write_faq(a__yaml=GOOD.replace(old, new, 1)))
    assert any(m.endswith(expected) for m in out), out


def test_empty_phrasings_and_answers_are_errors(write_faq: WriteFaq) -> None:
    text = GOOD.replace('en: ["How much is the deposit?"]', "en: []").replace(
        'en: "Answer security-deposit en"', 'en: "  "'
    )
    out = messages(write_faq(a__yaml=text))
    assert any("'questions.en' must be a non-empty list" in m for m in out), out
    assert any("'answer.en' must be non-empty text" in m for m in out), out


def test_other_content_files_are_not_faq_files(write_faq: WriteFaq) -> None:
    folder = write_faq(a__yaml=GOOD, centres__yaml="centres:\n  - id: shenzhen\n")
    faq, problems = load_faq(folder)
    assert faq is not None and problems == []


def test_file_without_entries_is_reported(write_faq: WriteFaq) -> None:
    out = messages(write_faq(a__yaml=GOOD, b__yaml="entires:\n  - id: x\n"))
    assert any("b.yaml:1: missing top-level 'entries:' list" in m for m in out), out


def test_empty_file_and_missing_folder(write_faq: WriteFaq, tmp_path: Path) -> None:
    out = messages(write_faq(a__yaml=GOOD, b__yaml=""))
    assert any("b.yaml:1: file is empty" in m for m in out), out
    assert [str(p) for p in load_faq(tmp_path / "missing")[1]] == [
        f"{tmp_path / 'missing'}:0: FAQ folder not found"
    ]
