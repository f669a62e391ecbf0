"""Every URL the bot shows. Base URLs come from the environment (actions/settings.py)."""

from __future__ import annotations

from actions.settings import load_settings

# Paths below the My Page / help-site base URLs, by what the customer wants to do.
_MYPAGE_PATHS: dict[str, str] = {
    "mypage_top": "/",
    "check_customer_number": "/info/customer-number",
    "check_ocn_id": "/info/ocn-id",
    "forgot_ocn_id_password": "/password/reset",
    "change_ocn_id": "/ocn-id/change",
    "change_ocn_id_password": "/password/change",
    "check_login_history": "/security/login-history",
    "link_d_account": "/d-account/link",
    "register_mypage": "/register",
    "check_connection_id": "/connection-id/show",
    "change_connection_id_password": "/connection-id/password/change",
}
_HELP_PATHS: dict[str, str] = {
    "help_id_password": "/id-password/",
    "contact": "/contact/",
}


def link(key: str) -> str | None:
    """The URL for a topic key (an intent name or a key above), or None if it has none."""
    settings = load_settings()
    if key in _MYPAGE_PATHS:
        return settings.mypage_base_url + _MYPAGE_PATHS[key]
    if key in _HELP_PATHS:
        return settings.help_base_url + _HELP_PATHS[key]
    return None
