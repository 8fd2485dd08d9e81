"""Fill msgstr entries of the four catalogs from the table below (en is the source text).

Run after `pybabel update`, then `pybabel compile`. Strings missing here stay untranslated and the
i18n tests fail, which is the point.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent

# source: (ko, zh_Hans); zh_Hant is converted from zh_Hans with OpenCC unless given explicitly.
TABLE: dict[str, tuple[str, str]] = {
    "Account and registration": ("계정 및 입점", "账户与入驻"),
    "Brands and certifications": ("브랜드 및 인증", "品牌与认证"),
    "Browse topics": ("주제별로 보기", "按主题浏览"),
    "Change language": ("언어 변경", "切换语言"),
    "Choose your language:": ("언어를 선택하세요:", "请选择语言："),
    "Compliance and account health": ("규정 준수 및 계정 상태", "合规与账户健康"),
    "Fees": ("수수료 및 비용", "费用"),
    "Hello! I'm the seller-support assistant. Ask me anything about selling with us, in your "
    "own words and in English, Chinese or Korean, or pick an option below.": (
        "안녕하세요! 셀러 지원 도우미예요. 입점과 판매에 관한 궁금한 점을 한국어, 중국어, "
        "영어로 편하게 물어보시거나 아래에서 선택해 주세요.",
        "您好！我是卖家支持助手。关于在我们平台开店和销售的问题，都可以用中文、英文或韩文直接问我，"
        "也可以点下面的选项。",
    ),
    "I'm handing your conversation to a person from the seller-support team. They will reply "
    "here.": (
        "셀러 지원팀 담당자에게 대화를 넘겨 드릴게요. 이 채팅으로 답변드릴 거예요.",
        "我正在把对话转给卖家支持团队的工作人员，他们会在这里回复您。",
    ),
    "Listings": ("상품 등록", "商品刊登"),
    "Menu": ("메뉴", "菜单"),
    "Nearest centre": ("가까운 센터", "最近的中心"),
    "OK, I'll reply in English from now on.": (
        "좋아요, 이제부터 한국어로 답변할게요.",
        "好的，之后我会用简体中文回复您。",
    ),
    "Payments and payouts": ("결제 및 정산", "收款与回款"),
    "Pick a topic:": ("주제를 선택하세요:", "请选择主题："),
    "Promotions and growth": ("프로모션 및 성장", "促销与增长"),
    "Questions about {topic}:": ("{topic} 관련 질문:", "关于{topic}的问题："),
    "Rephrase": ("다시 질문하기", "换个说法"),
    "Returns and refunds": ("반품 및 환불", "退货与退款"),
    "Shipping": ("배송", "物流发货"),
    "Sorry that didn't help. You can rephrase your question or talk to a person.": (
        "도움이 되지 못해 죄송해요. 질문을 바꿔서 다시 물어보시거나 상담원과 이야기하실 수 있어요.",
        "抱歉没能帮到您。您可以换个说法再问，或者转人工客服。",
    ),
    "Sorry, I can only read text messages, buttons and shared locations.": (
        "죄송해요, 텍스트 메시지, 버튼, 공유된 위치만 읽을 수 있어요.",
        "抱歉，我只能读取文字消息、按钮和共享的位置。",
    ),
    "Sorry, that option is no longer available. Here is the menu again.": (
        "죄송해요, 그 선택지는 더 이상 사용할 수 없어요. 메뉴를 다시 보여 드릴게요.",
        "抱歉，这个选项已经失效了。这是菜单。",
    ),
    "Store performance": ("스토어 성과", "店铺表现"),
    "Sure, please ask again in other words. A short question works best.": (
        "네, 다른 표현으로 다시 물어봐 주세요. 짧은 질문일수록 좋아요.",
        "好的，请换个说法再问一次。问题越简短越好。",
    ),
    "Talk to a person": ("상담원 연결", "转人工"),
    "Tax and customs": ("세금 및 통관", "税务与清关"),
    "Tell me which city you are in, or share your location, and I'll find the nearest "
    "business-expansion centre.": (
        "계신 도시를 알려 주시거나 위치를 공유해 주시면 "
        "가장 가까운 비즈니스 확장 센터를 찾아 드릴게요.",
        "告诉我您所在的城市，或者共享您的位置，我来帮您找最近的商家发展中心。",
    ),
    "Thanks for letting me know!": ("알려 주셔서 감사해요!", "谢谢您的反馈！"),
    "Thanks, I've saved your location. It helps me point you to the nearest "
    "business-expansion centre.": (
        "위치를 저장했어요. 가장 가까운 비즈니스 확장 센터를 안내하는 데 사용할게요.",
        "谢谢，已保存您的位置，方便为您推荐最近的商家发展中心。",
    ),
    "Training and support": ("교육 및 지원", "培训与支持"),
    'Type your question in your own words, for example "How much is the security deposit?". '
    "You can also browse the topics, find the nearest business-expansion centre, or talk to a "
    "person.": (
        '궁금한 점을 편하게 입력해 주세요. 예: "보증금은 얼마인가요?" 주제별로 찾아보거나, '
        "가까운 비즈니스 확장 센터를 찾거나, 상담원과 이야기할 수도 있어요.",
        "直接用自己的话输入问题即可，例如“保证金要交多少？”。您也可以按主题浏览、查找最近的商家"
        "发展中心，或者转人工。",
    ),
    "👍 Helpful": ("👍 도움이 됐어요", "👍 有帮助"),
    "👎 Not helpful": ("👎 도움이 안 됐어요", "👎 没帮助"),
    "Did you mean one of these?": ("혹시 이 중 하나를 물어보신 건가요?", "您是想问下面哪一个？"),
    "Sorry, I don't have an answer to that yet. You can rephrase your question, browse the "
    "topics, or talk to a person.": (
        "죄송해요, 그 질문에는 아직 답변이 없어요. 질문을 바꿔서 다시 물어보시거나, 주제별로 "
        "찾아보시거나, 상담원과 이야기하실 수 있어요.",
        "抱歉，这个问题我暂时还答不上来。您可以换个说法再问，按主题浏览常见问题，或者转人工客服。",
    ),
    "This needs a person from our seller-support team. I'm handing your conversation over; "
    "they will reply here.": (
        "이 문제는 셀러 지원팀 담당자가 직접 확인해야 해요. 지금 대화를 담당자에게 넘겨 드릴게요. "
        "이 채팅으로 답변드릴 거예요.",
        "这个问题需要卖家支持团队的工作人员来处理。我现在把对话转给他们，他们会在这里回复您。",
    ),
}
# Where the Traditional text must say something other than a conversion of the Simplified one.
HANT: dict[str, str] = {
    "OK, I'll reply in English from now on.": "好的，之後我會用繁體中文回覆您。",
    "Talk to a person": "轉真人客服",
    "This needs a person from our seller-support team. I'm handing your conversation over; "
    "they will reply here.": (
        "這個問題需要賣家支援團隊的工作人員來處理。我現在把對話轉給他們，他們會在這裡回覆您。"
    ),
}


def main() -> int:
    """Write the table into locales/*/LC_MESSAGES/messages.po."""
    from bot.faq.chinese import to_traditional

    for locale in ("en", "ko", "zh_Hans", "zh_Hant"):
        path = ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fp:
            catalog = read_po(fp, locale=locale)
        for message in catalog:
            if not message.id or message.id not in TABLE:
                continue
            ko, hans = TABLE[str(message.id)]
            message.string = {
                "en": str(message.id),
                "ko": ko,
                "zh_Hans": hans,
                "zh_Hant": HANT.get(str(message.id)) or to_traditional(hans),
            }[locale]
            message.flags.discard("fuzzy")
        with path.open("wb") as fp:
            write_po(fp, catalog, width=100, sort_output=True, no_location=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
