"""Shared fixtures: the shipped FAQ, and small FAQ folders written per test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from bot.faq.loader import load_faq
from bot.faq.matcher import Matcher
from bot.faq.model import Faq
from tests.fakes import FakeStore

ROOT = Path(__file__).resolve().parent.parent
FAQ_DIR = ROOT / "faq"
CASES = ROOT / "tests" / "data" / "faq_cases.yaml"
HOLDOUT = ROOT / "tests" / "data" / "faq_cases_holdout.yaml"

WriteFaq = Callable[..., Path]

# Every app and server a test starts (in this process or as a subprocess) answers lexically
# unless the test asks for the encoder: encoding in the background on each of them would
# load both cores for minutes. The semantic ranker has tests of its own (tests/faq).
os.environ.setdefault("MATCHER_ENCODER", "none")
os.environ.setdefault("VECTOR_CACHE_DIR", str(ROOT / ".pytest_cache" / "vectors"))
# Last-good content copies go to a folder of this run, never to the checkout's data/.
os.environ.setdefault("SNAPSHOT_DIR", tempfile.mkdtemp(prefix="merchant-bot-snapshots-"))

# Property tests (test_properties.py in each folder): no wall-clock deadline (the suite runs on
# a busy two-core machine), a modest number of examples, the same examples on every run.
# Their fixtures (an app, a store) are shared by the examples of one test, which count rows
# before and after each example rather than expect an empty store.
settings.register_profile(
    "merchant-bot",
    deadline=None,
    max_examples=60,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# HYPOTHESIS_PROFILE=thorough: many more, random examples, for a hunt by hand.
settings.register_profile(
    "thorough", settings.get_profile("merchant-bot"), max_examples=1000, derandomize=False
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "merchant-bot"))


@pytest.fixture(scope="session")
def shipped_faq() -> Faq:
    faq, problems = load_faq(FAQ_DIR)
    assert faq is not None, problems
    return faq


@pytest.fixture(scope="session")
def shipped_matcher(shipped_faq: Faq) -> Matcher:
    return Matcher(shipped_faq)


def entry_yaml(
    entry_id: str,
    en: list[str],
    zh: list[str],
    ko: list[str],
    *,
    escalate: bool = False,
    category: str = "general",
    related: list[str] | None = None,
) -> str:
    """One entry in the documented schema, as YAML text."""

    def seq(items: list[str]) -> str:
        return "[" + ", ".join(f'"{i}"' for i in items) + "]"

    lines = [
        f"  - id: {entry_id}",
        f"    category: {category}",
        f"    escalate: {str(escalate).lower()}",
        "    questions:",
        f"      en: {seq(en)}",
        f"      zh: {seq(zh)}",
        f"      ko: {seq(ko)}",
        "    answer:",
        f'      en: "Answer {entry_id} en"',
        f'      zh: "答案 {entry_id} 中文"',
        f'      ko: "답변 {entry_id} 한국어"',
    ]
    if related:
        lines.append(f"    related: {seq(related)}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def write_faq(tmp_path: Path) -> WriteFaq:
    """Write files into a fresh FAQ folder: write_faq(name=text, ...) -> folder."""

    def write(**files: str) -> Path:
        folder = tmp_path / "faq"
        folder.mkdir(exist_ok=True)
        for name, text in files.items():
            (folder / name.replace("__", ".")).write_text(text, encoding="utf-8")
        return folder

    return write


@pytest.fixture
def store() -> FakeStore:
    """In-memory storage behind the core (the fakes, no mocks)."""
    return FakeStore()
