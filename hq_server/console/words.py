"""The console's fixed words: role names, and what a refusal's code means to the reader (the English
msgids; the Chinese is in locale/zh/LC_MESSAGES/console.po). A refusal's own sentence (English, from
the use case) is shown beneath, for support."""

from __future__ import annotations

from hq_server.programme.domain_said import resay
from hq_server.programme.refusals import said
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
    "body_too_large": N_("What was sent is too large to take: shorten what was typed, or choose a smaller "
                            "file, and send it again; nothing was changed."),
    "database_unavailable": N_("HQ lost its database for a moment: try again; nothing was changed."),
    "forbidden": N_("Your role may not open this page or do this. Ask the chain's admin if you need it."),
    "stale_form": N_("The page was open too long, or you signed out meanwhile. Reload the page and try again; "
                     "nothing was changed."),
    "not_found": N_("There is no such page or record."),
    # A use case's refusal that reaches the error page (not one beside a form's field): what went wrong and
    # what to do, whatever values its own sentence below holds.
    "invalid_input": N_("This address or form could not be read: go back and try again; nothing was changed."),
    "invalid_field": N_("Check what was typed: what is wrong is written below; nothing was changed."),
    "invalid_body": N_("Check what was typed: what is wrong is written below; nothing was changed."),
    "too_long": N_("Something typed is too long: shorten it and try again; nothing was changed."),
    "bad_filter": N_("This list cannot be filtered like that: clear the filter and try again."),
    "bad_sort": N_("This list cannot be sorted like that: click a column's title to sort it."),
    "bad_search": N_("A search is at most 80 characters: shorten it and search again."),
    "bad_paging": N_("That page of the list does not exist: go back to the list's first page."),
    "bad_period": N_("Choose one of the periods the page offers."),
    "same_person": N_("A second person approves an adjustment: ask a colleague to approve the one you asked for."),
    "second_person": N_("A second person approves an adjustment: ask a colleague to approve the one you asked for."),
    "decided": N_("This request was decided already: reload the page to see how."),
    "not_pending": N_("This request was decided already: reload the page to see how."),
    "frozen": N_("This member is frozen already: nothing was changed."),
    "not_frozen": N_("This member is not frozen: nothing was changed."),
    "merged": N_("This member was merged into another: open the member named below."),
    "member_frozen": N_("This member's account is frozen: unfreeze it first, if that is right."),
    "points_insufficient": N_("The member has too few points for this: check the balance on the member's page."),
    "not_open": N_("This task is closed already: reload the list to see it."),
    "not_by_hand": N_("This kind of task closes by itself once its cause is dealt with, as written below."),
    "already_revoked": N_("This till is revoked already: nothing was changed."),
    "not_locked": N_("This user is not locked: nothing was changed."),
    "order_unknown": N_("There is no such order: check the order number."),
    "order_state": N_("The order is not at the step for this: reload the order to see where it is."),
    "not_delivery": N_("A pickup order is collected at its store: it is not shipped."),
    "order_closed": N_("This order was shipped, collected or cancelled already: it cannot be cancelled."),
    "no_label_key": N_("HQ has no label key to sign labels with: the chain's admin makes one first; "
                       "nothing was changed."),
    "too_large": N_("This record is too large: shorten it and save it again."),
    "not_your_store": N_("A store manager works on their own store only: choose your own store."),
    "staff_elsewhere": N_("This staff id belongs to another store: choose another staff id."),
    "store_unknown": N_("There is no such store: check the store id."),
    "invalid_pin": N_("This PIN cannot be used (why is written below): choose another PIN."),
}

POINT_TYPES = {"consumer": N_("Consumer points"), "guide": N_("Guide points"), "agent": N_("Agent points")}

# an online order's state (hq_server.programme.orders)
ORDER_STATES = {"placed": N_("Placed"), "picking": N_("Picking"), "shipped": N_("Shipped"), "delivered": N_("Delivered"),
                "picked_up": N_("Picked up"), "cancelled": N_("Cancelled")}


# Shared sentences that reach the console's error page as its detail, said again in the reader's language
# (hq_server.guards' 413): a plain English sentence of one of these shapes is said with its figures.
DETAIL_SHAPES = (said("the body is over %(limit)s bytes"),)


def error_detail(message: str) -> str:
    """The error page's detail in the reader's language (its `tr` filter says it): a sentence of
    DETAIL_SHAPES with its figures, and a refused role and the roles a page needs by their names, not their
    codes ("operator")."""
    params = getattr(message, "params", None)
    if params is None:
        sentence = resay(message, DETAIL_SHAPES)
        limit = str(getattr(sentence, "params", {}).get("limit", ""))
        if limit.isdigit() and int(limit) >= 1024:  # a size a person reads: 256 kB, not 262144 bytes
            return said("what was sent is over %(kb)s kB", kb=int(limit) // 1024)
        return sentence
    again: dict[str, object] = dict(params)
    if isinstance(params.get("role"), str) and params["role"] in ROLE_NAMES:
        again["role"] = said(ROLE_NAMES[StaffRole(params["role"])])
    if isinstance(params.get("roles"), str):
        codes = [r.strip() for r in params["roles"].split(",")]
        if codes and all(c in ROLE_NAMES for c in codes):
            names = [said(ROLE_NAMES[StaffRole(c)]) for c in codes]
            joined = names[-1]
            for name in reversed(names[:-1]):
                joined = said("%(one)s, %(more)s", one=name, more=joined)
            again["roles"] = joined
    return said(message.msgid, **again)  # type: ignore[attr-defined]

# a ledger event's kind and state, on a member's statement (pos_app.domain.ledger.Kind; hq_server.models' events)
EVENT_KINDS = {
    "earn": N_("Earned at a till"), "label_earn": N_("Label scan"), "referral_bonus": N_("Referral bonus"),
    "guide_earn": N_("Guide points"), "tier_change": N_("Tier change"), "redeem_hold": N_("Gift held"),
    "redeem_post": N_("Gift redeemed"), "redeem_void": N_("Redemption cancelled"), "lottery_draw": N_("Lottery"),
    "donation": N_("Donation"), "reverse": N_("Refund"), "adjust": N_("Adjustment"), "expire": N_("Expired"),
    "member_register": N_("Member registered"), "member_patch": N_("Details changed"), "member_merge": N_("Members merged"),
}
EVENT_STATES = {"applied": N_("Applied"), "waiting": N_("Waiting for its lot"), "duplicate_serial": N_("Label used twice"),
                "correction": N_("Correction"), "refused": N_("Refused")}

# a coupon's state and kind (hq_server.programme.coupons; the catalogue's coupon types)
COUPON_STATES = {"active": N_("Usable"), "used": N_("Used"), "void": N_("Void")}
COUPON_KINDS = {"amount": N_("Amount off"), "percent": N_("Percent off")}
# a catalogue record's choice field's values (hq_server.programme.catalogue_admin: a coupon type's kind)
CHOICE_WORDS = COUPON_KINDS

# why a member's tier changed (a till's tier_change event)
TIER_REASONS = {"upgrade": N_("Upgrade")}

# a conflict task's kind (hq_server.ledger: the merge rules' flags and tasks)
CONFLICT_KINDS = {
    "member_code_reused": N_("Member code used twice"), "label_unverified": N_("Label not issued by HQ"),
    "rule_not_yet_effective": N_("Rules not yet in force"), "stale_rule": N_("Old rules used"),
    "clock_skew": N_("Till clock off"), "future_time": N_("Time in the future"),
    "waiting_for_original": N_("Waiting for the original event"), "original_arrived": N_("Original event arrived"),
    "same_phone": N_("Same phone, two members"), "coupon_used_twice": N_("Coupon used twice"),
    "pickup_collected": N_("Pickup collected twice"), "pickup_used_twice": N_("Pickup used twice"),
    "stock_short": N_("Gift stock short"), "till_authority": N_("Till's authority refused"),
    "wrong_member_pin": N_("Wrong member PIN"),
}

# what an audit log entry records (hq_server.programme.audit's actions, as the use cases write them)
AUDIT_ACTIONS = {
    "catalog.create": N_("Record created"), "catalog.change": N_("Record changed"),
    "catalog.remove": N_("Record removed"), "charity.put": N_("Charity saved"),
    "conflict.resolve": N_("Conflict resolved"), "coupon.general": N_("Coupon issued"),
    "game.put": N_("Points game settings saved"), "labels.batch": N_("Label batch made"),
    "member.adjust": N_("Points adjusted"), "member.adjust_requested": N_("Adjustment asked for"),
    "member.adjust_approved": N_("Adjustment approved"), "member.adjust_refused": N_("Adjustment refused"),
    "member.freeze": N_("Member frozen"), "member.unfreeze": N_("Member unfrozen"),
    "member.merge": N_("Members merged"), "offline_limits.set": N_("Offline limits set"),
    "order.cancel": N_("Order cancelled"), "order.delivered": N_("Order delivered"),
    "order.pick": N_("Order picking"), "order.ship": N_("Order shipped"),
    "programme.level_rewards": N_("Network rewards saved"), "programme.point_policies": N_("Withdrawal policies saved"),
    "rules.publish": N_("Rules published"), "staff.create": N_("Store staff added"),
    "staff.change": N_("Store staff changed"), "stock.allot": N_("Stock allotted"), "stock.move": N_("Stock moved"),
    "store.create": N_("Store created"), "store.enrolment_token": N_("Enrolment token made"),
    "till.revoke": N_("Till revoked"), "user.create": N_("User created"), "user.change": N_("User changed"),
    "user.end_sessions": N_("User's sessions ended"), "user.unlock": N_("User unlocked"),
    "withdrawal.approve": N_("Withdrawal approved"), "withdrawal.export": N_("Payment file exported"),
    "withdrawal.refuse": N_("Withdrawal refused"),
}
