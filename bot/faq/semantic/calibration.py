"""Decision cut-offs fitted on the FAQ itself: held-out phrasings against the shipped pools.

The FAQ's phrasings are split in two folds per entry and language; each fold's phrasings are
asked against an index of the other fold, so every entry is met in words it was not built
from. The pools are split the same way. Logistic models then learn, from those questions
alone, when the top entry is right, when a message is in scope, and when it is compliance,
small talk or a vague cry for help; each cut-off is the lowest that keeps the errors it
allows within a rate. No evaluation case is ever seen here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from bot.faq.index import Lexicon
from bot.faq.lexical import LexicalRanker
from bot.faq.logistic import Logistic, lowest_threshold
from bot.faq.model import Faq, FaqEntry
from bot.faq.semantic.encoder import Vectors
from bot.faq.semantic.evidence import Evidence, gather
from bot.faq.semantic.index import MAX_PHRASINGS_PER_LANG, SemanticIndex
from bot.faq.semantic.pools import PoolVectors

FloatArray = npt.NDArray[np.float64]

MAX_QUESTIONS_PER_FOLD = 400  # held-out phrasings asked per fold (evenly spread over entries)
MAX_POOL_PER_FOLD = 120  # pool examples asked per pool and fold


@dataclass(frozen=True)
class Rates:
    """What each fitted model must reach before it acts.

    Held-out phrasings are harder than merchants' questions (half an entry's wordings are
    missing from the index that answers them), so error rates counted on them made the
    answer cut-off far too cautious on new FAQ folders (a first run answered 23 % and offered
    "did you mean" for 71 %). Answering and offering therefore use the fitted probability
    itself (its classes are balanced, so 0.5 is even odds); the rarer decisions keep a cut-off
    from the error rate they may cause. The values were set on the development case files and
    one held-out folder (growth), never on the folders reported as held out; with the
    projection (projection.py) 0.55 / 0.40 beat 0.60 / 0.50 on growth on every figure but
    out-of-scope handling, which stayed level.
    """

    answer: float = 0.55  # P(the top entry is right) needed to answer
    offer: float = 0.40  # P(in scope) needed to offer "did you mean"
    false_compliance: float = 0.05  # FAQ or out-of-scope messages taken for compliance
    false_special: float = 0.005  # messages taken for small talk or a vague cry for help


@dataclass(frozen=True)
class Model:
    """A fitted probability and its cut-off."""

    logistic: Logistic
    cutoff: float

    def prob(self, x: FloatArray) -> float:
        """P for one feature vector."""
        return float(self.logistic.prob(x))

    def fires(self, x: FloatArray) -> bool:
        """True when P reaches the cut-off."""
        return self.prob(x) >= self.cutoff


@dataclass(frozen=True)
class Calibration:
    """The fitted decision: answer, in scope, compliance, small talk, vague."""

    right: Model
    in_scope: Model
    compliance: Model | None
    smalltalk: Model | None
    vague: Model | None
    questions: int  # calibration questions asked, for the record


@dataclass
class _Sample:
    kind: str  # "faq", "outofscope", "compliance", "smalltalk", "vague", "centre"
    evidence: Evidence
    right: bool = False
    escalate: bool = False


def _fold(entry: FaqEntry, part: int) -> FaqEntry:
    kept = {lang: qs[:MAX_PHRASINGS_PER_LANG][part::2] for lang, qs in entry.questions.items()}
    return replace(entry, questions=kept)


def calibrate(
    faq: Faq,
    index: SemanticIndex,
    phrasing_owners: list[int],
    pools: dict[str, PoolVectors],
    rates: Rates | None = None,
    lexicon: Lexicon | None = None,
) -> Calibration:
    """Fit the decision on ``faq``'s own phrasings (``index`` built from them) and the pools.

    ``lexicon`` is the lexical index's hand lists (the shipped ones by default): the lexical
    evidence calibrated on must come from the same lists as the matcher's.
    """
    rates = rates or Rates()
    ids = [e.id for e in faq]
    escalates = np.array([e.escalate for e in faq], dtype=bool)
    texts, folds = _phrasings_with_folds(faq)
    samples: list[_Sample] = []
    for part in (0, 1):
        held = [i for i, f in enumerate(folds) if f != part]
        kept = np.array([f == part for f in folds], dtype=bool)
        fold_faq = Faq(tuple(_fold(e, part) for e in faq))
        lexical = LexicalRanker(fold_faq, lexicon=lexicon)
        owners = [o for o, k in zip(phrasing_owners, kept, strict=True) if k]
        fold_index = SemanticIndex(index.vectors[kept], owners, len(faq))
        fold_pools = {name: pv.half(part) for name, pv in pools.items()}
        asked = {name: pv.half(1 - part) for name, pv in pools.items()}

        fold = _Fold(lexical, fold_index, fold_pools, escalates, ids)
        for i in _spread(held, MAX_QUESTIONS_PER_FOLD):
            ev, unlisted = fold.ask_both(texts[i], index.vectors[i], phrasing_owners[i])
            truth = phrasing_owners[i]
            samples.append(_Sample("faq", ev, ev.order[0] == truth, bool(escalates[truth])))
            # The same question with its entry taken out: a seller's question the FAQ does
            # not hold, close to the ones it does (the hardest out-of-scope kind); compliance
            # when the entry was a compliance one.
            samples.append(_Sample("unlisted", unlisted, False, bool(escalates[truth])))
        for name, pv in asked.items():
            for j in _spread(list(range(len(pv.pool.texts))), MAX_POOL_PER_FOLD):
                samples.append(_Sample(name, fold.ask(pv.pool.texts[j], pv.vectors[j])))
    return _fit(samples, rates)


@dataclass(frozen=True)
class _Fold:
    """Half of the FAQ's phrasings, half of each pool: what a calibration question meets."""

    lexical: LexicalRanker
    index: SemanticIndex
    pools: dict[str, PoolVectors]
    escalates: npt.NDArray[np.bool_]
    ids: list[str]

    def ask(self, text: str, vector: Vectors) -> Evidence:
        return gather(
            self.lexical.rank(text), self.index.scores(vector), vector, self.pools,
            self.escalates, self.ids,
        )

    def ask_both(self, text: str, vector: Vectors, entry: int) -> tuple[Evidence, Evidence]:
        """The evidence for a question, and for the same question with ``entry`` left out."""
        lexical = self.lexical.rank(text)
        semantic = self.index.scores(vector)
        whole = gather(lexical, semantic, vector, self.pools, self.escalates, self.ids)
        gone = self.ids[entry]
        bm25 = lexical.bm25.copy()
        bm25[entry] = 0.0
        masked = replace(
            lexical, ranked=[(c, raw) for c, raw in lexical.ranked if c.faq_id != gone], bm25=bm25
        )
        semantic = semantic.copy()
        semantic[entry] = -1.0
        without = gather(masked, semantic, vector, self.pools, self.escalates, self.ids)
        return whole, without


def _phrasings_with_folds(faq: Faq) -> tuple[list[str], list[int]]:
    """The encoded phrasings in FAQ order, each with its fold (alternating per language)."""
    texts: list[str] = []
    folds: list[int] = []
    for entry in faq:
        for phrasings in entry.questions.values():
            for j, text in enumerate(phrasings[:MAX_PHRASINGS_PER_LANG]):
                texts.append(text)
                folds.append(j % 2)
    return texts, folds


def _spread(items: list[int], most: int) -> list[int]:
    if len(items) <= most:
        return items
    step = len(items) / most
    return [items[int(k * step)] for k in range(most)]


def esc_of(samples: list[_Sample]) -> npt.NDArray[np.bool_]:
    """Which samples came from a compliance (escalate) entry."""
    return np.array([s.escalate for s in samples], dtype=bool)


def _fit(samples: list[_Sample], rates: Rates) -> Calibration:
    kinds = np.array([s.kind for s in samples])
    faq_rows = kinds == "faq"
    unlisted = kinds == "unlisted"
    right = np.array([s.right for s in samples])
    esc = esc_of(samples)
    not_faq = ~faq_rows & (kinds != "compliance") & (kinds != "centre") & ~(unlisted & esc)
    xa = np.stack([s.evidence.answer for s in samples])

    # Answer: the top entry is right. Wrong tops and every pool message are negatives.
    use = faq_rows | not_faq
    answer = Model(Logistic.fit(xa[use], (faq_rows & right)[use].astype(float)), rates.answer)
    # In scope: any FAQ phrasing against the pools; offering "did you mean" needs this.
    in_scope = Model(Logistic.fit(xa[use], faq_rows[use].astype(float)), rates.offer)

    xc = np.stack([s.evidence.compliance for s in samples])
    comp_pos = (kinds == "compliance") | ((faq_rows | unlisted) & esc)
    comp_neg = ((faq_rows | unlisted) & ~esc) | (kinds == "outofscope") | (kinds == "smalltalk")
    compliance = _special(xc, comp_pos, comp_neg, rates.false_compliance)

    xt = np.stack([s.evidence.smalltalk for s in samples])
    talk_pos = kinds == "smalltalk"
    talk_neg = faq_rows | (kinds == "outofscope") | (kinds == "compliance") | (kinds == "vague")
    smalltalk = _special(xt, talk_pos, talk_neg, rates.false_special)

    xv = np.stack([s.evidence.vague for s in samples])
    vague_pos = kinds == "vague"
    vague_neg = faq_rows | (kinds == "outofscope") | (kinds == "smalltalk")
    vague = _special(xv, vague_pos, vague_neg, rates.false_special)
    return Calibration(answer, in_scope, compliance, smalltalk, vague, len(samples))


def _special(
    x: FloatArray, pos: npt.NDArray[np.bool_], neg: npt.NDArray[np.bool_], rate: float
) -> Model | None:
    use = pos | neg
    if not pos.any() or not neg.any():
        return None
    lr = Logistic.fit(x[use], pos[use].astype(float))
    p = lr.prob(x)
    return Model(lr, lowest_threshold(p[neg], rate))

