"""Recognise a short acknowledgement ("ok", "thanks!", "👍", "謝謝", "감사합니다") in any language.

The matcher labels small talk itself when the encoder runs; without it (lexical mode) "👍" or
"got it" are merely unanswered. After a ticket is resolved, neither may reopen it.
"""

from __future__ import annotations

import re

MAX_CHARS = 40
MAX_WORDS = 6

# English words that, alone or together, make a message small talk ("ok thank you so much").
_EN_WORDS = frozenset({
    "ok", "okay", "okey", "k", "kk", "thanks", "thank", "thankyou", "thx", "tks", "ty", "tysm",
    "you", "u", "so", "much", "very", "a", "lot", "many", "cheers", "great", "good", "cool",
    "nice", "perfect", "got", "it", "noted", "sure", "alright", "all", "right", "fine", "bye",
    "goodbye", "see", "ya", "later", "have", "day", "awesome", "understood", "yes", "yep",
    "yeah", "lol", "haha", "hehe", "welcome", "appreciated", "appreciate", "wonderful",
    "excellent", "thumbs", "up", "sounds",
})  # fmt: skip
# Chinese (Simplified, Traditional, Cantonese) and Korean phrases; a message made only of these
# (and of the particles and intensifiers below) is small talk. Longest first.
_CJK_PHRASES = sorted({
    # zh: thanks, ok, understood, goodbye
    "谢谢", "謝謝", "多谢", "多謝", "感谢", "感謝", "谢啦", "謝啦", "谢了", "謝了",
    "唔该", "唔該", "好的", "好滴", "好嘅", "行", "可以", "收到", "明白", "了解", "知道", "懂",
    "没问题", "沒問題", "没事", "沒事", "再见", "再見", "拜拜", "辛苦", "好", "嗯", "哦", "噢",
    "喔", "哈", "赞", "讚", "棒",
    # ko: thanks, ok, understood, goodbye
    "감사합니다", "감사해요", "감사드립니다", "감사", "고맙습니다", "고마워요", "고마워",
    "알겠습니다", "알겠어요", "알겠어", "알았어요", "확인했습니다", "확인했어요", "확인",
    "좋아요", "좋습니다", "좋네요", "네", "넵", "넹", "예", "오케이", "안녕히 계세요",
    "안녕히계세요", "안녕히", "수고하세요", "수고하셨습니다", "수고", "ㅇㅋ", "ㄱㅅ", "ㄳ",
    "ㅎㅎ", "ㅋㅋ", "ㅠㅠ",
}, key=len, reverse=True)  # fmt: skip
# Particles, pronouns and intensifiers around them ("非常感谢您啊", "정말 감사합니다").
_CJK_FILLER = re.compile(
    r"[了啊呀啦吧哈的您你们們大家非常太十分真很]"
    r"|정말|너무|대단히|진짜|많이|요"
)
_LATIN = re.compile(r"[a-z]+")
_PUNCT_OR_EMOJI = re.compile(r"[^\w\s]|_")
_DIGIT = re.compile(r"\d")
_ONLY_MARKS = re.compile(r"[\s?？!！.。,，~…]+")  # "???" is someone waiting, not a thank-you


def is_small_talk(text: str) -> bool:
    """True for a short thanks, ok, goodbye or emoji that asks nothing."""
    stripped = text.strip().lower()
    if not stripped or len(stripped) > MAX_CHARS or _DIGIT.search(stripped):
        return False
    if _ONLY_MARKS.fullmatch(stripped):
        return False
    rest = _PUNCT_OR_EMOJI.sub(" ", stripped)
    words = _LATIN.findall(rest)
    if len(words) > MAX_WORDS or any(w not in _EN_WORDS for w in words):
        return False
    rest = _LATIN.sub(" ", rest)
    for phrase in _CJK_PHRASES:
        rest = rest.replace(phrase, " ")
    rest = _CJK_FILLER.sub(" ", rest)
    return not rest.strip()
