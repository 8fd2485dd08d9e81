"""The lexical index: BM25 over each entry's phrasings and answer, plus token statistics."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from bot.faq.bm25 import Bm25
from bot.faq.model import Faq
from bot.faq.stopwords import STOP_TOKENS
from bot.faq.termcounts import TermCounter
from bot.faq.thesaurus import Thesaurus
from bot.faq.tokens import latin_words, tokenize
from bot.faq.vocab import LatinVocabulary
from bot.text.normalize import normalize, normalize_many

ANSWER_WEIGHT = 0.35  # answers add recall for paraphrases but are noisier than phrasings
# A topic word found only in the entry's answer counts this much towards coverage: sellers
# paraphrase with the answer's own words ("supplements", "stock") that no phrasing happens to use.
ANSWER_COVERAGE = 0.3
# Sentence and clause breaks in any of the three languages (and chat habits: "~", newlines).
_CLAUSE_RE = re.compile(r"[。！？!?；;，,、\n~～…]+|\.(?:\s|$)|\s-\s")

_QUESTION_RE = re.compile("[?？]")

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Query:
    """A question prepared for scoring: text forms, known token ids, unknown topic tokens."""

    normalized: str
    repaired: str
    tokens: tuple[str, ...]
    ids: list[int] = field(default_factory=list, compare=False)
    topic_ids: IntArray = field(default_factory=lambda: np.empty(0, np.int32), compare=False)
    unknown_topic: int = 0
    question: bool = False  # a clause that ends with a question mark


@dataclass(frozen=True)
class Lexicon:
    """The hand-written lists the lexical index reads: the thesaurus and the function words."""

    thesaurus: Thesaurus
    stopwords: frozenset[str]

    @classmethod
    def packaged(cls) -> Lexicon:
        """The shipped lists (``bot/faq/data/synonyms.yaml``, ``bot/faq/stopwords.py``)."""
        return cls(Thesaurus.packaged(), STOP_TOKENS)


class LexicalIndex:
    """Scores every entry against a query; built once per FAQ version."""

    def __init__(self, faq: Faq, lexicon: Lexicon | None = None) -> None:
        self.faq = faq
        self.lexicon = lexicon if lexicon is not None else Lexicon.packaged()
        self.thesaurus = self.lexicon.thesaurus
        canon = self.thesaurus.apply
        self.ids = [e.id for e in faq]
        terms = TermCounter()
        words: set[str] = set()
        question_docs: list[tuple[IntArray, FloatArray]] = []
        answer_docs: list[tuple[IntArray, FloatArray]] = []
        # Entries may share an answer (generated or templated FAQs; the benchmark's has 46
        # distinct answers in 3,000 entries): each distinct answer is prepared once.
        answer_seen: dict[tuple[str, ...], tuple[IntArray, FloatArray]] = {}
        for entry in faq:
            questions = normalize_many([q for qs in entry.questions.values() for q in qs])
            words.update(latin_words(questions))
            question_docs.append(terms.count(canon(questions)))
            texts = tuple(entry.answer.values())
            answer = answer_seen.get(texts)
            if answer is None:
                answers = normalize_many(list(texts))
                words.update(latin_words(answers))
                answer = terms.count(canon(answers), with_pinyin=False, with_chars=False)
                answer_seen[texts] = answer
            answer_docs.append(answer)
        words.update(self.thesaurus.latin_words())
        self.vocab: dict[str, int] = terms.vocab()
        self.vocabulary = LatinVocabulary(words)
        self.entry_tokens: list[IntArray] = [ids for ids, _ in question_docs]  # ascending
        self.answer_tokens: list[IntArray] = [ids for ids, _ in answer_docs]  # ascending
        df = np.zeros(len(self.vocab), dtype=np.float64)
        for tokens in self.entry_tokens:
            df[tokens] += 1
        n = len(question_docs)
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self.idf: FloatArray = np.log(1 + (n - df + 0.5) / (df + 0.5))
        # Ids are dense and in the vocabulary's order.
        is_stop = self.lexicon.stopwords.__contains__
        self.stop = np.fromiter(map(is_stop, self.vocab), dtype=bool, count=len(self.vocab))
        self._table = Bm25.fields(
            [(question_docs, 1.0), (answer_docs, ANSWER_WEIGHT)], len(self.vocab)
        )

    def prepare(self, text: str, normalized: str | None = None) -> Query:
        """Normalise (unless ``normalized`` is given), repair Latin typos, and tokenise."""
        return self._prepare_normalized(normalize(text) if normalized is None else normalized)

    def clauses(self, text: str) -> list[Query]:
        """The message's clauses (split at sentence punctuation), when it has more than one."""
        parts: list[tuple[str, bool]] = []
        start = 0
        for brk in [*_CLAUSE_RE.finditer(text), None]:
            end = brk.start() if brk else len(text)
            part = normalize(text[start:end])
            # A clause is a question when the break after it has a question mark.
            asks = brk is not None and _QUESTION_RE.search(brk.group(0)) is not None
            if part:
                parts.append((part, asks))
            start = brk.end() if brk else end
        if len(parts) < 2:
            return []
        return [replace(self._prepare_normalized(p), question=q) for p, q in parts]

    def _prepare_normalized(self, normalized: str) -> Query:
        repaired = " ".join(
            self.vocabulary.repair(w) if w.isascii() and w.isalpha() else w
            for w in normalized.split()
        )
        tokens = tuple(tokenize(self.thesaurus.apply(repaired)))
        ids = [i for i in (self.vocab.get(t) for t in tokens) if i is not None]
        stop = self.lexicon.stopwords
        unknown = {t for t in tokens if t not in self.vocab and t not in stop}
        known = np.unique(np.asarray(ids, dtype=np.int32))
        topic = known[~self.stop[known]] if len(known) else known
        if not len(topic) and not unknown:
            topic = known  # a message of only function words still has to be scored
        return Query(normalized, repaired, tokens, ids, topic, len(unknown))

    def scores(self, query: Query) -> FloatArray:
        """BM25 score of each entry, in FAQ order."""
        return self._table.scores(query.ids)

    def coverage(self, query: Query, position: int) -> float:
        """IDF-weighted share of the query's topic tokens in the entry (answer-only ones partly)."""
        weights = self.idf[query.topic_ids]
        total = float(weights.sum()) + query.unknown_topic * self.unknown_idf
        if total <= 0:
            return 0.0
        entry = self.entry_tokens[position]
        if not len(entry) or not len(query.topic_ids):
            return 0.0
        hit = _contains(entry, query.topic_ids)
        covered = float(weights[hit].sum())
        if not hit.all():
            answer = self.answer_tokens[position]
            if len(answer):
                only = _contains(answer, query.topic_ids) & ~hit
                covered += ANSWER_COVERAGE * float(weights[only].sum())
        return covered / total


def _contains(sorted_ids: IntArray, ids: IntArray) -> npt.NDArray[np.bool_]:
    """Which of ``ids`` occur in the ascending array ``sorted_ids`` (non-empty)."""
    at = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    return np.asarray(sorted_ids[at] == ids)
