"""Every URL the bot and the help-site page show, from one place.

The help page is the only OCN address known to exist (`VERIFIED_HELP_PAGE_URL`), so it is the link of
every answer by default. Deeper pages (My Page screens, the contact page) are deployment settings: an
operator who has checked an address sets its environment variable; until then the answer links to the
help page, which leads to all of them. `make run` prints the variables still unset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from actions.settings import VERIFIED_HELP_PAGE_URL, load_settings

HELP_PAGE = "help_id_password"


@dataclass(frozen=True)
class DeepLink:
    variable: str  # environment variable that holds the URL
    page: str  # what the page must be, for the operator who sets it


# Keys are intent names (actions.topics) or the names used by the actions and the web page.
DEEP_LINKS: dict[str, DeepLink] = {
    "mypage_top": DeepLink("OCN_LINK_MYPAGE_TOP", "OCN マイページのトップ（ログイン画面）"),
    "check_customer_number": DeepLink("OCN_LINK_CHECK_CUSTOMER_NUMBER", "お客さま番号を確認する手順"),
    "check_ocn_id": DeepLink("OCN_LINK_CHECK_OCN_ID", "OCN ID（OCNメールアドレス）を確認する手順"),
    "forgot_ocn_id_password": DeepLink(
        "OCN_LINK_RESET_OCN_ID_PASSWORD", "OCN ID（OCNメールアドレス）のパスワードを再設定する手順"
    ),
    "change_ocn_id": DeepLink("OCN_LINK_CHANGE_OCN_ID", "OCN ID（OCNメールアドレス）を変更する手順"),
    "change_ocn_id_password": DeepLink(
        "OCN_LINK_CHANGE_OCN_ID_PASSWORD", "OCN ID（OCNメールアドレス）のパスワードを変更する手順"
    ),
    "check_login_history": DeepLink("OCN_LINK_LOGIN_HISTORY", "OCN IDのログイン履歴を確認する手順"),
    "link_d_account": DeepLink("OCN_LINK_D_ACCOUNT", "OCN IDとdアカウントの連携"),
    "register_mypage": DeepLink("OCN_LINK_REGISTER_MYPAGE", "OCN マイページの利用登録"),
    "check_connection_id": DeepLink(
        "OCN_LINK_CHECK_CONNECTION_ID", "OCN接続用ID（認証ID）とパスワードを確認する手順（マイページ・郵送・SMS）"
    ),
    "change_connection_id_password": DeepLink(
        "OCN_LINK_CHANGE_CONNECTION_ID_PASSWORD", "OCN接続用ID（認証ID）のパスワードを変更する手順"
    ),
    "contact": DeepLink("OCN_LINK_CONTACT", "OCNのお問い合わせ窓口"),
}


CONTACT = "contact"
# Responses whose text calls a link the contact page (「OCNのお問い合わせ窓口はこちら」): each has a
# `_no_link` twin in domain.yml that names where to turn without a link. While OCN_LINK_CONTACT is
# unset the link would lead back to the help page, so the twin is sent (issue 20).
CONTACT_RESPONSES = frozenset(
    {
        "utter_note_letter_reissue",
        "utter_receiving_details_not_on_page",
        "utter_code_contact_unusable",
        "utter_procedure_details_not_on_page",
        "utter_answer_request_human",
        "utter_answer_out_of_scope",
        "utter_fallback",
        "utter_handoff_outside_hours",
        "utter_handoff_no_operator",
        "utter_handoff_unavailable",
        "utter_handoff_queue_full",
        "utter_handoff_needs_private_chat",
        "utter_handoff_wait_contact",
        "utter_handoff_timed_out",
    }
)
NO_LINK_SUFFIX = "_no_link"


def _variables() -> tuple[str, ...]:
    return tuple(deep.variable for deep in DEEP_LINKS.values())


def link(key: str | None, env: Mapping[str, str] | None = None) -> str:
    """The URL for a topic key: its deep link when an operator set one, otherwise the help page.

    None or "" (a topic without a page of its own) and "help_id_password" give the help page; any
    other unknown key is a programming error (KeyError) rather than a silent wrong link.
    """
    settings = load_settings(env, _variables())
    if not key or key == HELP_PAGE:
        return settings.help_page_url
    deep = DEEP_LINKS[key]
    return settings.deep_links.get(deep.variable, settings.help_page_url)


def has_contact_page(env: Mapping[str, str] | None = None) -> bool:
    """True once an operator has set the contact page (OCN_LINK_CONTACT)."""
    return DEEP_LINKS[CONTACT].variable in load_settings(env, _variables()).deep_links


def contact_response(response: str, env: Mapping[str, str] | None = None) -> str:
    """The response to send: a contact-page response's `_no_link` twin while no contact page is set."""
    if response in CONTACT_RESPONSES and not has_contact_page(env):
        return response + NO_LINK_SUFFIX
    return response


def all_links(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every key with the URL it leads to now (for the web page)."""
    return {HELP_PAGE: link(HELP_PAGE, env), **{key: link(key, env) for key in DEEP_LINKS}}


def unset_links(env: Mapping[str, str] | None = None) -> list[DeepLink]:
    """Deep links no operator has set yet: their answers point to the help page."""
    settings = load_settings(env, _variables())
    return [deep for deep in DEEP_LINKS.values() if deep.variable not in settings.deep_links]


def describe_unset_links(env: Mapping[str, str] | None = None) -> str:
    """Lines for `make run`: which links lead to the help page because their variable is unset."""
    unset = unset_links(env)
    help_url = link(HELP_PAGE, env)
    source = "verified" if help_url == VERIFIED_HELP_PAGE_URL else "OCN_HELP_PAGE_URL"
    if not unset:
        return f"Links: every deep link is set; help page {help_url} ({source})."
    lines = [f"Links: {len(unset)} deep link(s) unset, so those answers link to the help page {help_url} ({source}):"]
    lines += [f"  {deep.variable:<40} {deep.page}" for deep in unset]
    lines.append("  Set a variable only to an address you have checked (see docs/links.md).")
    return "\n".join(lines)
