"""Provinces and regions, mapped to the city whose centre serves them best (their capital).

GeoNames' city list has no provinces, and merchants say "我在广东" or "경기도에 있어요".
Geography, not tuning: every province-level division of mainland China and of South Korea.
"""

from __future__ import annotations

from bot.centres.names import name_key

# capital (as the gazetteer knows it): names of the region in English, Chinese and Korean
_REGIONS: dict[str, tuple[str, ...]] = {
    "Guangzhou": ("guangdong", "广东", "광둥", "광동"),
    "Hangzhou": ("zhejiang", "浙江", "저장", "절강"),
    "Fuzhou": ("fujian", "福建", "푸젠", "복건"),
    "Nanjing": ("jiangsu", "江苏", "장쑤", "강소"),
    "Jinan": ("shandong", "山东", "산둥", "산동"),
    "Shijiazhuang": ("hebei", "河北", "허베이"),
    "Zhengzhou": ("henan", "河南", "허난"),
    "Wuhan": ("hubei", "湖北", "후베이"),
    "Changsha": ("hunan", "湖南", "후난"),
    "Chengdu": ("sichuan", "四川", "쓰촨", "사천"),
    "Hefei": ("anhui", "安徽", "안후이"),
    "Nanchang": ("jiangxi", "江西", "장시"),
    "Nanning": ("guangxi", "广西", "광시"),
    "Kunming": ("yunnan", "云南", "윈난"),
    "Guiyang": ("guizhou", "贵州", "구이저우"),
    "Xi'an": ("shaanxi", "陕西", "산시성"),
    "Taiyuan": ("shanxi", "山西"),
    "Shenyang": ("liaoning", "辽宁", "랴오닝"),
    "Changchun": ("jilin province", "吉林省", "지린성"),
    "Harbin": ("heilongjiang", "黑龙江", "헤이룽장"),
    "Haikou": ("hainan", "海南", "하이난"),
    "Lanzhou": ("gansu", "甘肃", "간쑤"),
    "Xining": ("qinghai", "青海", "칭하이"),
    "Hohhot": ("inner mongolia", "内蒙古", "네이멍구"),
    "Yinchuan": ("ningxia", "宁夏", "닝샤"),
    "Urumqi": ("xinjiang", "新疆", "신장"),
    "Lhasa": ("tibet", "xizang", "西藏", "티베트"),
    "Suwon": ("gyeonggi", "gyeonggi-do", "京畿道", "경기도", "경기"),
    "Chuncheon": ("gangwon", "gangwon-do", "江原道", "강원도", "강원"),
    "Cheongju": ("north chungcheong", "chungcheongbuk-do", "忠清北道", "충청북도", "충북"),
    "Cheonan": ("south chungcheong", "chungcheongnam-do", "忠清南道", "충청남도", "충남"),
    "Jeonju": ("north jeolla", "jeollabuk-do", "全罗北道", "전라북도", "전북"),
    "Gwangju": ("south jeolla", "jeollanam-do", "全罗南道", "전라남도", "전남"),
    "Daegu": ("north gyeongsang", "gyeongsangbuk-do", "庆尚北道", "경상북도", "경북"),
    "Changwon": ("south gyeongsang", "gyeongsangnam-do", "庆尚南道", "경상남도", "경남"),
    "Jeju": ("jeju-do", "济州岛", "济州道", "제주도"),
}
REGIONS: dict[str, str] = {name_key(n): capital for capital, ns in _REGIONS.items() for n in ns}
LONGEST = max(len(k) for k in REGIONS)


def region_capital(words: str) -> str | None:
    """The capital of the region these words name ("广东省", "Gyeonggi-do"), if any."""
    key = name_key(words)
    for suffix in ("省", "sheng", "province", "도"):
        if key.endswith(suffix) and key not in REGIONS and key[: -len(suffix)] in REGIONS:
            key = key[: -len(suffix)]
    return REGIONS.get(key)


# Korean cities whose Chinese names GeoNames lacks or gives to a town elsewhere (大田 is also
# Ōta in Japan): Chinese name -> the name the gazetteer knows.
KOREAN_CITIES_ZH: dict[str, str] = {
    "仁川": "Incheon", "大邱": "Daegu", "大田": "Daejeon", "龙仁": "Yongin", "浦项": "Pohang",
    "金海": "Gimhae", "城南": "Seongnam-si", "高阳": "Goyang-si", "富川": "Bucheon-si",
    "安山": "Ansan-si", "华城": "Hwaseong-si", "坡州": "Paju",
}  # fmt: skip
