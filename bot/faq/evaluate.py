"""Batch testing of the matcher against a file of cases, like a QnA test pane."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.content.problems import ContentError, Problem
from bot.content.yamlnodes import (
    MappingNode,
    SequenceNode,
    compose_file,
    line_of,
    mapping_items,
    scalar_str,
)
from bot.faq.decision import Candidate
from bot.faq.matcher import Matcher
from bot.text.language import LANGS, Lang, is_lang


@dataclass(frozen=True)
class Case:
    """One test question and what should happen to it."""

    text: str
    lang: Lang
    expect: str  # an entry id, "fallback" or "escalate"


@dataclass(frozen=True)
class CaseResult:
    """A case with what the matcher did."""

    text: str
    lang: Lang
    expect: str
    action: str
    faq_id: str | None
    score: float
    ok: bool
    candidates: tuple[Candidate, ...] = ()  # what a "did you mean" would offer, with scores

    @property
    def offered(self) -> bool:
        """Right, or the expected entry among the clarify options (one tap away)."""
        return self.ok or (
            self.action == "clarify" and any(c.faq_id == self.expect for c in self.candidates)
        )


def load_cases(path: Path, known_ids: set[str]) -> list[Case]:
    """Read a cases file; every malformed case is reported with its line."""
    name = str(path)
    root, problems = compose_file(path)
    if problems:
        raise ContentError(problems)
    items = mapping_items(root, name)[0] if isinstance(root, MappingNode) else {}
    seq = items.get("cases")
    if not isinstance(seq, SequenceNode):
        raise ContentError([Problem(name, 1, "expected a top-level 'cases:' list")])
    cases: list[Case] = []
    for node in seq.value:
        line = line_of(node)
        fields, found = mapping_items(node, name) if isinstance(node, MappingNode) else ({}, [])
        problems.extend(found)
        text = scalar_str(fields["text"]) if "text" in fields else None
        lang = scalar_str(fields["lang"]) if "lang" in fields else None
        expect = scalar_str(fields["expect"]) if "expect" in fields else None
        if text is None or lang is None or expect is None:
            problems.append(Problem(name, line, "a case needs text, lang and expect"))
        elif not is_lang(lang):
            problems.append(Problem(name, line, f"lang must be en, zh or ko, not '{lang}'"))
        elif expect not in known_ids and expect not in ("fallback", "escalate"):
            problems.append(Problem(name, line, f"expect '{expect}' is not an entry id"))
        else:
            cases.append(Case(text, lang, expect))
    if problems:
        raise ContentError(problems)
    if not cases:
        raise ContentError([Problem(name, line_of(seq), "no cases")])
    return cases


def run_case(matcher: Matcher, case: Case) -> CaseResult:
    """Ask one case and judge it."""
    d = matcher.ask(case.text, hint=case.lang)
    if case.expect == "fallback":
        ok = d.action in ("fallback", "smalltalk")  # not answered from the FAQ
    elif case.expect == "escalate":
        ok = d.action == "escalate"
    else:
        ok = d.action in ("answer", "escalate") and d.faq_id == case.expect
    return CaseResult(
        case.text, case.lang, case.expect, d.action, d.faq_id, d.score, ok, d.candidates
    )


def is_escalation(case: CaseResult | Case, matcher: Matcher) -> bool:
    """True when a case expects a hand-over (compliance, or an escalate entry)."""
    if case.expect == "escalate":
        return True
    return case.expect in matcher.faq and matcher.faq.get(case.expect).escalate


def summarise(results: list[CaseResult], matcher: Matcher) -> dict[str, dict[str, Any]]:
    """Per-language rates: top-1, clarify, wrong answers, out-of-scope, escalation recall."""
    by_lang: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        by_lang[r.lang].append(r)
    by_lang["all"] = list(results)
    summary: dict[str, dict[str, Any]] = {}
    for lang in [*LANGS, "all"]:
        rs = by_lang.get(lang, [])
        if not rs:
            continue
        esc = [r for r in rs if is_escalation(r, matcher)]
        oos = [r for r in rs if r.expect == "fallback"]
        ins = [r for r in rs if r not in esc and r not in oos]
        wrong = [r for r in ins if r.action == "answer" and r.faq_id != r.expect]
        summary[lang] = {
            "cases": len(rs),
            "in_scope": len(ins),
            "in_scope_top1": _rate([r.ok for r in ins]),
            "clarify_rate": _rate([r.action == "clarify" for r in ins]),
            "answer_or_offered": _rate([r.offered for r in ins]),
            "wrong_answer_rate": _rate([True] * len(wrong) + [False] * (len(ins) - len(wrong))),
            "out_of_scope": len(oos),
            "out_of_scope_handled": _rate([r.ok for r in oos]),
            "escalations": len(esc),
            "escalation_recall": _rate([r.action == "escalate" for r in esc]),
            "passed": sum(r.ok for r in rs),
        }
    return summary


def _rate(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def as_json(results: list[CaseResult], summary: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The `faq test --json` object."""
    return {"summary": summary, "cases": [asdict(r) for r in results]}
