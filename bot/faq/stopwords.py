"""Function words that say nothing about a question's topic; they do not count towards coverage."""

from __future__ import annotations

from bot.faq.tokens import stem

_EN = """a about above after again all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers him his how i if in into is it its itself just me more most my
myself no nor not now of off on once only or other our ours out over own same she should so some
such than that the their them then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your yours u ur
pls please plz hi hello hey thanks thank ok okay dear sir madam kindly want wanna need like know
tell get got also still really much many
s t m d ll re ve im ive id dont cant wont didnt doesnt isnt arent able must way say said says
everything anything something nothing mine himself herself themselves ourselves simply actually
basically exactly lol yay haha btw thx guys anyone someone somebody anybody thing things stuff
quick wondering wonder"""

# Han characters and words that carry grammar or politeness, not topic.
_ZH = """的 了 吗 呢 吧 啊 呀 哦 嗯 么 嘛 哈 是 在 有 和 与 及 或 就 都 也 还 又 这 那 个 些 我 你
您 他 她 它 们 我们 你们 请问 请 问 想 想问 一下 下 怎么 怎样 什么 如何 为什么 哪些 哪个 多少 能
能不能 可以 可不可以 是不是 有没有 要 需要 会 吗 呢 没 不 很 太 就是 然后 现在 一个 谢谢 你好 您好
麻烦
有没 没有 怎么办 咋办 咋 啥 哪里 哪儿 知道 一般 大概 具体 那个 这个 的话 问下 问问 想问下
说 话 呗 啦 喔 哇 诶 哎 呃"""

# Korean particles, endings and fillers (syllables and common two-syllable chunks).
_KO = """은 는 이 가 을 를 의 에 도 로 와 과 요 나 까 죠 서 고 다 네 데 면 게 지 야 해 돼 되 하 한
할 합 니 다 습 세 시 어 아 여 좀 그 저 제 거 것 뭐 왜 어떻게 어디 언제 얼마 있 없 나요 가요
까요 인가 해요 돼요 되나 하나 있나 없나 인데 는데 한데 에서 으로 하고 이랑 랑 보다 니까 세요 주세
안녕 하세 감사 합니 니다 습니
어요 에요 예요 어떻 떻게 있어 있는 해야 려면 하려 싶어 싶은 건가 는지 인지 을까 할까 나여 가여
되요 해도 될까 어야 아야 으면 라고 다고 이라 어서 아서 해서 해주 주세 주시 알려 려고"""

STOP_TOKENS = frozenset([stem(w) for w in _EN.split()] + _ZH.split() + _KO.split())


def is_stop(token: str) -> bool:
    """True for a token that says nothing about the topic."""
    return token in STOP_TOKENS
