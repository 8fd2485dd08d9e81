"""Which messages say where the merchant is: the examples of the issue, and no FAQ questions."""

from __future__ import annotations

import pytest
import yaml

from bot.centres.finder import AskForPlace, CentreFinder, Nearest, UnknownPlace
from bot.centres.statement import Mention, mention
from bot.faq.model import Faq
from tests.conftest import CASES, HOLDOUT


@pytest.mark.parametrize(
    ("text", "kind", "place"),
    [
        ("我在东莞", "statement", "东莞"),
        ("我在東莞", "statement", "东莞"),
        ("我喺東莞", "statement", "东莞"),  # Cantonese
        ("我们公司在义乌", "statement", "义乌"),
        ("我在东莞，最近的中心在哪？", "statement", "东莞"),
        ("离东莞最近的商家发展中心", "statement", "东莞"),
        ("深圳的商家发展中心在哪", "statement", "深圳"),
        ("저는 부산에 있어요", "statement", "부산"),
        ("부산광역시에 살아요", "statement", "부산광역시"),
        ("부산에서 가장 가까운 센터는 어디예요?", "statement", "부산"),
        ("부산이에요", "name", "부산"),
        ("저는 서울 사람이에요", "name", "서울"),
        ("I'm in Ningbo", "statement", "ningbo"),
        ("Hi! We're based in Busan, Korea.", "statement", "busan, korea"),
        ("my factory is in Dongguan", "statement", "dongguan"),
        ("nearest centre to Yiwu", "statement", "yiwu"),
        ("Which centre is near Shenzen?", "statement", "shenzen"),
        ("which business expansion center is closest to Xiamen", "statement", "xiamen"),
        ("Ningbo", "name", "ningbo"),
        ("宁波", "name", "宁波"),
        ("寧波市", "name", "宁波市"),
        ("서울특별시", "name", "서울특별시"),
        ("Shēnzhèn.", "name", "shenzhen"),
        ("in Hong Kong", "name", "hong kong"),
        ("Where is the nearest centre?", "ask", ""),
        ("最近的商家发展中心在哪里", "ask", ""),
        ("가장 가까운 센터는 어디예요?", "ask", ""),
    ],
)
def test_place_statements_are_recognised(
    finder: CentreFinder, text: str, kind: str, place: str
) -> None:
    said = mention(text, finder.known)
    assert said is not None
    assert (said.kind, said.place) == (kind, place)


@pytest.mark.parametrize(
    "text",
    [
        "How much is the security deposit?",
        "保证金要交多少？",
        "보증금은 얼마 내야 하나요?",
        "我们是佛山做家具的，刚开店两周，想问下卖出去的钱要多久才能到账？",
        "I'm in Ningbo, how much is the deposit?",
        "明天深圳天气怎么样",
        "how much deposit for renting a flat in Shenzhen usually",
        "Shenzhen Guangzhou",  # two bare names: not a statement of where one is
        "login",
        "신청",
        "deposit",
        "",
    ],
)
def test_other_messages_are_not_place_statements(finder: CentreFinder, text: str) -> None:
    assert mention(text, finder.known) is None
    assert finder.from_message(text) is None


@pytest.mark.parametrize("text", ["I'm in trouble", "我在等回款", "we're in the middle of a sale"])
def test_sentences_that_are_not_about_a_place_fall_through(finder: CentreFinder, text: str) -> None:
    said = mention(text, finder.known)
    assert said is not None and said.kind == "statement"  # the words look like a statement...
    assert finder.from_message(text) is None  # ...but what follows "in" is no place


def test_unknown_places_and_bare_countries_ask_for_the_city(finder: CentreFinder) -> None:
    assert finder.from_message("I'm in Narnia") == UnknownPlace("Narnia")
    assert finder.from_message("我在火星市") == UnknownPlace("火星市")
    assert finder.from_message("저는 가나다시에 있어요") == UnknownPlace("가나다시")
    assert finder.from_message("I'm from Korea") == UnknownPlace("Korea", "KR")
    assert finder.from_message("我在中国") == UnknownPlace("中国", "CN")
    assert isinstance(finder.from_message("nearest centre please"), AskForPlace)


def test_singapore_is_a_city_as_well_as_a_country(finder: CentreFinder) -> None:
    found = finder.from_message("I'm in Singapore")
    assert isinstance(found, Nearest) and found.place is not None
    assert found.place.country == "SG"


def test_bare_names_must_be_well_known_places(finder: CentreFinder) -> None:
    assert finder.known("宁波") and finder.known("Busan") and finder.known("Tokyo")
    assert not finder.known("Korea")  # a country
    assert not finder.known("Guangzou")  # typos only in sentences ("I'm in Guangzou")
    assert not finder.known("Springfield")  # a small city abroad
    assert not finder.known("北方")  # Kitagata, Japan: a word first
    assert mention("Guangzou", finder.known) is None
    said = mention("I'm in Guangzou", finder.known)
    assert said == Mention("statement", "guangzou")  # as_written() restores "Guangzou"


CENTRE_ENTRY = "contact-business-centre"  # questions about visiting a centre: the centre wins


def _cases(path: object) -> list[str]:
    with open(str(path), encoding="utf-8") as fp:
        return [str(c["text"]) for c in yaml.safe_load(fp)["cases"] if c["expect"] != CENTRE_ENTRY]


def test_faq_questions_are_almost_never_taken_for_places(
    finder: CentreFinder, shipped_faq: Faq
) -> None:
    cases = _cases(CASES) + _cases(HOLDOUT)
    phrasings = [
        q for e in shipped_faq if e.id != CENTRE_ENTRY for qs in e.questions.values() for q in qs
    ]
    taken = [t for t in cases if finder.from_message(t) is not None]
    assert not taken, taken  # none of the evaluation questions about other topics
    taken = [t for t in phrasings if finder.from_message(t) is not None]
    assert len(taken) <= len(phrasings) // 200, taken  # at most 0.5 % of the FAQ's phrasings


def test_a_business_described_as_based_somewhere_states_the_place(finder: CentreFinder) -> None:
    for text, centre in [
        ("I am a new seller located in Ningbo", "ningbo"),
        ("We're a tiny design studio based in Shenzhen.", "shenzhen"),
        ("저희는 부산에 있는 작은 공장이에요", "busan"),
    ]:
        found = finder.from_message(text)
        assert isinstance(found, Nearest) and found.centre.id == centre, text
    assert finder.from_message("we are a small shop based in trouble") is None


def test_moving_writing_from_and_a_business_of_a_place_state_it(finder: CentreFinder) -> None:
    for text, centre in [
        ("We just relocated to Guangzhou", "guangzhou"),
        ("창원에서 연락드립니다", "busan"),
        ("我们是东莞的一家电子厂", "guangzhou"),
    ]:
        found = finder.from_message(text)
        assert isinstance(found, Nearest) and found.centre.id == centre, (text, found)
    for text in ["we moved to a bigger warehouse", "我们是做玩具的一家工厂"]:
        assert finder.from_message(text) is None, text
