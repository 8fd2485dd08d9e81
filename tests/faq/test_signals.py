"""Signals run per script; on real texts they find exactly what one pattern over all would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.faq.model import Faq
from bot.faq.signals import SignalDetector
from bot.text.normalize import normalize

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bot" / "faq" / "data"
CASES = ["faq_cases.yaml", "faq_cases_dev2.yaml"]


def one_pattern_per_category(name: str) -> list[tuple[str, re.Pattern[str]]]:
    """The detector as it was: every language's patterns in one regular expression."""
    data = yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))
    return [
        (category, re.compile("|".join(f"(?:{p})" for ps in by_lang.values() for p in ps)))
        for category, by_lang in data["categories"].items()
    ]


@pytest.mark.parametrize("name", ["compliance", "offtopic"])
def test_script_gating_changes_no_verdict(name: str, shipped_faq: Faq) -> None:
    cases = [yaml.safe_load((ROOT / "tests" / "data" / f).read_text("utf-8")) for f in CASES]
    texts = [str(c["text"]) for data in cases for c in data["cases"]]
    texts += [q for e in shipped_faq for qs in e.questions.values() for q in qs]
    detector, plain = SignalDetector.packaged(name), one_pattern_per_category(name)
    for text in map(normalize, texts):
        hit = detector.detect(text)
        expected = next(((c, m.group(0)) for c, p in plain if (m := p.search(text))), None)
        got = (hit.category, hit.evidence) if hit is not None else None
        assert got == expected, text


def test_a_language_runs_only_on_its_script() -> None:
    detector = SignalDetector({"frozen": {"en": [r"\bfrozen\b"], "zh": ["冻结"], "ko": ["동결"]}})
    assert detector.detect("my funds are frozen") is not None
    assert detector.detect("资金被冻结了") is not None
    assert detector.detect("대금이 동결됐어요") is not None
    mixed = detector.detect("我的 payout frozen 了")
    assert mixed is not None and mixed.evidence == "frozen"
    assert detector.detect("nothing to see") is None
