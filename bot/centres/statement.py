"""Does a message say where the merchant is, or ask for the nearest centre?

"我在东莞", "我在東莞", "저는 부산에 있어요", "부산이에요", "I'm in Ningbo", "nearest centre to
Yiwu", "which centre is near Shenzen" and a bare "宁波" all do; FAQ questions that merely mention
a city ("我们是佛山做家具的，…回款要多久？") do not. The message is cut into clauses; every
clause must be a place statement, a request for the nearest centre, a greeting or thanks, or
(at most one) a bare place name. Anything else means the message is about something more, and
the FAQ answers it. Whether a bare name is a real place is for the caller's ``known`` to say.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from bot.centres.gazetteer import country_code
from bot.text.chinese import reading_table
from bot.text.normalize import fold
from bot.text.scripts import HAN, HANGUL, has_han

MAX_CHARS = 80  # longer messages are questions, not "I'm in X"
MAX_BARE_WORDS = 4
# Pinyin typed without spaces ("wozaiguangzhou") is cut into syllables only from this many:
# fewer, and English words fall apart into syllables too ("change", "hang", "banana").
MIN_RUN_SYLLABLES = 4
MIN_TONED_WORDS = 2  # "shen1zhen4 zui4jin4": one toned word alone may be a code ("a4", "mp3")

Kind = Literal["statement", "name", "ask"]


@dataclass(frozen=True)
class Mention:
    """What a message says about a place.

    ``statement``: the place came from a sentence such as "I'm in X" or "nearest centre to X"
    (if X is not a known place, the merchant should be asked for their city); ``name``: the
    message (or a clause of it) is only a name that ``known`` accepted; ``ask``: no place, only
    a request for the nearest centre. ``asks``: the message also asked for the nearest centre.
    """

    kind: Kind
    place: str = ""
    asks: bool = False


_CLAUSE_SPLIT = re.compile(r"[,，、。!！?？;；~～\n]+|\.(?:\s|$)|\s+-\s+")
_FILLER = re.compile(
    r"^(?:hi|hello|hey|dear|thanks|thank you|thx|ok|okay|please|pls|"
    r"你好|您好|嗨|哈喽|谢谢|多谢|请问|麻烦|麻烦问一下|问一下|"
    r"안녕하세요|안녕|감사합니다|고마워요|고맙습니다|혹시|저기요)$"
)
_LEADING_FILLER = re.compile(
    r"^(?:(?:hi|hello|hey)(?:\s+there)?\s+|(?:你好|您好|请问|麻烦问一下)|(?:안녕하세요|혹시)\s*)"
)
_POLITE = re.compile(r"^(?:please|pls|could you|can you)\s+|\s+(?:please|pls|thanks|thank you)$")
_CENTRE_EN = r"(?:business[- ]?expansion\s+|business\s+|expansion\s+)?(?:centre|center|office)s?"
_CENTRE_ZH = r"(?:商家发展|业务拓展|拓展|发展|招商|服务)?中心"
_CENTRE_KO = r"(?:비즈니스\s*확장\s*)?센터"
_ME = re.compile(r"^(?:me|us|here|my location|my place|where i am|我|我这|这里|这边|여기|저|나)$")

_EN_STATEMENT = [
    re.compile(
        r"^(?:(?:i|we)\s*(?:'m|'re|am|are)|im|(?:i|we)\s+(?:live|stay|work)|"
        r"(?:my|our)\s+(?:factory|company|office|shop|store|warehouse|business|team)\s+is)"
        r"(?:\s+(?:currently|now|also|based|located|living|staying|working|sitting))*"
        r"\s+(?:in|at|near|around|from)\s+(?P<place>.+)$"
    ),
    re.compile(r"^(?:based|located|living|currently)\s+in\s+(?P<place>.+)$"),
    # pinyin cut into syllables (see prepare): "wo zai guang zhou", "wo men zai yi wu"
    re.compile(r"^wo(?:\s*men)?\s+(?:xian\s*zai\s+|ye\s+)?zai\s+(?P<place>[a-z ]+)$"),
    # "(we) just moved to Xiamen", "relocated to Busan last month"
    re.compile(
        r"^(?:(?:i|we)\s*(?:'ve|have)?\s+)?(?:just\s+|recently\s+)?(?:moved|relocated)\s+"
        r"(?:our\s+\w+\s+)?to\s+(?P<place>[a-z' -]+?)(?:\s+(?:last|this)\s+\w+|\s+recently)?$"
    ),
    # "we're a small team based in Quanzhou", "I am a seller located in Busan"
    re.compile(
        r"^(?:i|we)\s*(?:'m|'re|am|are)\s+(?:a|an)\s+(?:[a-z-]+\s+){1,4}?(?:based|located)"
        r"\s+in\s+(?P<place>.+)$"
    ),
]
_EN_NAME = [
    re.compile(r"^(?:in|at|near|from)\s+(?P<place>.+)$"),
    re.compile(r"^(?P<place>[a-z][a-z' -]{2,30}?)\s+here$"),  # "Dongguang here"
    re.compile(r"^(?:i|we)\s*(?:'m|'re|am|are)\s+(?P<place>.+?)\s+based$"),
]
_EN_ASK = [
    re.compile(
        r"^(?:(?:please\s+)?(?:find|show|give|tell)(?:\s+me)?\s+|"
        r"(?:where|which|what)\s*(?:'s|is|are)?\s+|i\s+(?:need|want|am looking for)\s+)?"
        r"(?:the\s+|a\s+)?(?:nearest|closest)\s+" + _CENTRE_EN + r""
        r"(?:\s+(?:to|near|for|from|around|in)\s+(?P<place>.+?))?$"
    ),
    re.compile(
        r"^(?:which|what)\s+" + _CENTRE_EN + r"\s+(?:is|are)\s+"
        r"(?:near(?:est)?|close(?:st)?|closer)(?:\s+to)?\s+(?P<place>.+?)$"
    ),
    re.compile(
        r"^(?:is\s+there|are\s+there|do\s+you\s+have|any)\s+(?:a\s+|an\s+|any\s+)?"
        + _CENTRE_EN
        + r"\s+(?:near|in|around|close to)\s+(?P<place>.+?)$"
    ),
    re.compile(r"^" + _CENTRE_EN + r"\s+(?:near|in|around|for)\s+(?P<place>.+?)$"),
]
_EN_TAIL = re.compile(
    r"\s+(?:city|area|region|right now|now|currently|at the moment|today|these days|"
    r"please|pls|thanks|thank you)$"
)

_ZH_WHO = r"(?:我|我们|咱们|咱|本人|我家|我们公司|我公司|我们工厂|我们厂|公司|工厂)?"
_ZH_WHEN = r"(?:现在|目前|人|暂时|也|就|平时|一直|现)?"
_ZH_END = r"(?:这边|这里|那边|附近|一带|地区|这儿)?(?:呢|啊|呀|哦|喔|啦|哈|的)?"
_ZH_STATEMENT = [
    re.compile(
        rf"^{_ZH_WHO}{_ZH_WHEN}(?:在|住在|位于|来自|是在|人在|坐标|定位在?)\s*"
        rf"(?P<place>.{{2,14}}?){_ZH_END}$"
    ),
    # "我们是肇庆的一家小公司": a business of some place
    re.compile(
        rf"^{_ZH_WHO}是(?P<place>[^的，,。\s]{{2,8}}?)的(?:一家|一个|一间)?.{{0,6}}?"
        r"(?:公司|工厂|厂|店|商家|卖家|团队|企业)$"
    ),
]
_ZH_NAME = [re.compile(rf"^{_ZH_WHO}{_ZH_WHEN}是(?P<place>.{{2,10}}?)(?:人|的)$")]
_ZH_ASK = [
    re.compile(
        r"^(?:帮我|请|我想|我要)?(?:找|查)?(?:一下)?(?:离)?(?P<place>.{2,10}?)?"
        r"(?:离我)?(?:最近|附近|周边)的?" + _CENTRE_ZH + r"(?:在哪(?:里|儿)?|是哪(?:个|家)|"
        r"在什么地方|地址(?:是什么|在哪)?|有吗|有没有)?(?:呢|啊)?$"
    ),
    re.compile(
        r"^(?P<place>.{2,10}?)的(?:商家发展|业务拓展|拓展|发展|招商)中心"
        r"(?:在哪(?:里|儿)?|地址(?:是什么|在哪)?)(?:呢|啊)?$"
    ),
    re.compile(r"^(?P<place>.{2,10}?)有(?:没有)?(?:商家发展|业务拓展)中心(?:吗)?$"),
    re.compile(r"^附近有" + _CENTRE_ZH + r"(?:吗)?$"),
]

# Longest first: "저희 회사는 송도에" is not "저희" at a place called "회사는 송도".
_KO_WHO = (
    r"(?:(?:저희\s*회사는|저희\s*공장은|저희는|저희|저는|전|저|나는|난|우리는|우리|제가|회사는|"
    r"공장은)\s*)?"
    rf"(?:[{HANGUL}]{{1,5}}(?:은|는)\s+)?"  # a topic: "(저희) 사무실은 판교에 있어요"
    r"(?:지금\s*|현재\s*|요즘\s*)?"
)
_KO_PLACE = rf"(?P<place>[{HANGUL}a-z]+(?:\s[{HANGUL}a-z]+)?)"
_KO_STATEMENT = [
    re.compile(
        rf"^{_KO_WHO}{_KO_PLACE}\s*(?:에|에서)\s*(?:있어요|있습니다|있어|있음|있는데요|있는데|"
        r"살아요|살고\s*있어요|살고\s*있습니다|삽니다|살아|거주해요|거주합니다|거주\s*중이에요|"
        r"일해요|일합니다|근무해요|근무합니다|지내요|있어용|있어여)$"
    ),
    re.compile(rf"^{_KO_WHO}{_KO_PLACE}\s*(?:살아요|사는데요|사는데|살고\s*있어요|삽니다)$"),
    # "군산에서 연락드려요": writing from a place
    re.compile(rf"^{_KO_WHO}{_KO_PLACE}\s*에서\s*(?:연락\s*드려요|연락\s*드립니다|연락드려요)$"),
    # "저희는 대구에 있는 작은 회사예요": a business that is somewhere
    re.compile(
        rf"^{_KO_WHO}{_KO_PLACE}\s*에\s*있는\s+[{HANGUL}\s]{{1,12}}?(?:이에요|예요|입니다|이고요)$"
    ),
]
_KO_NAME = [
    re.compile(
        rf"^{_KO_WHO}(?P<place>[{HANGUL}]+?)(?:\s*사람)?(?:이에요|예요|이에여|이요|입니다|이야|임)$"
    ),
]
_KO_ASK = [
    re.compile(
        rf"^(?:(?!가장|제일)(?P<place>[{HANGUL}a-z]+?(?:\s[{HANGUL}a-z]+?)?)\s*(?:에서|에)?\s+)?"
        r"(?:가장|제일)?\s*"
        r"가까운\s*" + _CENTRE_KO + r"(?:는|가|가\s*어디|는\s*어디)?\s*"
        r"(?:어디(?:예요|에요|인가요|야|죠|에\s*있어요|에\s*있나요|입니까)?|있나요|있어요|"
        r"알려\s*주세요|알려줘|찾아\s*주세요)?$"
    ),
    re.compile(
        rf"^{_KO_PLACE}\s*근처(?:에)?\s*" + _CENTRE_KO + r"(?:가|는)?\s*"
        r"(?:있나요|있어요|있어|어디(?:예요|에요|인가요)?)?$"
    ),
]
_BARE = re.compile(rf"^[a-z{HAN}{HANGUL}][a-z{HAN}{HANGUL} '.-]*$")


def prepare(text: str) -> str:
    """Width, case, tones, Traditional and written Cantonese folded, spaces squeezed."""
    # the shared folding (pinyin tones off: Shēnzhèn), punctuation kept for the patterns here
    text = fold(text).replace("’", "'").replace("`", "'")
    return re.sub(r"\s+", " ", spaced_pinyin(toneless(text))).strip()


# Syllables with a vowel: "n", "m", "hm" would let any English word fall apart into pinyin.
_VOWEL = re.compile("[aeiouv]")
_TONED = re.compile(r"\b(?:[a-z]+[1-5])+[a-z]*\b")
_LATIN_RUN = re.compile(r"\b[a-z]{8,}\b")  # four syllables take eight letters at least


@cache
def _syllables() -> frozenset[str]:
    return frozenset(s for s in reading_table().values() if _VOWEL.search(s))


def is_syllable(word: str) -> bool:
    """True for one pinyin syllable without tone ("guang", "zhou")."""
    return word in _syllables()


def syllables(run: str) -> list[str] | None:
    """A run of Latin letters cut into as few pinyin syllables as it takes; None if it is not
    pinyin through and through ("zhongxin" -> ["zhong", "xin"])."""
    known = _syllables()
    best: list[list[str] | None] = [[]] + [None] * len(run)
    for end in range(1, len(run) + 1):
        for start in range(max(0, end - 6), end):
            head, word = best[start], run[start:end]
            shorter = best[end] is None or len(head or ()) + 1 < len(best[end] or ())
            if head is not None and word in known and shorter:
                best[end] = [*head, word]
    return best[len(run)]


def toneless(text: str) -> str:
    """Tone digits off pinyin ("shen1zhen4" -> "shenzhen"), when two words or more carry them
    and every one is pinyin."""
    toned = _TONED.findall(text)
    if len(toned) < MIN_TONED_WORDS:
        return text
    bare = [re.sub(r"[1-5]", "", t) for t in toned]
    if any(syllables(b) is None for b in bare):
        return text
    return _TONED.sub(lambda m: re.sub(r"[1-5]", "", m.group(0)), text)


def spaced_pinyin(text: str) -> str:
    """Pinyin run together ("wozaiguangzhou") cut into syllables ("wo zai guang zhou"), so that
    words and place names stand apart; only long runs, which English words hardly make."""

    def cut(m: re.Match[str]) -> str:
        parts = syllables(m.group(0))
        return " ".join(parts) if parts and len(parts) >= MIN_RUN_SYLLABLES else m.group(0)

    return _LATIN_RUN.sub(cut, text)


def _clean(place: str) -> str:
    place = place.strip(" '\".")
    place = re.sub(r"^(?:the|city of)\s+", "", place)
    while (shorter := _EN_TAIL.sub("", place)) != place:
        place = shorter
    return place.strip()


def _match(clause: str, patterns: list[re.Pattern[str]]) -> re.Match[str] | None:
    return next((m for p in patterns if (m := p.match(clause))), None)


def _classify(clause: str) -> tuple[str, str]:
    """("statement" | "name" | "ask" | "bare" | "filler" | "other", place words)."""
    if _FILLER.match(clause):
        return "filler", ""
    clause = _POLITE.sub("", clause) or clause
    compact = clause.replace(" ", "") if has_han(clause) else clause
    for kind, patterns, text in (
        ("ask", _EN_ASK, clause),
        ("statement", _EN_STATEMENT, clause),
        ("name", _EN_NAME, clause),
        ("ask", _ZH_ASK, compact),
        ("statement", _ZH_STATEMENT, compact),
        ("name", _ZH_NAME, compact),
        ("ask", _KO_ASK, clause),
        ("statement", _KO_STATEMENT, clause),
        ("name", _KO_NAME, clause),
    ):
        m = _match(text, patterns)
        if m is not None:
            place = _clean(m.groupdict().get("place") or "")
            if kind == "ask" and _ME.match(place):
                place = ""
            return kind, place
    if _BARE.match(clause) and len(clause.split()) <= MAX_BARE_WORDS and len(clause) <= 40:
        return "bare", _clean(clause)
    return "other", ""


def mention(text: str, known: Callable[[str], bool]) -> Mention | None:
    """What the message says about where the merchant is; None when it is about anything else.

    ``known`` tells whether words are the name of a well-known place: bare names and loose
    phrasings ("in X", "부산이에요") count only when it says so.
    """
    prepared = prepare(text)
    if not prepared or len(prepared) > MAX_CHARS:
        return None
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(prepared) if c and c.strip()]
    found: list[tuple[str, str]] = []
    for clause in clauses:
        clause = _LEADING_FILLER.sub("", clause).strip()
        if not clause:
            continue
        kind, place = _classify(clause)
        if kind == "bare" and found and country_code(place):
            kind, place = "filler", ""  # "Busan, Korea": the country only narrows the place
            prev_kind, prev_place = found[-1]
            found[-1] = (prev_kind, f"{prev_place}, {clause}" if prev_place else "")
        found.append((kind, place))
    kinds = [k for k, _ in found if k != "filler"]
    if not kinds or "other" in kinds or kinds.count("bare") > 1:
        return None
    asks = "ask" in kinds
    places = [(k, p) for k, p in found if p and k != "filler"]
    if not places:
        return Mention("ask", asks=True) if asks else None
    if len(places) > 1 and "bare" in kinds:
        return None  # a name beside a sentence that names a place: something else is going on
    if asks and len({p for _, p in places}) > 1:
        # "We live in Hangzhou, our company is in Ningbo. Closest centre to the company?":
        # which place is asked about is for the whole sentence to tell (finder.focus)
        return Mention("ask", asks=True)
    kind, place = places[0]
    if kind == "statement" or (kind == "ask" and place):
        return Mention("statement", place, asks)
    if known(place):
        return Mention("name", place, asks)
    return None
