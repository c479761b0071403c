"""The console's fixed words: role names, and what a refusal's code means to the reader (the English
msgids; the Chinese is in locale/zh/LC_MESSAGES/console.po). A refusal's own sentence (English, from
the use case) is shown beneath, for support."""

from __future__ import annotations

from hq_server.roles import StaffRole
from hq_server.web.i18n import N_

ROLE_NAMES = {
    StaffRole.ADMIN: N_("Chain admin"),
    StaffRole.OPERATOR: N_("Operator"),
    StaffRole.CUSTOMER_SERVICE: N_("Customer service"),
    StaffRole.FINANCE: N_("Finance"),
    StaffRole.STORE_MANAGER: N_("Store manager"),
}

LOGIN_ERRORS = {
    "bad_login": N_("Wrong username or password."),
    "account_locked": N_("Too many wrong passwords: this account is locked until an admin unlocks it."),
    "too_many_attempts": N_("Too many wrong tries: wait a few minutes and try again."),
    "busy": N_("Too many sign-ins at once: try again in a moment."),
    "stale_form": N_("The sign-in form was out of date: please try again."),
    "missing": N_("Enter your username and password."),
}

ERROR_TITLES = {
    "forbidden": N_("Not for your role"),
    "stale_form": N_("This form is out of date"),
    "not_found": N_("Not found"),
    "http_error": N_("Not found"),
}

ERROR_HINTS = {
    "forbidden": N_("Your role may not open this page or do this. Ask the chain's admin if you need it."),
    "stale_form": N_("The page was open too long, or you signed out meanwhile. Reload the page and try again; "
                     "nothing was changed."),
    "not_found": N_("There is no such page or record."),
}

POINT_TYPES = {"consumer": N_("Consumer points"), "guide": N_("Guide points"), "agent": N_("Agent points")}

# an online order's state (hq_server.programme.orders)
ORDER_STATES = {"placed": N_("Placed"), "picking": N_("Picking"), "shipped": N_("Shipped"), "delivered": N_("Delivered"),
                "picked_up": N_("Picked up"), "cancelled": N_("Cancelled")}
