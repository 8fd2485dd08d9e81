"""A small FAQ in three languages (deposit, commission, frozen funds) for several modules."""

from __future__ import annotations

from tests.conftest import entry_yaml

SMALL = "entries:\n" + "".join(
    [
        entry_yaml(
            "security-deposit",
            [
                "How much is the security deposit?",
                "Do I get the deposit back?",
                "deposit amount for a new store",
                "is the deposit refundable",
            ],
            ["保证金要交多少？", "保证金能退吗", "开店押金多少钱", "保证金什么时候退"],
            [
                "보증금은 얼마인가요?",
                "보증금 돌려받을 수 있나요",
                "입점 보증금 금액",
                "보증금 환불 언제 돼요",
            ],
            related=["commission-rates"],
        ),
        entry_yaml(
            "commission-rates",
            [
                "What commission do you charge per sale?",
                "commission rate by category",
                "how much is the referral fee",
                "percentage taken from each order",
            ],
            ["佣金是多少", "每个类目的佣金比例", "平台抽成几个点", "每单扣多少佣金"],
            [
                "판매 수수료가 얼마예요?",
                "카테고리별 수수료율",
                "주문마다 떼는 수수료",
                "커미션 몇 퍼센트",
            ],
        ),
        entry_yaml(
            "shipping-options",
            [
                "Which carriers can I ship with?",
                "can I use my own courier",
                "shipping methods for overseas orders",
                "do you offer logistics",
            ],
            ["可以用哪些物流发货", "能用自己的快递吗", "海外订单怎么发货", "平台有物流服务吗"],
            [
                "어떤 택배사로 배송할 수 있나요",
                "제 택배사를 써도 되나요",
                "해외 주문 배송 방법",
                "물류 서비스 있나요",
            ],
        ),
        entry_yaml(
            "frozen-funds",
            [
                "My funds are frozen",
                "why is my money on hold",
                "payout withheld by the platform",
                "balance frozen after review",
            ],
            ["资金被冻结了", "为什么我的钱被扣住", "货款被平台冻结", "余额被冻结怎么办"],
            ["정산금이 동결됐어요", "돈이 보류됐어요", "판매 대금이 묶였어요", "잔액 동결 해제"],
            escalate=True,
        ),
    ]
)
