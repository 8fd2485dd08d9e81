"""Issue 13, follow-up: Latin slips that are a village's name, pinyin with tone digits or run
together, several places with the question about one, and a district written with its city."""

from __future__ import annotations

import pytest

from bot.centres.finder import AskForPlace, CentreFinder, Nearest
from bot.centres.gazetteer import Gazetteer
from bot.centres.statement import prepare, spaced_pinyin, syllables, toneless
from bot.centres.typos import LatinNearMiss, latin_edits


def _place(finder: CentreFinder, text: str) -> str:
    found = finder.from_message(text)
    assert isinstance(found, Nearest) and found.place is not None, (text, found)
    return found.place.name


# -- 1. Latin misspellings -------------------------------------------------------------------


def test_latin_edits_grow_with_the_name() -> None:
    assert latin_edits("seol") == 0  # too short to guess
    assert latin_edits("fushan") == 1
    assert latin_edits("dongguang") == 2


def test_a_latin_slip_is_read_as_the_one_city_a_few_edits_away() -> None:
    slips = LatinNearMiss(
        [("dongguan", "Dongguan"), ("guangzhou", "Guangzhou"), ("taizhou", "Taizhou"),
         ("taizhou", "Taizhou"), ("tianjin", "Tianjin")]
    )  # fmt: skip
    assert slips("Dongguang") == "Dongguan"
    assert slips("guangzou") == "Guangzhou"
    assert slips("dongguan") is None  # the name itself is a lookup, not a slip
    assert slips("tai") is None  # too short
    assert slips("qwertyuiop") is None


def test_two_cities_as_near_give_no_guess() -> None:
    slips = LatinNearMiss([("wuxian", "Wuxian"), ("wuxia", "Wuxia")])  # two at one edit
    assert slips("wuxiab") is None


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Dongguang here", "Dongguan"),  # Dongguang is a village: a slip of Dongguan all the same
        ("Dongguang", "Dongguan"),
        ("we're in Dongguang, which expansion centre should we go to", "Dongguan"),
        ("I'm in Hangzou", "Hangzhou"),
        ("Fushan furniture seller, closest centre please", "Foshan"),
        ("I'm in Pusan, nearest centre?", "Busan"),  # old romanisations: alternate names
        ("I'm in Taegu, nearest centre?", "Daegu"),
        ("Kwangju nearest centre", "Gwangju"),
        ("Inchon, which centre is nearest?", "Incheon"),
        ("im in HK nearest center", "Hong Kong"),
    ],
)
def test_latin_misspellings_and_old_romanisations(
    finder: CentreFinder, text: str, place: str
) -> None:
    assert _place(finder, text) == place


def test_hk_is_hong_kong_only_in_a_centre_question(finder: CentreFinder) -> None:
    assert _place(finder, "hk, where is the nearest centre?") == "Hong Kong"
    for text in ("HK", "I'm in HK", "the price is HK$200"):
        assert not isinstance(finder.from_message(text), Nearest), text


def test_a_correctly_spelt_place_beats_a_slip(finder: CentreFinder) -> None:
    assert _place(finder, "We are in Ningbo, not Dongguang. Nearest centre?") == "Ningbo"


def test_pinyin_words_of_the_question_are_never_places(finder: CentreFinder) -> None:
    # "zhongxin" (centre) is a village's name and a slip away from 中西 in Hong Kong
    assert isinstance(finder.from_message("zui jin de zhongxin zai nali"), AskForPlace)


# -- 2. Pinyin -------------------------------------------------------------------------------


def test_pinyin_runs_are_cut_into_syllables() -> None:
    assert syllables("zhongxin") == ["zhong", "xin"]
    assert syllables("wozaiguangzhou") == ["wo", "zai", "guang", "zhou"]
    assert syllables("hello") is None and syllables("strength") is None
    assert spaced_pinyin("wozaiguangzhou") == "wo zai guang zhou"
    assert spaced_pinyin("shenzhen shanghai") == "shenzhen shanghai"  # two syllables: as is
    assert spaced_pinyin("international shipping") == "international shipping"


def test_tone_digits_come_off_pinyin_only() -> None:
    assert toneless("shen1zhen4 zui4jin4") == "shenzhen zuijin"
    assert toneless("a4 paper") == "a4 paper"  # one toned word: perhaps a code
    assert toneless("mp3 x5 h5") == "mp3 x5 h5"  # not pinyin through and through
    assert prepare("Shen1zhen4 zui4jin4 de zhong1xin1") == "shenzhen zuijin de zhongxin"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("shen1zhen4 zui4jin4 de zhong1xin1 zai4 na3", "Shenzhen"),
        ("wozaiguangzhou,zuijindezhongxinzainali", "Guangzhou"),
        ("wozaiguangzhou", "Guangzhou"),  # a bare statement
        ("wo zai hangzhou, fujin you zhongxin ma", "Hangzhou"),
        ("wulumuqi", "Ürümqi"),  # a four-syllable name cut up still reads as one
    ],
)
def test_pinyin_messages(finder: CentreFinder, text: str, place: str) -> None:
    assert _place(finder, text) == place


# -- 3. Several places, the question about one -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("We live in Hangzou but our factory is in Dongguang, closest centre to the factory?",
         "Dongguan"),
        ("家在深圳，厂在惠州，想找离工厂近的中心", "Huizhou"),
        ("老家临沂，现在人在萧山，离萧山最近的中心在哪？", "Xiaoshan"),  # a district of Hangzhou
        ("집은 양산이고 회사는 울산이에요. 회사에서 가까운 센터요", "Ulsan"),
        ("We live in Hangzhou, our company is in Ningbo. Closest centre to the company?",
         "Ningbo"),
        ("Fushan (Foshan) furniture seller, closest centre please", "Foshan"),  # one city
    ],
)  # fmt: skip
def test_the_place_the_question_points_to(finder: CentreFinder, text: str, place: str) -> None:
    assert _place(finder, text) == place


def test_with_nothing_pointing_to_one_place_the_bot_asks(finder: CentreFinder) -> None:
    for text in (
        "家在深圳，厂在惠州，最近的中心在哪",
        "Our factory is in Hangzhou, our shop is in Ningbo. Nearest centre?",
    ):
        assert isinstance(finder.from_message(text), AskForPlace), text


def test_a_place_asked_about_counts_from_a_towns_size(finder: CentreFinder) -> None:
    assert not finder.known("萧山")  # too small to be taken for a place anywhere in a message
    assert _place(finder, "离萧山最近的中心在哪") == "Xiaoshan"


# -- 4. A district with its city -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "place", "centre"),
    [
        ("工厂在东管长安，附近有中心可以去吗", "Chang’an", "shenzhen"),  # not 长安 near Xi'an
        ("人喺香港，貨倉喺東莞長安，想去近貨倉嗰個中心", "Chang’an", "shenzhen"),
        ("我在东莞长安", "Chang’an", "shenzhen"),
        ("东莞长安", "Chang’an", "shenzhen"),
        ("我在深圳龙华", "Longhua", "shenzhen"),  # not Longhua in Chongqing
        ("深圳龙华这边有没有招商中心", "Longhua", "shenzhen"),
        ("We're in Panyu, Guangzhou. Closest centre?", "Guangzhou", "guangzhou"),
        ("Longgang district Shenzhen, where is the nearest centre?", "Longgang", "shenzhen"),
        ("Seol, Mapo-gu. Which office is nearest?", "Mapo", "busan"),
        ("Nanshan, Shenzhen - nearest centre?", "Nanshan", "shenzhen"),  # a town of 11,000
        ("Shenzhen, Nanshan district. Nearest centre?", "Nanshan", "shenzhen"),
        ("서울강남 센터 가까운곳", "Gangnam", "busan"),
        ("서울강남에 있어요", "Gangnam", "busan"),
    ],
)
def test_the_more_specific_place_decides(
    finder: CentreFinder, text: str, place: str, centre: str
) -> None:
    found = finder.from_message(text)
    assert isinstance(found, Nearest) and found.place is not None, (text, found)
    assert (found.place.name, found.centre.id) == (place, centre), text


def test_a_word_after_a_city_is_no_district(finder: CentreFinder) -> None:
    assert _place(finder, "东莞工业区附近有中心吗") == "Dongguan"
    assert _place(finder, "东莞工厂附近有中心吗") == "Dongguan"
    assert isinstance(finder.from_message("Yongin, Suwon. Which centre is nearest?"), AskForPlace)
    # a big city's own name beside another city is no district of it
    assert _place(finder, "Shenzhen, Guangzhou - nearest centre?") == "Guangzhou"
    assert _place(finder, "Hello, Shenzhen here. Nearest centre?") == "Shenzhen"


def test_the_place_of_a_name_nearest_a_point(gazetteer: Gazetteer) -> None:
    dongguan = gazetteer.resolve("东莞")
    assert dongguan is not None
    town = gazetteer.named_near("长安", dongguan.place.lat, dongguan.place.lon, 30.0)
    assert town is not None and abs(town.lat - 22.8) < 0.1
    assert gazetteer.named_near("长安", 0.0, 0.0, 30.0) is None
