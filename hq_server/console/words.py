"""The console's fixed words: role names, and what a refusal's code means to the reader (the English
msgids; the Chinese is in locale/zh/LC_MESSAGES/console.po). A refusal's own sentence (English, from
the use case) is shown beneath, for support."""

from __future__ import annotations

from hq_server.roles import StaffRole

ROLE_NAMES = {
    StaffRole.ADMIN: "Chain admin",
    StaffRole.OPERATOR: "Operator",
    StaffRole.CUSTOMER_SERVICE: "Customer service",
    StaffRole.FINANCE: "Finance",
    StaffRole.STORE_MANAGER: "Store manager",
}

LOGIN_ERRORS = {
    "bad_login": "Wrong username or password.",
    "account_locked": "Too many wrong passwords: this account is locked until an admin unlocks it.",
    "too_many_attempts": "Too many wrong tries: wait a few minutes and try again.",
    "busy": "Too many sign-ins at once: try again in a moment.",
    "stale_form": "The sign-in form was out of date: please try again.",
    "missing": "Enter your username and password.",
}

ERROR_TITLES = {
    "forbidden": "Not for your role",
    "stale_form": "This form is out of date",
    "not_found": "Not found",
    "http_error": "Not found",
}

ERROR_HINTS = {
    "forbidden": "Your role may not open this page or do this. Ask the chain's admin if you need it.",
    "stale_form": "The page was open too long, or you signed out meanwhile. Reload the page and try again; "
                  "nothing was changed.",
    "not_found": "There is no such page or record.",
}
