"""The lexical index: BM25 over each entry's phrasings and answer, plus token statistics."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bot.faq.bm25 import Bm25
from bot.faq.model import Faq
from bot.faq.stopwords import is_stop
from bot.faq.text import normalize, normalize_many
from bot.faq.thesaurus import Thesaurus
from bot.faq.tokens import latin_words, tokenize
from bot.faq.vocab import LatinVocabulary

ANSWER_WEIGHT = 0.35  # answers add recall for paraphrases but are noisier than phrasings
# Sentence and clause breaks in any of the three languages (and chat habits: "~", newlines).
_CLAUSE_RE = re.compile(r"[。！？!?；;，,、\n~～…]+|\.(?:\s|$)|\s-\s")

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


class LexicalIndex:
    """Scores every entry against a query; built once per FAQ version."""

    def __init__(self, faq: Faq, thesaurus: Thesaurus | None = None) -> None:
        self.faq = faq
        self.thesaurus = thesaurus or Thesaurus.packaged()
        canon = self.thesaurus.apply
        self.ids = [e.id for e in faq]
        self.vocab: dict[str, int] = {}
        words: Counter[str] = Counter()
        question_docs: list[tuple[IntArray, FloatArray]] = []
        answer_docs: list[tuple[IntArray, FloatArray]] = []
        for entry in faq:
            questions = normalize_many([q for qs in entry.questions.values() for q in qs])
            answers = normalize_many(list(entry.answer.values()))
            words.update(latin_words(questions))
            words.update(latin_words(answers))
            question_docs.append(self._intern(canon(questions)))
            answer_docs.append(self._intern(canon(answers), with_pinyin=False, with_chars=False))
        words.update(self.thesaurus.latin_words())
        self.vocabulary = LatinVocabulary(words)
        self.entry_tokens: list[IntArray] = [np.sort(ids) for ids, _ in question_docs]
        df = np.zeros(len(self.vocab), dtype=np.float64)
        for tokens in self.entry_tokens:
            df[tokens] += 1
        n = len(question_docs)
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self.idf: FloatArray = np.log(1 + (n - df + 0.5) / (df + 0.5))
        self.stop = np.zeros(len(self.vocab), dtype=bool)
        for token, i in self.vocab.items():
            self.stop[i] = is_stop(token)
        self._table = Bm25.fields(
            [(question_docs, 1.0), (answer_docs, ANSWER_WEIGHT)], len(self.vocab)
        )

    def _intern(
        self, text: str, *, with_pinyin: bool = True, with_chars: bool = True
    ) -> tuple[IntArray, FloatArray]:
        # Count first (in C), then map each distinct token once: a 3,000-entry FAQ has
        # millions of tokens but far fewer distinct ones per entry. Compact arrays, not dicts,
        # are kept until the BM25 table is built.
        counts = Counter(tokenize(text, with_pinyin=with_pinyin, with_chars=with_chars))
        vocab = self.vocab
        n = len(counts)
        ids = np.array([vocab.setdefault(token, len(vocab)) for token in counts], dtype=np.int32)
        return ids, np.fromiter(counts.values(), dtype=np.float64, count=n)

    def prepare(self, text: str) -> Query:
        """Normalise, repair Latin typos against the vocabulary, and tokenise."""
        return self._prepare_normalized(normalize(text))

    def clauses(self, text: str) -> list[Query]:
        """The message's clauses (split at sentence punctuation), when it has more than one."""
        parts = [normalize(p) for p in _CLAUSE_RE.split(text)]
        parts = [p for p in parts if p]
        return [self._prepare_normalized(p) for p in parts] if len(parts) > 1 else []

    def _prepare_normalized(self, normalized: str) -> Query:
        repaired = " ".join(
            self.vocabulary.repair(w) if w.isascii() and w.isalpha() else w
            for w in normalized.split()
        )
        tokens = tuple(tokenize(self.thesaurus.apply(repaired)))
        ids = [i for i in (self.vocab.get(t) for t in tokens) if i is not None]
        unknown = {t for t in tokens if t not in self.vocab and not is_stop(t)}
        known = np.unique(np.asarray(ids, dtype=np.int32))
        topic = known[~self.stop[known]] if len(known) else known
        if not len(topic) and not unknown:
            topic = known  # a message of only function words still has to be scored
        return Query(normalized, repaired, tokens, ids, topic, len(unknown))

    def scores(self, query: Query) -> FloatArray:
        """BM25 score of each entry, in FAQ order."""
        return self._table.scores(query.ids)

    def coverage(self, query: Query, position: int) -> float:
        """IDF-weighted share of the query's topic tokens that the entry's phrasings contain."""
        weights = self.idf[query.topic_ids]
        total = float(weights.sum()) + query.unknown_topic * self.unknown_idf
        if total <= 0:
            return 0.0
        entry = self.entry_tokens[position]
        if not len(entry) or not len(query.topic_ids):
            return 0.0
        at = np.minimum(np.searchsorted(entry, query.topic_ids), len(entry) - 1)
        hit = entry[at] == query.topic_ids
        return float(weights[hit].sum()) / total
