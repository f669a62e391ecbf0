"""What a verified customer can have done: the account summary, a password-reset link, the connection
credentials (SMS / post / My Page), the customer number, the OCN ID and the login history.

Each call first checks the conversation's verification (401 otherwise) and writes an audit entry.
"""

from __future__ import annotations

from typing import Any

from . import messages
from .clock import Clock, iso_jst
from .errors import ApiError
from .identifiers import mask_address, mask_customer_number, mask_mail
from .outbox import Outbox, mask_destination
from .records import Customer
from .security import SecretBox, constant_time_equals, keyed_hash, new_token
from .settings import Settings
from .store import Store

LOGIN_HISTORY_SIZE = 10
MYPAGE_SECTION = "ご契約内容の確認 ＞ 接続用ID・接続用パスワード"


class ProcedureService:
    def __init__(self, store: Store, settings: Settings, clock: Clock, box: SecretBox, outbox: Outbox) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.box = box
        self.outbox = outbox

    def account_summary(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        c = self._verified_customer(verification_id, conversation_id, "account.summary")
        self._audit_ok("account.summary", verification_id, conversation_id, c)
        return {
            "customer_number_masked": mask_customer_number(c.customer_number),
            "ocn_id_masked": mask_mail(c.ocn_id),
            "connection_id_masked": mask_mail(c.connection_id),
            "contact_channel": c.contact_channel,
            "contact_masked": mask_destination(c.contact_channel, c.contact_destination),
            "has_mobile": c.mobile is not None,
            "address_masked": mask_address(c.address_region),
        }

    def password_reset(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        s, now = self.settings, self.clock.now()
        c = self._verified_customer(verification_id, conversation_id, "procedure.password_reset")
        token = new_token()
        self.store.accounts.add_password_reset(
            keyed_hash(s.pepper, "password-reset", token), c.customer_number, now, now + s.password_reset_ttl_seconds
        )
        link = f"{s.password_reset_url}?token={token}"
        sent = self.outbox.send_to_contact(c, messages.password_reset(link, s.password_reset_ttl_seconds // 3600))
        self._audit_ok("procedure.password_reset", verification_id, conversation_id, c, sent["channel"])
        return sent

    def connection_credentials(self, verification_id: str, conversation_id: str, method: str) -> dict[str, Any]:
        event = "procedure.connection_credentials"
        c = self._verified_customer(verification_id, conversation_id, event)
        if method == "mypage":
            self._audit_ok(event, verification_id, conversation_id, c, method)
            return {
                "method": "mypage",
                "destination_masked": None,
                "mypage_url": self.settings.mypage_url or None,
                "mypage_section": MYPAGE_SECTION,
            }
        if method == "sms" and not c.mobile:
            self._audit(event, "no_mobile", verification_id, conversation_id, c, method)
            raise ApiError(
                400, "no_mobile", "SMSを受け取れる携帯電話番号が登録されていません。郵送かマイページをご利用ください。"
            )
        # 「確認」: the customer is told the *current* password. Issuing a new one would break a router that
        # works today at its next reconnect, so the stored password is decrypted, never replaced.
        encrypted = self.store.accounts.connection_password_encrypted(c.customer_number)
        assert encrypted is not None  # every customer row has one (NOT NULL)
        message = messages.connection_credentials(c.connection_id, self.box.decrypt(encrypted))
        if method == "sms":
            assert c.mobile is not None
            result = self.outbox.send(c, "sms", c.mobile, message)
        else:
            result = self.outbox.send(c, "post", c.postal_address, message)
            result["eta_days"] = self.settings.post_eta_days
        self._audit_ok(event, verification_id, conversation_id, c, method)
        return {"method": method, **result}

    def send_customer_number(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        c = self._verified_customer(verification_id, conversation_id, "procedure.customer_number")
        sent = self.outbox.send_to_contact(c, messages.customer_number(c.customer_number))
        self._audit_ok("procedure.customer_number", verification_id, conversation_id, c, sent["channel"])
        return {**sent, "customer_number_masked": mask_customer_number(c.customer_number)}

    def send_ocn_id(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        c = self._verified_customer(verification_id, conversation_id, "procedure.ocn_id")
        sent = self.outbox.send_to_contact(c, messages.ocn_id(c.ocn_id))
        self._audit_ok("procedure.ocn_id", verification_id, conversation_id, c, sent["channel"])
        return {**sent, "ocn_id_masked": mask_mail(c.ocn_id)}

    def login_history(self, verification_id: str, conversation_id: str) -> dict[str, Any]:
        c = self._verified_customer(verification_id, conversation_id, "account.login_history")
        rows = self.store.accounts.recent_logins(c.customer_number, LOGIN_HISTORY_SIZE)
        logins = [
            {
                "time": iso_jst(r["at"]),
                "region": r["region"],
                "device": r["device"],
                "success": bool(r["success"]),
                "unfamiliar": bool(r["unfamiliar"]),
            }
            for r in rows
        ]
        self._audit_ok("account.login_history", verification_id, conversation_id, c)
        return {"logins": logins, "unfamiliar_count": sum(1 for x in logins if x["unfamiliar"])}

    def _verified_customer(self, verification_id: str, conversation_id: str, event: str) -> Customer:
        now = self.clock.now()
        v = self.store.verifications.get(verification_id)
        ok = (
            v is not None
            and v.status == "verified"
            and v.customer_number is not None
            and constant_time_equals(v.conversation_id, conversation_id)
            and v.verified_until is not None
            and now < v.verified_until
        )
        customer = self.store.accounts.by_number(v.customer_number) if ok and v and v.customer_number else None
        if customer is None:
            self._audit(event, "not_verified", verification_id, conversation_id)
            raise ApiError(401, "not_verified", "ご本人確認が済んでいないか、有効期限（15分）が切れています。")
        return customer

    def _audit_ok(
        self, event: str, verification_id: str, conversation_id: str, c: Customer, detail: str | None = None
    ) -> None:
        self._audit(event, "ok", verification_id, conversation_id, c, detail)

    def _audit(
        self,
        event: str,
        result: str,
        verification_id: str,
        conversation_id: str,
        c: Customer | None = None,
        detail: str | None = None,
    ) -> None:
        self.store.audit_log.add(
            now=self.clock.now(),
            event=event,
            result=result,
            conversation_id=conversation_id,
            verification_id=verification_id,
            customer_number=c.customer_number if c else None,
            detail=detail,
        )
