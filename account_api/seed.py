"""Demo customers (all data fictional) and their login history; seeding is idempotent."""

from __future__ import annotations

from .security import SecretBox, new_connection_password
from .store import Customer, Store

DEMO_CUSTOMERS: tuple[Customer, ...] = (
    # Has a mobile: codes and credentials go by SMS.
    Customer(
        customer_number="N123456789",
        ocn_id="taro.yamada@ocn.ne.jp",
        connection_id="abc12345@one.ocn.ne.jp",
        name="山田 太郎",
        mobile="09012345678",
        contact_mail="taro.yamada@ocn.ne.jp",
        postal_code="100-0005",
        address_region="東京都千代田区",
        address_line="丸の内1-1-1 サンドボックスビル101",
    ),
    # No mobile: contact by mail, OCN ID is a non-OCN address; SMS delivery answers no_mobile.
    Customer(
        customer_number="N987654321",
        ocn_id="hanako.sato@example.jp",
        connection_id="xyz98765@one.ocn.ne.jp",
        name="佐藤 花子",
        mobile=None,
        contact_mail="hanako.sato@example.jp",
        postal_code="530-0001",
        address_region="大阪府大阪市北区",
        address_line="梅田2-2-2 デモマンション202",
    ),
    # Suspicious login history: failed logins from abroad and one unfamiliar success.
    Customer(
        customer_number="N555000111",
        ocn_id="ichiro.suzuki@ocn.ne.jp",
        connection_id="def55501@one.ocn.ne.jp",
        name="鈴木 一郎",
        mobile="08055556666",
        contact_mail="ichiro.suzuki@ocn.ne.jp",
        postal_code="812-0011",
        address_region="福岡県福岡市博多区",
        address_line="博多駅前3-3-3",
    ),
)

_HOUR = 3600.0
_DAY = 24 * _HOUR

# (age, region, device, success, unfamiliar), newest first.
_USUAL_LOGINS = [
    (2 * _HOUR, "東京都", "Windows / Chrome", True, False),
    (1 * _DAY, "東京都", "iPhone / Safari", True, False),
    (2 * _DAY + 3 * _HOUR, "東京都", "Windows / Chrome", True, False),
    (3 * _DAY, "東京都", "iPhone / OCNメールアプリ", True, False),
    (5 * _DAY, "神奈川県", "iPhone / Safari", True, False),
    (6 * _DAY, "東京都", "Windows / Chrome", False, False),
    (6 * _DAY - 60, "東京都", "Windows / Chrome", True, False),
    (9 * _DAY, "東京都", "Windows / Edge", True, False),
    (12 * _DAY, "東京都", "iPhone / Safari", True, False),
    (15 * _DAY, "東京都", "Windows / Chrome", True, False),
    (20 * _DAY, "東京都", "Windows / Chrome", True, False),
]

_LOGINS: dict[str, list[tuple[float, str, str, bool, bool]]] = {
    "N123456789": _USUAL_LOGINS,
    "N987654321": [
        (5 * _HOUR, "大阪府", "Android / Chrome", True, False),
        (2 * _DAY, "大阪府", "Windows / Firefox", True, False),
        (4 * _DAY, "大阪府", "Android / Chrome", True, False),
        (8 * _DAY, "兵庫県", "Android / Chrome", True, False),
        (11 * _DAY, "大阪府", "Windows / Firefox", True, False),
    ],
    "N555000111": [
        (1 * _HOUR, "海外（ブラジル）", "Linux / 不明なブラウザ", True, True),
        (1 * _HOUR + 120, "海外（ロシア）", "Linux / 不明なブラウザ", False, True),
        (1 * _HOUR + 240, "海外（ロシア）", "Linux / 不明なブラウザ", False, True),
        (1 * _DAY, "福岡県", "Android / Chrome", True, False),
        (2 * _DAY, "福岡県", "Windows / Edge", True, False),
        (4 * _DAY, "福岡県", "Android / OCNメールアプリ", True, False),
        (6 * _DAY, "福岡県", "Windows / Edge", True, False),
        (7 * _DAY, "福岡県", "Android / Chrome", True, False),
        (10 * _DAY, "佐賀県", "Android / Chrome", True, False),
        (13 * _DAY, "福岡県", "Windows / Edge", True, False),
        (16 * _DAY, "福岡県", "Windows / Edge", True, False),
    ],
}


def add_customer(store: Store, box: SecretBox, customer: Customer, now: float, password: str | None = None) -> bool:
    """Insert one customer with a connection password (random unless given), stored only encrypted."""
    return store.accounts.add(customer, box.encrypt(password or new_connection_password()), now)


def seed_demo_customers(store: Store, box: SecretBox, now: float) -> int:
    """Insert missing demo customers and their login history; returns how many were added.

    Each demo customer gets a random connection password on the first seed; it stays the same from then
    on (asking for it by SMS or post sends that same password, as OCN's 「確認」 does)."""
    added = 0
    with store.transaction():
        for customer in DEMO_CUSTOMERS:
            if add_customer(store, box, customer, now):
                added += 1
            if not store.accounts.has_logins(customer.customer_number):
                for age, region, device, success, unfamiliar in _LOGINS.get(customer.customer_number, []):
                    store.accounts.add_login(customer.customer_number, now - age, region, device, success, unfamiliar)
    return added
