"""Is a message asking where a centre is, or whether one can be visited? Whatever the FAQ says.

A centre word (centre, office, branch; 中心, 办事处; 센터, 사무실) or a visit word (in person,
当面, 방문) together with a where/near/visit word. Other "centres" (Seller Centre, help centre,
call centre, logistics centre) are not ours.
"""

from __future__ import annotations

import re

_OTHER_CENTRES = re.compile(
    r"(?:seller|help|call|data|fulfil+ment|logistics|distribution|service|customer|shopping|"
    r"training|learning|education)\s*cent(?:er|re)s?|\b(?:post|box|ticket|tax|her|his|their|my|our)\s*offices?\b|"
    r"卖家中心|帮助中心|客服中心|物流中心|仓储中心|配送中心|购物中心|培训中心|学习中心|邮局|"
    r"셀러\s*센터|판매자\s*센터|고객\s*센터|물류\s*센터|헬프\s*센터|풀필먼트\s*센터|교육\s*센터|우체국|"
    r"쇼핑\s*센터|콜\s*센터|서비스\s*센터|문화\s*센터|컨벤션\s*센터|전시\s*센터|"
    # The merchant's own office ("我们只有釜山的办公室", "저희 부산 사무실"), not one of ours;
    # "我们想去你们办公室" still asks for ours.
    r"(?:我们|我司|我的|本公司|自己)(?:(?!你们|您|贵)[^，,。.!！?？；;\s]){0,6}?(?:办公室|办事处)|"
    r"(?:저희|우리)\s*(?:회사\s*)?(?:[가-힣]{1,4}\s*)?(?:사무실|사무소|지사)"
)
# A return or shipping address is an address, but not where a centre is.
_OTHER_ADDRESSES = re.compile(
    r"\b(?:return|returns|shipping|delivery|billing|warehouse|registered|pickup|invoice|"
    r"sender|recipient|buyer'?s?|customer'?s?)\s+address(?:es)?\b|"
    r"(?:退货|退件|收货|发货|寄件|收件|仓库|注册|邮寄|账单|买家|客户|海外仓)地址|"
    r"(?:반품|배송|수령|수취|발송|창고|회수|청구|등록|구매자|고객)\s*주소|"
    # the merchant's own address ("有人知道我哋深圳嘅地址"), not where a centre is
    r"\b(?:my|our)\b[^.?!,;]{0,30}?\baddress(?:es)?\b|"
    r"(?:我们|我哋|我的|我家)(?:(?!你们|您|贵)[^，,。.!！?？；;\s]){0,6}?地址|"
    r"(?:저희|우리|제|내)\s*(?:[가-힣]{1,6}\s*)?주소"
)
# "보내 주실 수 있나요" asks whether something can be done, not whether a centre is there.
_CAN = re.compile(r"수\s*(?:있나요|있어요|있을까요|있는지|있습니까)")
_CENTRE_WORD = re.compile(
    r"\b(?:cent(?:er|re)s?|offices?|branch(?:es)?|bureaus?|physical location|zhong ?xin)\b|"
    r"中心|办事处|办公室|分部|网点|센터|샌터|쎈터|사무실|사무소|지점|지사"
)
_VISIT_WORD = re.compile(
    r"\b(?:in[- ]person|face[- ]to[- ]face|walk[- ]in|walk into|visit|drop by|come by|come over|"
    r"stop by|meet (?:you|your (?:team|people|staff)|someone))\b|"
    r"线下|当面|面谈|面对面|上门|拜访|到访|实地|过去找|去找你们|想去|"
    r"오프라인|방문(?!자|수|율|객|\s*\d)|대면|찾아가|직접\s*(?:가|만나)"
)
_WHERE_WORD = re.compile(
    r"\b(?:where|nearest|closest|near|nearby|close to|closer|around|which|any|go to|"
    r"is there|are there|do you have|address|located|location|"
    r"zui ?jin|fu ?jin|na ?li|zai na|na ?ge)\b|"
    r"哪|最近|附近|周边|离我|有没有|有冇|有无|有.{0,8}吗|能不能|可不可以|地址|怎么去|近的|近啲|边度|喺边|"
    r"어디|가까운|근처|있나요|있어요|있을까요|있는지|있습니까|갈\s*수|가야|어느|가능|주소|위치"
)
# A Korean statement that something exists: with a centre word it may ask ("센터 있어요"),
# with a visit word alone it does not ("찾아가서 때리겠다는 구매자가 있어요").
_EXISTS = re.compile(r"(?:있어요|있습니다)(?!\s*[?？])")
# A correction is short and names the place at once: "不是宁德，是宁波", not "买家说不是本人下的单，
# 是被盗号" (a sentence that happens to hold 不是 … 是).
_CORRECTION = re.compile(
    r"\b(?:i meant|i mean|not [^,.;!?]{1,30} but|sorry,? (?:it'?s|i'?m in))\b|我是说|我说的是|"
    r"不是[^，,。.!！?？;；\s]{1,8}[，,、\s]*(?:而)?是|말고|아니라|아니고"
)
_CORRECTION_REACH = 12  # characters either side of the marker where the corrected place stands


def asks_for_centre(prepared: str) -> bool:
    """True when the (prepared: case-folded, Simplified) message asks about a centre."""
    text = _OTHER_ADDRESSES.sub(" ", _OTHER_CENTRES.sub(" ", prepared))
    centre, visit = (bool(p.search(text)) for p in (_CENTRE_WORD, _VISIT_WORD))
    text = _CAN.sub("수", text)  # "갈 수" stays a where word
    where = bool(_WHERE_WORD.search(text))
    if centre:
        return where or visit
    return visit and bool(_WHERE_WORD.search(_EXISTS.sub(" ", text)))


def correction_at(prepared: str) -> tuple[int, int] | None:
    """Where a place correction ("no, I meant Ningbo", "不是宁德，是宁波", "닝더 말고 닝보")
    reaches: the marker with the places next to it; None when there is none."""
    m = _CORRECTION.search(prepared)
    if m is None:
        return None
    return max(0, m.start() - _CORRECTION_REACH), m.end() + _CORRECTION_REACH


def centre_cue_at(prepared: str) -> int | None:
    """Where the first centre or visit word stands (places after it are what is asked about)."""
    text = _OTHER_CENTRES.sub(lambda o: " " * len(o.group(0)), prepared)
    found = [m.start() for p in (_CENTRE_WORD, _VISIT_WORD) if (m := p.search(text))]
    return min(found) if found else None
