"""The mall's fixed words (English msgids; the Chinese is in locale/zh/LC_MESSAGES/mall.po): the tab
bar, the names of ledger kinds in a statement, help topics, and what a refusal's code means to a
member. The use case's own sentence (English) is not shown to members: the hint is."""

from __future__ import annotations

from hq_server.web.i18n import N_

# (path, label, icon): the bottom tab bar; the member code sits in the middle, one tap from every page
TABS = (("/m/", N_("Home"), "home"), ("/m/mall", N_("Gifts"), "gift"), ("/m/code", N_("Member code"), "qr"),
        ("/m/statement", N_("Statement"), "list"), ("/m/me", N_("Me"), "user"))

KIND_NAMES = {
    "earn": N_("Purchase"), "label_earn": N_("Label scan"), "referral_bonus": N_("Referral bonus"),
    "guide_earn": N_("Guide points"), "tier_change": N_("Tier change"), "redeem_hold": N_("Gift held for pickup"),
    "redeem_post": N_("Redeemed"), "redeem_void": N_("Redemption cancelled"), "lottery_draw": N_("Lottery"),
    "donation": N_("Donation"), "reverse": N_("Refund"), "adjust": N_("Adjustment"), "expire": N_("Expired"),
    "member_merge": N_("Members merged"),
    # earn events that were not a purchase (programme.statement.PURPOSES)
    "lottery_prize": N_("Lottery prize"), "game_award": N_("Grab the rice"),
}

TOPIC_NAMES = {"points": N_("Points"), "order": N_("Orders and gifts"), "account": N_("My account"),
               "store": N_("A store"), "other": N_("Something else")}

STATUS_NAMES = {"open": N_("Waiting for an answer"), "answered": N_("Answered"), "closed": N_("Closed")}

ERROR_TITLES = {
    "body_too_large": N_("Photo too large"),
    "database_unavailable": N_("Busy for a moment"),
    "stale_form": N_("This page is out of date"),
    "not_found": N_("Not found"),
    "http_error": N_("Not found"),
}

# A refusal's code -> what the member reads (every use case of the mall; unknown codes get the default)
ERROR_HINTS = {
    "body_too_large": N_("What you sent is too large: a photo can be at most 8 MB. Choose a smaller one."),
    "database_unavailable": N_("The mall is busy for a moment: try again; nothing was changed."),
    "invalid_phone": N_("A phone number is 11 digits starting with 1."),
    "invalid_code": N_("The code is the 6 digits in the text message."),
    "no_code": N_("Ask for a code first."),
    "code_expired": N_("This code has expired or was used: ask for a new one."),
    "wrong_code": N_("Wrong code: check the text message and type it again."),
    "too_many_attempts": N_("Too many wrong tries: wait a few minutes and try again."),
    "sms_too_soon": N_("A code was just sent: wait a minute before asking again."),
    "sms_limit": N_("Too many codes asked for: try again later."),
    "sms_failed": N_("The text message could not be sent just now: try again in a minute."),
    "referrer_unknown": N_("No member has this referral code: check it, or leave it empty."),
    "invalid_name": N_("A name is 1 to 40 characters."),
    "invalid_pin": N_("A PIN is 4 to 8 digits."),
    "pins_differ": N_("The two new PINs differ: type the same PIN twice."),
    "pin_needs_proof": N_("Type your current PIN, or sign in again with a text message code to set a new one."),
    "wrong_pin": N_("The current PIN is wrong."),
    "busy": N_("Too busy just now: try again in a moment."),
    "pin_changed_meanwhile": N_("Your PIN was changed meanwhile: try again."),
    "needs_fresh_sign_in": N_("Confirm with a text message code to turn on the member code on this phone."),
    "invalid_key": N_("This phone's key could not be used: reload the page."),
    "invalid_proof": N_("This phone's clock looks wrong: set it to the network time and reload."),
    "member_unknown": N_("This account is no longer in use: sign in again."),
    "invalid_topic": N_("Choose what your message is about."),
    "invalid_message": N_("Write your message as plain text, 1 to 1,000 characters."),
    "too_many_tickets": N_("You have sent as many messages as a day allows: customer service will answer them; "
                           "you can write again tomorrow."),
    "invalid_filter": N_("Those filters do not fit together: check the dates."),
    "stale_form": N_("The page was open too long, or you signed out meanwhile. Reload it and try again; "
                     "nothing was changed."),
    "too_long": N_("Something you typed is too long: shorten it and try again; nothing was changed."),
    "not_found": N_("There is no such page."),
    # what the faces' error page itself answers (hq_server.web.faces): an address that is not a page, or
    # one whose values cannot be read
    "http_error": N_("There is no such page."),
    "invalid_input": N_("This address or form could not be read: go back and try again; nothing was changed."),
    # any write that goes through HQ's ledger (a scan, a draw, a play, a donation)
    "member_merged": N_("This account was merged into another one: sign in again with your phone number."),
    "not_recorded": N_("HQ could not record this just now: try again in a minute; nothing was changed."),
    "invalid_event": N_("HQ could not record this just now: try again in a minute; nothing was changed."),
    "bad_rules": N_("The points rules are being updated: try again later; nothing was changed."),
    # scanning a label
    "label_unreadable": N_("No code could be read: take the photo again closer, in good light, the QR code sharp."),
    "not_a_label": N_("This is not a product label's QR code: scan the QR code on the label."),
    "label_damaged": N_("The label's code is damaged or only partly read: scan it again."),
    "label_forged": N_("This label was not issued by the chain: it earns no points."),
    "label_unissued": N_("This label is not in the chain's records: ask customer service."),
    "label_claimed": N_("This label already earned its points, here or at a store."),
    "label_yours": N_("This label already earned you its points."),
    "member_frozen": N_("Your account is frozen: customer service can tell you why."),
    "not_a_photo": N_("That file is not a photo: take a photo of the label."),
    "photo_too_large": N_("The photo is too large: take it again, or choose a smaller one."),
    # campaigns
    "not_enough_points": N_("You do not have enough points for this yet (points just earned may be locked a few days)."),
    "lottery_unknown": N_("This lottery is not open any more."),
    "no_draws_left": N_("No draws left today: come back tomorrow."),
    "prizes_given_out": N_("Today's prizes are all given out: come back tomorrow."),
    "charity_unknown": N_("Choose one of the charities listed."),
    "invalid_points": N_("Give a whole number of points, 1 to 100,000."),
    "game_closed": N_("The game is closed just now."),
    "no_plays_left": N_("No plays left today: come back tomorrow."),
    "ticket_forged": N_("This play was not started here: start a new play."),
    "play_over": N_("This play's result was already counted."),
    "invalid_catches": N_("The play's result could not be read: start a new play."),
    # the gift mall and exchange orders (programme.orders, programme.gift_shelf)
    "gift_unknown": N_("This gift is not on offer any more."),
    "gift.unknown": N_("This gift is not on offer any more."),
    "points.insufficient": N_("You do not have enough points for this yet (points just earned may be locked a few days)."),
    "gift.out_of_stock": N_("Sold out where you chose: choose another store, fewer, or delivery."),
    "gift.limit": N_("You have reached this gift's limit per member."),
    "gift.bad_qty": N_("Choose how many, 1 to 20."),
    "gift.tier": N_("This gift is for a higher tier."),
    "gift.inactive": N_("This gift is not on offer any more."),
    "gift.not_started": N_("This exchange has not started yet."),
    "gift.ended": N_("This limited-time exchange has ended."),
    "invalid_qty": N_("Choose how many, 1 to 20."),
    "invalid_store_id": N_("Choose the store where you will pick it up."),
    "invalid_mode": N_("Choose pickup at a store or delivery."),
    "invalid_address": N_("Choose an address to deliver to, or add one."),
    "invalid_address_text": N_("Write the whole address, 5 to 200 characters."),
    "invalid_idempotency_key": N_("This page is out of date: reload it and try again; nothing was changed."),
    "order_unknown": N_("There is no such order."),
    "order_closed": N_("This order was already shipped, collected or cancelled: it cannot be cancelled."),
    "address_unknown": N_("This address is not in your address book."),
    "address_book_full": N_("Your address book is full: delete an address first."),
    # coupons
    "coupon_type_unknown": N_("This coupon is not on offer any more."),
    "coupon_unknown": N_("There is no such coupon."),
    "points_insufficient": N_("You do not have enough points for this yet (points just earned may be locked a few days)."),
    "idempotency_key_used": N_("This page is out of date: reload it and try again; nothing was changed."),
    # withdrawals
    "withdraw_not_allowed": N_("These points cannot be withdrawn as cash."),
    "withdraw_too_small": N_("A withdrawal is at least the smallest amount shown."),
    "invalid_body": N_("Check what you typed: nothing was changed."),
}
# The error page's way back to the page the member came from (faces' error page: mall/pages.way_back), named
# for what they do there; "Go back" when the code has no better name.
BACK_WORDS = {"body_too_large": N_("Choose another photo"), "stale_form": N_("Reload the page")}
GO_BACK = N_("Go back")
TRY_AGAIN = N_("Try again")
DEFAULT_HINT = N_("That did not work; nothing was changed.")
DEFAULT_TITLE = N_("Not done")
# flash messages (shown once after a redirect; translated when shown)
PIN_SAVED = N_("PIN saved: the tills ask for it from now on.")
MESSAGE_SENT = N_("Thank you: customer service will answer here soon.")
DONATED = N_("Thank you: %(n)s points donated.")
ORDER_CANCELLED = N_("Order cancelled: %(n)s points are back in your account.")
ADDRESS_SAVED = N_("Address saved.")
ADDRESS_DELETED = N_("Address deleted.")
COUPON_BOUGHT = N_("Coupon bought: show it at the counter of any store.")
WITHDRAWAL_SENT = N_("Withdrawal requested: HQ's finance will check it.")

ORDER_STATUS = {"placed": N_("To collect"), "picking": N_("Being packed"), "shipped": N_("Shipped"),
                "delivered": N_("Delivered"), "picked_up": N_("Collected"), "cancelled": N_("Cancelled")}
ORDER_STATUS_DELIVERY_PLACED = N_("To ship")
WITHDRAWAL_STATUS = {"pending": N_("Being checked"), "approved": N_("Approved: to be paid"),
                     "refused": N_("Refused: points returned")}
POINT_TYPES = {"consumer": N_("Points"), "agent": N_("Referral points"), "guide": N_("Guide points")}


def hint(code: str) -> str:
    return ERROR_HINTS.get(code, DEFAULT_HINT)

# why a gift's page says the member cannot exchange it now (programme.gift_shelf.GiftPage.reasons)
GIFT_REASONS = {"gift_inactive": N_("This gift is not on offer any more."),
                "gift_ended": N_("This limited-time exchange has ended."),
                "gift_soon": N_("This exchange has not started yet."),
                "gift_tier": N_("This gift is for a higher tier."),
                "gift_sold_out": N_("Sold out for now."),
                "gift_limit": N_("You have reached this gift's limit per member."),
                "points_short": N_("You do not have enough points for this yet.")}
