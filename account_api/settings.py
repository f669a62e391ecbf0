"""Every setting of the account sandbox, in one place.

Values come from the environment so the same code runs in tests, the demo and CI. The defaults are
for a developer machine only: the token, the pepper and the encryption key below are public and must
be replaced anywhere that is not a sandbox.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEV_SERVICE_TOKEN = "dev-service-token"  # dev only: documented, public
DEV_PEPPER = "dev-pepper-not-secret"  # dev only: real deployments set ACCOUNT_API_PEPPER
# dev only: base64 of "dev-encryption-key-not-secret!!!"; real deployments set ACCOUNT_API_ENCRYPTION_KEY
DEV_ENCRYPTION_KEY = "ZGV2LWVuY3J5cHRpb24ta2V5LW5vdC1zZWNyZXQhISE="

_TRUE = {"1", "true", "yes", "on"}
# Anchored to the repository, so `python -m account_api` finds the same DB from any directory.
DEFAULT_DB_PATH = Path(__file__).resolve().parents[1] / "var" / "account_api.sqlite3"


@dataclass(frozen=True)
class Settings:
    db_path: Path = DEFAULT_DB_PATH
    host: str = "127.0.0.1"
    port: int = 5056
    service_token: str = DEV_SERVICE_TOKEN
    pepper: str = DEV_PEPPER
    # Fernet key(s) for connection passwords and outbox bodies at rest; comma-separated to rotate.
    encryption_key: str = DEV_ENCRYPTION_KEY
    # /dev/outbox and /dev/clock; on for the sandbox, off anywhere that resembles production.
    dev_endpoints: bool = True
    access_log: bool = False

    code_ttl_seconds: int = 10 * 60
    # Lockout policy (README "Lockout"). A client is the bot's client_ref (an IPv4 address, an IPv6 /64,
    # a LINE user; without one, the conversation). Budgets bind one client far below anything
    # account-wide, and nothing account-wide is a lock a handful of clients can impose on the customer.
    max_wrong_codes: int = 5  # per conversation, then that conversation is locked for lockout_seconds
    lockout_seconds: int = 30 * 60
    guess_window_seconds: int = 24 * 60 * 60  # the window of the per-client and per-account budgets
    client_wrong_codes: int = 10  # per account and client: then that client is refused for that account
    # Per account, from all clients: one try per code (and an alarm) from this many wrong codes ...
    account_throttle_wrong_codes: int = 30
    # ... and the guessing bound: no code of the account is compared beyond this many wrong codes
    # (a chance of at most 100 in 10^6 = 1e-4 per account per day); each group counts at most
    # group_share_wrong_codes of them, and from the throttle on 5 a day (one try per code, 5 codes), so
    # reaching it within a day takes 16 groups (6 IPv6 /48s: block_shares below).
    account_max_wrong_codes: int = 100
    alarm_wrong_codes: int = 200  # all accounts, within alarm_window_seconds: the alarm goes on ...
    # ... counting at most this many of one client group, 3 times that of a block (an IPv6 /48): 10+ groups,
    # 4+ /48s needed
    alarm_wrong_codes_per_client: int = 20
    alarm_window_seconds: int = 10 * 60
    alarm_hold_seconds: int = 60 * 60  # ... for this long: one try per code, few codes per client
    alarm_codes_per_client: int = 3  # per client, all accounts, per code_rate_window while the alarm is on
    # Codes (README "Lockout"): a client gets a few codes per account, so a stranger's client cannot use
    # up the customer's; the account-wide ceilings bound the SMS a victim receives and take 15 (an hour) or
    # 20 (a day) groups, each counting at most its share (group_share_codes_*; 5 or 7 IPv6 /48s).
    max_codes_per_client_per_window: int = 3  # per (account, client) per code_rate_window
    max_codes_per_client_per_day: int = 10  # per (account, client) per guess_window
    max_codes_per_conversation_per_window: int = 3
    code_alarm_codes: int = 10  # per account per code_rate_window: the operators are told (nobody refused)
    max_codes_per_account_per_window: int = 45  # per account, all clients: the hourly ceiling (15 groups, 5 /48s)
    max_codes_per_account_per_day: int = 100  # per account, all clients, per guess_window
    # Per client group (an IPv6 /56: one subscriber's line; else the client), all accounts: so one line's
    # many /64s reach no account-wide ceiling alone, and a client typing one account's identifiers is
    # refused no sooner than one typing unrelated ones (the per-client limits count per identifier).
    # Hourly only (review 6, R1): with a daily cap of 60, three hours of made-up customer numbers from one
    # phone refused everyone behind its CGNAT address or in its /56 for about 21 hours. The per-account
    # limits bound each account's SMS; the total is watched (deploy/monitoring/rules.yml CodeVolumeOverBudget).
    max_codes_per_group_per_window: int = 20
    # A group's share of one account (reviews 3 N1, 4 H1/M1): a client group types at most this many wrong
    # codes a day and gets at most this many codes an hour / a day for the account, whichever identifiers
    # of it its clients type; past its share it is refused openly (423 / 429 with the wait, the bot offers
    # a person), never told "wrong" for a code nobody compared nor "sent" for a code nobody sent.
    # 10 wrong codes: a customer's own typos in two conversations.
    group_share_wrong_codes: int = 10  # per account and group, per guess_window
    group_share_codes_per_window: int = 3  # per account and group, per code_rate_window (= one client's)
    group_share_codes_per_day: int = 5  # per account and group, per guess_window
    # A block (an IPv6 /48; an IPv4 address or a LINE user is its own block) is refused past block_shares
    # groups' shares of one account and block_cap_factor times the all-accounts group cap (review 5, N1):
    # one /64 of a carrier's shared /48 spends only its /56's, and the /48's other subscribers keep
    # theirs; one person's whole /48 (a free tunnel) adds at most 3 shares, never the account's bound
    # (review 4, H1). So refusing a first-time customer takes, in IPv4 addresses or LINE users (one share
    # each): 16 (the guessing bound within a day: 5 codes a day per group; 6 groups spend one code's 5 tries
    # to reach the 30 from which every code gets one try, then one try per code: 5N + 24 >= 100), 45 / 3 = 15 (the hourly ceiling; each group's 5 a day hold it for
    # at most about 1.7 hours) or 100 / 5 = 20 (the daily ceiling); in IPv6 /48s (three shares each):
    # 1 + 70 / 15 -> 6, 45 / 9 = 5 or 100 / 15 -> 7. A known client is not held to any of them.
    block_shares: int = 3
    block_cap_factor: int = 4
    # A client that verified an account is known to it for this long: no account-wide limit (ceilings,
    # group caps, the guessing bound) refuses it for that account; its own per-client budgets still hold.
    known_client_seconds: int = 180 * 24 * 60 * 60
    code_rate_window_seconds: int = 60 * 60
    # Decoy hints: the share of accounts without a mobile is measured from the customers table at most
    # this often and rounded to this step, so a decoy's channel does not flip with every new account.
    contact_share_refresh_seconds: int = 60 * 60
    contact_share_step: float = 0.05
    verified_ttl_seconds: int = 15 * 60

    idempotency_ttl_seconds: int = 24 * 60 * 60
    password_reset_ttl_seconds: int = 24 * 60 * 60
    post_eta_days: int = 5
    # RETENTION_DAYS: what the sandbox sent and its verifications are deleted after this many days
    # (`python -m account_api purge`; the same variable as the bot's own retention, bot_server/retention.py).
    retention_days: int = 90
    max_body_bytes: int = 16 * 1024

    password_reset_url: str = "https://sandbox.account.ocn.example/password-reset"
    # The My Page address the mypage method points to; empty (null in the reply) until set, because no
    # My Page address is verified. The bot takes its links from actions/links.py, not from here.
    mypage_url: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, object] = {
            "db_path": Path(env.get("ACCOUNT_API_DB", str(cls.db_path))),
            "host": env.get("ACCOUNT_API_HOST", cls.host),
            "port": int(env.get("ACCOUNT_API_PORT", cls.port)),
            "service_token": env.get("ACCOUNT_API_TOKEN") or DEV_SERVICE_TOKEN,
            "pepper": env.get("ACCOUNT_API_PEPPER") or DEV_PEPPER,
            "encryption_key": env.get("ACCOUNT_API_ENCRYPTION_KEY") or DEV_ENCRYPTION_KEY,
            "mypage_url": env.get("ACCOUNT_API_MYPAGE_URL", "").strip(),
            "dev_endpoints": env.get("ACCOUNT_API_DEV_ENDPOINTS", "1").strip().lower() in _TRUE,
            "access_log": env.get("ACCOUNT_API_ACCESS_LOG", "0").strip().lower() in _TRUE,
            "retention_days": int(env.get("RETENTION_DAYS", "").strip() or cls.retention_days),
            # How long a one-time code works: the bot and the web widget's time-left notice read it from
            # the API's expires_in. Shorter only to test that notice (tests/web/test_web_code_time_left.py).
            "code_ttl_seconds": max(
                10, int(env.get("ACCOUNT_API_CODE_TTL_SECONDS", "").strip() or cls.code_ttl_seconds)
            ),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def refusals(self) -> list[str]:
        """Why this configuration must not serve (empty: it may). Off loopback, the public dev token,
        pepper and encryption key and the dev endpoints (outbox with every code, clock) are refused;
        on loopback (`make run`, tests) they are the development defaults."""
        if is_loopback(self.host):
            return []
        problems = []
        if self.service_token == DEV_SERVICE_TOKEN:
            problems.append("ACCOUNT_API_TOKEN is the public development token")
        if self.pepper == DEV_PEPPER:
            problems.append("ACCOUNT_API_PEPPER is the public development pepper")
        if DEV_ENCRYPTION_KEY in (key.strip() for key in self.encryption_key.split(",")):
            problems.append("ACCOUNT_API_ENCRYPTION_KEY is the public development key")
        if self.dev_endpoints:
            problems.append("the dev endpoints are on (set ACCOUNT_API_DEV_ENDPOINTS=0)")
        return problems

    @property
    def uses_dev_secrets(self) -> bool:
        return (
            self.service_token == DEV_SERVICE_TOKEN
            or self.pepper == DEV_PEPPER
            or DEV_ENCRYPTION_KEY in (key.strip() for key in self.encryption_key.split(","))
        )


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and names that resolve only to them; 0.0.0.0 and :: are every address."""
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
        except OSError:
            return False
