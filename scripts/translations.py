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
    # -- the FAQ browser (issue 18) --
    "FAQ content": ("FAQ 콘텐츠", "FAQ 内容"),
    "The entries in service with their phrasings per language. Flags show what merchants in "
    "one language cannot reach or would read in another, and entries whose phrasings the "
    "matcher cannot tell apart.": (
        "현재 서비스 중인 항목과 언어별 질문 표현이에요. 표시는 어떤 언어의 셀러가 항목에 닿지 "
        "못하거나 다른 언어로 읽게 되는 곳, 그리고 매처가 구분하지 못하는 비슷한 표현의 항목을 "
        "보여 줘요.",
        "当前在用的条目及其各语言的问法。标记指出某种语言的商家找不到或会读到其他语言的地方，"
        "以及问法相近、匹配器难以区分的条目。",
    ),
    "All entries": ("모든 항목", "全部条目"),
    "Only flagged entries ({count})": ("표시된 항목만 ({count})", "仅看有标记的条目（{count}）"),
    "hands over": ("상담원 연결", "转人工"),
    "Phrasings look like those of:": ("질문 표현이 비슷한 항목:", "问法与以下条目相近："),
    "No entries.": ("항목이 없어요.", "没有条目。"),
    "no answer in this language": ("이 언어의 답변이 없어요", "没有该语言的答案"),
    "no phrasings in this language: questions in it cannot reach the entry": (
        "이 언어의 질문 표현이 없어요: 이 언어로 물으면 이 항목에 닿지 못해요",
        "没有该语言的问法：用该语言提问找不到这个条目",
    ),
    "only one phrasing in this language: add the ways merchants ask": (
        "이 언어의 질문 표현이 하나뿐이에요: 셀러들이 묻는 방식을 추가해 주세요",
        "该语言只有一个问法：请补充商家常用的问法",
    ),
    "the answer is written in another language": (
        "답변이 다른 언어로 쓰여 있어요",
        "答案是用其他语言写的",
    ),
    "a phrasing is written in another language": (
        "질문 표현 하나가 다른 언어로 쓰여 있어요",
        "有一个问法是用其他语言写的",
    ),
    "the Chinese answer is in Traditional characters (write Simplified; Traditional readers get "
    "it converted)": (
        "중국어 답변이 번체로 쓰여 있어요 (간체로 써 주세요. 번체 사용자에게는 자동 변환돼요)",
        "中文答案用的是繁体字（请用简体书写，繁体用户会看到自动转换的版本）",
    ),
    # -- escalation to people (issue 4) --
    "A person from the {team} team will reply here, usually within about {within}.": (
        "{team} 팀 담당자가 이 채팅으로 답변드릴 거예요. 보통 {within} 안에 답변드려요.",
        "{team}团队的工作人员会在这里回复您，通常在{within}内。",
    ),
    "A person from the {team} team will reply here. The team opens {at} ({relative}); "
    "your message is saved and waiting for them.": (
        "{team} 팀 담당자가 이 채팅으로 답변드릴 거예요. 팀은 {at}에 업무를 시작해요({relative}). "
        "보내신 메시지는 저장되어 담당자를 기다리고 있어요.",
        "{team}团队的工作人员会在这里回复您。团队将于{at}上班（{relative}），"
        "您的消息已保存，工作人员上班后会处理。",
    ),
    "You're already talking to the seller-support team. Write here and they will see it.": (
        "이미 셀러 지원팀과 연결되어 있어요. 여기에 쓰시면 담당자가 확인해요.",
        "您已经在和卖家支持团队沟通了。直接在这里留言，工作人员就能看到。",
    ),
    "I've passed your message to the team that helped you before. A person will reply here.": (
        "이전에 도와드렸던 팀에 메시지를 전달했어요. 담당자가 이 채팅으로 답변드릴 거예요.",
        "我已把您的消息转给之前帮助过您的团队，工作人员会在这里回复您。",
    ),
    "The team has marked your question as resolved. How would you rate the help you got?": (
        "팀에서 문의를 해결 완료로 처리했어요. 받으신 도움을 평가해 주시겠어요?",
        "团队已将您的问题标记为已解决。您对这次的帮助满意吗？请打分。",
    ),
    "Thank you for your rating!": ("평가해 주셔서 감사합니다!", "感谢您的评分！"),
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
    "Reply with a number to choose.": ("번호를 보내 선택하세요.", "回复数字即可选择。"),
    "Did this help? Reply {yes} 👍 or {no} 👎.": (
        "도움이 되었나요? 👍 {yes}번, 👎 {no}번을 보내 주세요.",
        "这个回答有帮助吗？有帮助回复 {yes} 👍，没帮助回复 {no} 👎。",
    ),
    # -- files staff send, per channel (issue 17) --
    "this merchant's channel cannot carry files; send text": (
        "이 판매자의 채널로는 파일을 보낼 수 없습니다. 텍스트를 보내세요",
        "该商家所在的渠道无法接收文件；请发送文字",
    ),
    "this merchant's channel carries only {kinds} files; attach one of those, or send text": (
        "이 판매자의 채널로는 {kinds} 파일만 보낼 수 있습니다. "
        "그중 하나를 첨부하거나 텍스트를 보내세요",
        "该商家所在的渠道只能接收 {kinds} 文件；请附加这几种文件之一，或发送文字",
    ),
    "Attach a file ({kinds})": ("파일 첨부 ({kinds})", "附加文件（{kinds}）"),
    "Sorry, something went wrong on our side. Please try again in a moment.": (
        "죄송해요, 저희 쪽에 문제가 생겼어요. 잠시 후 다시 시도해 주세요.",
        "抱歉，我们这边出了点问题，请稍后再试。",
    ),
    "Start over and show the menu": ("처음부터 다시 시작하고 메뉴 보기", "重新开始并显示菜单"),
    "How to ask a question": ("질문하는 방법", "如何提问"),
    # business-expansion centres (bot/centres/texts.py)
    "The nearest business-expansion centre to {place} is {centre}, about {distance} away.": (
        "{place}에서 가장 가까운 비즈니스 확장 센터는 {centre}이며, 약 {distance} 거리에 있어요.",
        "离{place}最近的商家发展中心是{centre}，距离约{distance}。",
    ),
    "The nearest business-expansion centre to your location is {centre}, about {distance} away.": (
        "현재 위치에서 가장 가까운 비즈니스 확장 센터는 {centre}이며, 약 {distance} 거리에 있어요.",
        "离您最近的商家发展中心是{centre}，距离约{distance}。",
    ),
    "There is more than one place called that: I assumed {place}. If you meant {others}, tell "
    "me the city and country, or share your location.": (
        "같은 이름의 지역이 여러 곳 있어서 {place} 기준으로 안내해 드렸어요. {others}을(를) "
        "말씀하신 거라면 도시와 나라 이름을 알려 주시거나 위치를 공유해 주세요.",
        "叫这个名字的地方不止一个，我按{place}为您查找。如果您指的是{others}，"
        "请告诉我城市和国家，或者共享您的位置。",
    ),
    'I took "{query}" to mean {place}.': (
        '입력하신 "{query}"을(를) {place}(으)로 보고 찾았어요.',
        "我把“{query}”理解为{place}。",
    ),
    "{place}, {country}": ("{place}({country})", "{place}（{country}）"),
    "{place} (population {population})": (
        "{place}(인구 약 {population})",
        "{place}（人口约{population}）",
    ),
    "Address: {address}": ("주소: {address}", "地址：{address}"),
    "Today ({weekday}): {hours}": (
        "오늘({weekday}) 운영 시간: {hours}",
        "今天（{weekday}）营业时间：{hours}",
    ),
    "Today ({weekday}): closed": ("오늘({weekday})은 휴무예요.", "今天（{weekday}）不营业。"),
    "Today ({weekday}): closed for a holiday": (
        "오늘({weekday})은 휴일이라 쉬어요.",
        "今天（{weekday}）是节假日，不营业。",
    ),
    "Open now, until {time}.": (
        "지금 운영 중이며 {time}까지 열어요.",
        "现在营业中，营业到{time}。",
    ),
    "Closed now; opens today at {time}.": (
        "지금은 운영 시간이 아니에요. 오늘 {time}에 열어요.",
        "现在不在营业时间，今天{time}开门。",
    ),
    "Closed now; opens tomorrow at {time}.": (
        "지금은 운영 시간이 아니에요. 내일 {time}에 열어요.",
        "现在不在营业时间，明天{time}开门。",
    ),
    "Closed now; opens {day} at {time}.": (
        "지금은 운영 시간이 아니에요. {day} {time}에 열어요.",
        "现在不在营业时间，{day}{time}开门。",
    ),
    "Closed now, and not open in the next two weeks.": (
        "지금은 운영 시간이 아니며, 앞으로 2주 동안 운영 일정이 없어요.",
        "现在不在营业时间，未来两周也没有营业安排。",
    ),
    "Times are the centre's local time ({zone}).": (
        "시간은 센터 현지 시간({zone}) 기준이에요.",
        "以上时间为中心当地时间（{zone}）。",
    ),
    "The team there speaks {languages}.": (
        "센터 직원은 {languages}를 사용해요.",
        "那里的团队使用{languages}。",
    ),
    'Sorry, I couldn\'t find a place called "{query}". Tell me the name of your city, or share '
    "your location, and I'll find the nearest business-expansion centre.": (
        '죄송해요, "{query}"(이)라는 지역을 찾지 못했어요. 계신 도시 이름을 알려 주시거나 '
        "위치를 공유해 주시면 가장 가까운 비즈니스 확장 센터를 찾아 드릴게요.",
        "抱歉，没有找到叫“{query}”的地方。请告诉我您所在城市的名称，或者共享您的位置，"
        "我来帮您找最近的商家发展中心。",
    ),
    "Which city in {country} are you in? Tell me the city, or share your location, and I'll "
    "find the nearest business-expansion centre.": (
        "{country}의 어느 도시에 계세요? 도시 이름을 알려 주시거나 위치를 공유해 주시면 "
        "가장 가까운 비즈니스 확장 센터를 찾아 드릴게요.",
        "您在{country}的哪个城市？请告诉我城市名称，或者共享您的位置，我来帮您找最近的商家发展中心。",
    ),
}
# Where the Traditional text must say something other than a conversion of the Simplified one.
HANT: dict[str, str] = {
    "this merchant's channel cannot carry files; send text": (
        "該商家所在的管道無法接收檔案；請傳送文字"
    ),
    "this merchant's channel carries only {kinds} files; attach one of those, or send text": (
        "該商家所在的管道只能接收 {kinds} 檔案；請附加這幾種檔案之一，或傳送文字"
    ),
    "Attach a file ({kinds})": "附加檔案（{kinds}）",
    "OK, I'll reply in English from now on.": "好的，之後我會用繁體中文回覆您。",
    "Talk to a person": "轉真人客服",
    "This needs a person from our seller-support team. I'm handing your conversation over; "
    "they will reply here.": (
        "這個問題需要賣家支援團隊的工作人員來處理。我現在把對話轉給他們，他們會在這裡回覆您。"
    ),
}


def main() -> int:
    """Write the table into locales/*/LC_MESSAGES/messages.po."""
    from bot.text.chinese import to_traditional

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
