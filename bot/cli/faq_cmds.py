"""``merchant-bot ask``, ``faq check`` and ``faq test``."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from dataclasses import asdict
from typing import Any

from bot.cli.centre import centres_path
from bot.cli.centre import check_file as check_centres_file
from bot.cli.terminal import terminal
from bot.content.problems import ContentError, Problem
from bot.faq.engine import build_matcher, cli_semantics
from bot.faq.evaluate import as_json, load_cases, run_case, summarise
from bot.faq.lint import confusable_phrasings
from bot.faq.loader import load_faq
from bot.faq.matcher import Matcher
from bot.faq.model import Faq
from bot.faq.review import review_problems

TARGETS = {  # per language: (summary key, minimum or maximum, bound)
    "in_scope_top1": ("min", 0.93),
    "wrong_answer_rate": ("max", 0.03),
    "out_of_scope_handled": ("min", 0.90),
    "escalation_recall": ("min", 0.97),
}


def _print_problems(problems: list[Problem]) -> None:
    for p in problems:
        print(p, file=sys.stderr)


def _load(args: argparse.Namespace) -> Faq | None:
    faq, problems = load_faq(args.faq_dir)
    _print_problems(problems)
    return faq


def _matcher(faq: Faq) -> Matcher:
    """The fused matcher (MATCHER_ENCODER, default e5), or the lexical one with a warning."""
    semantics, status = cli_semantics()
    if semantics is None and status.name not in ("none", "off", ""):
        print(f"merchant-bot: answering lexically: {status.detail}", file=sys.stderr)
    return build_matcher(faq, semantics, _progress if sys.stderr.isatty() else None)


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done >= total else ""
    print(f"\rencoding {'#' * filled}{'.' * (width - filled)} {done}/{total}", end=end,
          file=sys.stderr, flush=True)


def index(args: argparse.Namespace) -> int:
    """Encode the FAQ's phrasings (and the shipped pools) into the vector cache ahead of time."""
    faq = _load(args)
    if faq is None:
        return 1
    semantics, status = cli_semantics()
    if semantics is None:
        print(f"merchant-bot: no encoder: {status.detail}", file=sys.stderr)
        return 1
    matcher = build_matcher(faq, semantics, _progress)
    assert matcher.fused is not None
    print(
        f"{args.faq_dir}: {len(faq)} entries, {len(matcher.fused.index.vectors)} phrasings "
        f"encoded with {semantics.model_id}; cache in {semantics.cache.folder}"
    )
    return 0


def check(args: argparse.Namespace) -> int:
    """Validate the folder and the centres file: errors, then warnings (confusable phrasings,
    languages an entry misses or writes in another language), by line."""
    faq = _load(args)
    path = centres_path(args)
    named = getattr(args, "centres_file", None) is not None
    explicit = named or bool(os.environ.get("CENTRES_FILE"))
    # A FAQ folder without centres is fine unless a centres file was named explicitly.
    centres_ok = check_centres_file(path) if explicit or path.exists() else True
    if faq is None:
        return 1
    warnings = confusable_phrasings(faq) + review_problems(faq)
    _print_problems(warnings)
    print(
        f"{args.faq_dir}: {len(faq)} entries OK" + (f", {len(warnings)} warnings" * bool(warnings))
    )
    return 0 if centres_ok else 1


def ask(args: argparse.Namespace) -> int:
    """Answer one question."""
    if not args.text.strip():
        print("merchant-bot ask: the question is empty", file=sys.stderr)
        return 2
    faq = _load(args)
    if faq is None:
        return 1
    matcher = _matcher(faq)
    decision = matcher.ask(args.text, hint=args.lang)  # the details --json shows
    reply = asyncio.run(_reply(matcher, args))  # what a merchant would see, as on every channel
    if args.json:
        out = {
            "action": decision.action,
            "faq_id": decision.faq_id,
            "score": decision.score,
            "lang": decision.lang,
            "reply": reply,
            "mode": decision.mode,
            "compliance": decision.compliance,
            "candidates": [asdict(c) for c in decision.candidates],
        }
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(reply)
    return 0


async def _reply(matcher: Matcher, args: argparse.Namespace) -> str:
    async with terminal(matcher, args) as merchant:
        return await merchant.say(args.text)


def test(args: argparse.Namespace) -> int:
    """Run a cases file and print per-language quality figures."""
    faq = _load(args)
    if faq is None:
        return 1
    try:
        cases = load_cases(args.cases, {e.id for e in faq})
    except ContentError as exc:
        _print_problems(exc.problems)
        return 1
    matcher = _matcher(faq)
    results = [run_case(matcher, c) for c in cases]
    summary = summarise(results, matcher)
    if args.json:
        print(json.dumps(as_json(results, summary), ensure_ascii=False, indent=1))
    else:
        print(_table(summary))
        failures = [r for r in results if not r.ok]
        if failures:
            print(f"\nFailures ({len(failures)}):")
        for r in failures:
            got = r.action + (f" {r.faq_id}" if r.faq_id else "")
            print(f"  [{r.lang}] expected {r.expect}, got {got} ({r.score:.2f}): {r.text}")
    missed = _missed_targets(summary)
    if missed and not args.json:
        print("\nTargets missed: " + "; ".join(missed))
    return 1 if (missed and args.require_targets) else 0


def _missed_targets(summary: dict[str, dict[str, Any]]) -> list[str]:
    missed = []
    for lang, row in summary.items():
        if lang == "all":
            continue
        for key, (kind, bound) in TARGETS.items():
            value = row.get(key)
            if value is None:
                continue
            if (kind == "min" and value < bound) or (kind == "max" and value > bound):
                missed.append(f"{lang} {key} {value:.1%} (target {kind} {bound:.0%})")
    return missed


def _table(summary: dict[str, dict[str, Any]]) -> str:
    cols = [
        ("cases", "cases"),
        ("in-scope top-1", "in_scope_top1"),
        ("clarify", "clarify_rate"),
        ("answer or offered", "answer_or_offered"),
        ("wrong", "wrong_answer_rate"),
        ("out-of-scope ok", "out_of_scope_handled"),
        ("escalation recall", "escalation_recall"),
    ]
    header = "lang  " + "  ".join(f"{title:>17}" for title, _ in cols)
    lines = [header, "-" * len(header)]
    for lang, row in summary.items():
        cells = []
        for _, key in cols:
            v = row[key]
            cells.append(
                f"{v:>17}" if isinstance(v, int) else f"{'-' if v is None else f'{v:.1%}':>17}"
            )
        lines.append(f"{lang:<6}" + "  ".join(cells))
    return "\n".join(lines)
