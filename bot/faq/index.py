"""The lexical index: BM25 over each entry's phrasings and answer, plus token statistics."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import bm25s
import numpy as np
import numpy.typing as npt

from bot.faq.model import Faq
from bot.faq.stopwords import is_stop
from bot.faq.text import normalize
from bot.faq.tokens import latin_words, tokenize
from bot.faq.vocab import LatinVocabulary

ANSWER_WEIGHT = 0.35
# Sentence and clause breaks in any of the three languages (and chat habits: "~", newlines).
_CLAUSE_RE = re.compile(r"[。！？!?；;，,、\n~～…]+|\.(?:\s|$)|\s-\s")  # answers add recall for paraphrases but are noisier than phrasings


@dataclass(frozen=True)
class Query:
    """A question prepared for scoring."""

    normalized: str
    repaired: str
    tokens: tuple[str, ...]


class _Bm25:
    def __init__(self, docs: list[list[str]]) -> None:
        self._model = bm25s.BM25(k1=1.2, b=0.75)
        self._model.index(docs, show_progress=False)
        self._vocab = self._model.vocab_dict

    def scores(self, tokens: tuple[str, ...], n_docs: int) -> npt.NDArray[np.float64]:
        known = [t for t in tokens if t in self._vocab]
        if not known:
            return np.zeros(n_docs)
        return np.asarray(self._model.get_scores(known), dtype=np.float64)


class LexicalIndex:
    """Scores every entry against a query; built once per FAQ version."""

    def __init__(self, faq: Faq) -> None:
        self.faq = faq
        self.ids = [e.id for e in faq]
        words: Counter[str] = Counter()
        question_docs: list[list[str]] = []
        answer_docs: list[list[str]] = []
        for entry in faq:
            texts = [normalize(q) for qs in entry.questions.values() for q in qs]
            answers = [normalize(a) for a in entry.answer.values()]
            for t in texts + answers:
                words.update(latin_words(t))
            question_docs.append([tok for t in texts for tok in tokenize(t)])
            answer_docs.append([tok for t in answers for tok in tokenize(t)])
        self.vocabulary = LatinVocabulary(words)
        self.entry_tokens = [frozenset(doc) for doc in question_docs]
        df: Counter[str] = Counter(t for doc in self.entry_tokens for t in doc)
        n = len(question_docs)
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._questions = _Bm25(question_docs)
        self._answers = _Bm25(answer_docs)

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
        return Query(normalized, repaired, tuple(tokenize(repaired)))

    def scores(self, query: Query) -> npt.NDArray[np.float64]:
        """BM25 score of each entry, in FAQ order."""
        n = len(self.ids)
        return self._questions.scores(query.tokens, n) + ANSWER_WEIGHT * self._answers.scores(
            query.tokens, n
        )

    def coverage(self, query: Query, position: int) -> float:
        """IDF-weighted share of the query's topic tokens that the entry's phrasings contain."""
        unique = {t for t in query.tokens if not is_stop(t)} or set(query.tokens)
        if not unique:
            return 0.0
        total = sum(self.idf.get(t, self.unknown_idf) for t in unique)
        hit = sum(self.idf[t] for t in unique if t in self.entry_tokens[position])
        return hit / total if total else 0.0
