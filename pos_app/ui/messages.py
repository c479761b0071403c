"""Refusals in the cashier's language.

Services refuse with stable codes and English messages (for logs and the CLI). The
screen shows the translated sentence for a known code, with the English message's
figures kept by showing it underneath when the code carries numbers.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from pos_app.domain.problems import Refused


def _t(text: str) -> str:
    return QCoreApplication.translate("Refusal", text)


# QT_TRANSLATE_NOOP marks each text for lupdate; translation happens when shown.
_TEXTS = {
    "pin.wrong": QT_TRANSLATE_NOOP("Refusal", "Wrong PIN."),
    "pin.locked": QT_TRANSLATE_NOOP("Refusal", "Too many wrong PINs: locked for five minutes."),
    "pin.format": QT_TRANSLATE_NOOP("Refusal", "A PIN is 4 to 8 digits."),
    "staff.unknown": QT_TRANSLATE_NOOP("Refusal", "Unknown staff member."),
    "approval.required": QT_TRANSLATE_NOOP("Refusal", "A manager's PIN is needed for this."),
    "approval.wrong_pin": QT_TRANSLATE_NOOP("Refusal", "That is not a manager's PIN."),
    "member.not_found": QT_TRANSLATE_NOOP("Refusal", "No member found."),
    "member.unknown": QT_TRANSLATE_NOOP("Refusal", "No member found."),
    "member.query": QT_TRANSLATE_NOOP("Refusal", "Type a phone number (11 digits), a card number (12 digits) or a referral code."),
    "member.exists": QT_TRANSLATE_NOOP("Refusal", "A member with this phone number already exists."),
    "member.phone": QT_TRANSLATE_NOOP("Refusal", "That is not a mobile phone number."),
    "member.name": QT_TRANSLATE_NOOP("Refusal", "Type the member's name."),
    "member.wrong_pin": QT_TRANSLATE_NOOP("Refusal", "Wrong member PIN."),
    "member.no_pin": QT_TRANSLATE_NOOP("Refusal", "This member has no PIN: scan the member's dynamic code."),
    "member.referrer": QT_TRANSLATE_NOOP("Refusal", "No member has this referral code."),
    "member.proof_required": QT_TRANSLATE_NOOP("Refusal", "A new phone number or PIN needs the member's PIN or their dynamic code."),
    "member.code_scan": QT_TRANSLATE_NOOP("Refusal", "Scan the member's dynamic code on their phone."),
    "member.no_proof_key": QT_TRANSLATE_NOOP("Refusal", "Sync with HQ first, or scan the member's dynamic code."),
    "member.card_check": QT_TRANSLATE_NOOP("Refusal", "The card number's check digit is wrong."),
    "product.unknown": QT_TRANSLATE_NOOP("Refusal", "Unknown product code."),
    "product.code": QT_TRANSLATE_NOOP("Refusal", "Scan or type a product code."),
    "offline.window_over": QT_TRANSLATE_NOOP("Refusal", "Offline for longer than HQ allows: redeeming is paused until this till syncs."),
    "offline.limit": QT_TRANSLATE_NOOP("Refusal", "Over the offline redemption limit for this member."),
    "cart.empty": QT_TRANSLATE_NOOP("Refusal", "The cart is empty."),
    "cart.bad_qty": QT_TRANSLATE_NOOP("Refusal", "That quantity is not allowed."),
    "cart.too_large": QT_TRANSLATE_NOOP("Refusal", "The sale is too large."),
    "cart.too_many_lines": QT_TRANSLATE_NOOP("Refusal", "Too many lines in one sale."),
    "coupon.unknown": QT_TRANSLATE_NOOP("Refusal", "Unknown coupon."),
    "coupon.used": QT_TRANSLATE_NOOP("Refusal", "This coupon was already used."),
    "coupon.expired": QT_TRANSLATE_NOOP("Refusal", "This coupon has expired."),
    "coupon.min_spend": QT_TRANSLATE_NOOP("Refusal", "The sale is below this coupon's minimum spend."),
    "coupon.not_owner": QT_TRANSLATE_NOOP("Refusal", "This coupon belongs to another member."),
    "coupon.no_member": QT_TRANSLATE_NOOP("Refusal", "Scan the member first to use a coupon."),
    "coupon.duplicate": QT_TRANSLATE_NOOP("Refusal", "This coupon is already applied."),
    "cash.no_member": QT_TRANSLATE_NOOP("Refusal", "Scan the member first to pay with points."),
    "cash.over_share": QT_TRANSLATE_NOOP("Refusal", "Points can pay only part of this bill."),
    "cash.step": QT_TRANSLATE_NOOP("Refusal", "Points pay in whole steps only."),
    "cash.bad_points": QT_TRANSLATE_NOOP("Refusal", "That is not a number of points."),
    "points.insufficient": QT_TRANSLATE_NOOP("Refusal", "Not enough points."),
    "points.not_positive": QT_TRANSLATE_NOOP("Refusal", "Type a number of points above zero."),
    "gift.out_of_stock": QT_TRANSLATE_NOOP("Refusal", "This gift is out of stock."),
    "gift.ended": QT_TRANSLATE_NOOP("Refusal", "This gift's offer has ended."),
    "gift.not_started": QT_TRANSLATE_NOOP("Refusal", "This gift's offer has not started yet."),
    "gift.limit": QT_TRANSLATE_NOOP("Refusal", "The member has reached this gift's limit."),
    "gift.tier": QT_TRANSLATE_NOOP("Refusal", "This gift needs a higher tier."),
    "gift.inactive": QT_TRANSLATE_NOOP("Refusal", "This gift is no longer offered."),
    "gift.unknown": QT_TRANSLATE_NOOP("Refusal", "Unknown gift."),
    "scan.empty": QT_TRANSLATE_NOOP("Refusal", "Scan a code, or type a phone number or product code."),
    "scan.unknown_format": QT_TRANSLATE_NOOP("Refusal", "This is not a code this shop uses."),
    "scan.malformed": QT_TRANSLATE_NOOP("Refusal", "The code is damaged or incomplete: scan it again."),
    "scan.forged": QT_TRANSLATE_NOOP("Refusal", "The code is not signed by a key this store trusts."),
    "scan.tampered": QT_TRANSLATE_NOOP("Refusal", "The code was altered: its signature does not match."),
    "scan.expired": QT_TRANSLATE_NOOP("Refusal", "The code has expired: ask the member to refresh it."),
    "scan.replayed": QT_TRANSLATE_NOOP("Refusal", "This code was already used: ask for a fresh one."),
    "member.code_kind": QT_TRANSLATE_NOOP("Refusal", "Only the member's dynamic code (on the phone) can replace the PIN."),
    "member.code_other": QT_TRANSLATE_NOOP("Refusal", "This dynamic code belongs to another member."),
    "label.not_label": QT_TRANSLATE_NOOP("Refusal", "This is not a product label."),
    "label.points": QT_TRANSLATE_NOOP("Refusal", "The label's points are out of range."),
    "label.serial": QT_TRANSLATE_NOOP("Refusal", "The label has no valid serial number."),
    "pickup.not_pickup": QT_TRANSLATE_NOOP("Refusal", "This is not a pickup code."),
    "pickup.other_store": QT_TRANSLATE_NOOP("Refusal", "This gift is held at another store: it is collected there."),
    "pickup.unknown": QT_TRANSLATE_NOOP("Refusal", "Unknown pickup code."),
    "pickup.closed": QT_TRANSLATE_NOOP("Refusal", "This pickup was already written off or cancelled."),
    "refund.too_many": QT_TRANSLATE_NOOP("Refusal", "More than was sold (or already refunded)."),
    "refund.reason": QT_TRANSLATE_NOOP("Refusal", "Type a reason for the refund."),
    "refund.empty": QT_TRANSLATE_NOOP("Refusal", "Choose what to refund."),
    "sale.unknown": QT_TRANSLATE_NOOP("Refusal", "No sale with this receipt number."),
    "tender.short": QT_TRANSLATE_NOOP("Refusal", "The payment is less than the amount due."),
    "tender.overpaid_card": QT_TRANSLATE_NOOP("Refusal", "A card payment cannot be more than the amount due."),
    "adjust.reason": QT_TRANSLATE_NOOP("Refusal", "Type a reason for the adjustment."),
    "adjust.too_large": QT_TRANSLATE_NOOP("Refusal", "This adjustment is larger than allowed."),
    "label.claimed": QT_TRANSLATE_NOOP("Refusal", "This label has already earned its points."),
}

def refusal_text(exc: Exception) -> str:
    if not isinstance(exc, Refused):
        return QCoreApplication.translate("Refusal", "Something went wrong: %1").replace(
            "%1", f"{type(exc).__name__}: {exc}")
    lines = []
    for p in exc.problems:
        known = _TEXTS.get(p.code)
        lines.append(f"{_t(known)} ({p.message})" if known and p.params else _t(known) if known else p.message)
    return "\n".join(lines)


_KINDS = {
    "earn": QT_TRANSLATE_NOOP("Kind", "Purchase"),
    "label_earn": QT_TRANSLATE_NOOP("Kind", "Label scan"),
    "referral_bonus": QT_TRANSLATE_NOOP("Kind", "Referral bonus"),
    "guide_earn": QT_TRANSLATE_NOOP("Kind", "Guide points"),
    "tier_change": QT_TRANSLATE_NOOP("Kind", "Tier change"),
    "redeem_hold": QT_TRANSLATE_NOOP("Kind", "Redemption (held)"),
    "redeem_post": QT_TRANSLATE_NOOP("Kind", "Redemption"),
    "redeem_void": QT_TRANSLATE_NOOP("Kind", "Redemption cancelled"),
    "lottery_draw": QT_TRANSLATE_NOOP("Kind", "Lottery"),
    "donation": QT_TRANSLATE_NOOP("Kind", "Donation"),
    "reverse": QT_TRANSLATE_NOOP("Kind", "Refund"),
    "adjust": QT_TRANSLATE_NOOP("Kind", "Adjustment"),
    "expire": QT_TRANSLATE_NOOP("Kind", "Expired"),
    "member_register": QT_TRANSLATE_NOOP("Kind", "Registered"),
    "member_patch": QT_TRANSLATE_NOOP("Kind", "Profile edited"),
    "member_merge": QT_TRANSLATE_NOOP("Kind", "Members merged"),
}


def kind_text(kind: str) -> str:
    """An event kind as the statement shows it."""
    known = _KINDS.get(kind)
    return QCoreApplication.translate("Kind", known) if known else kind
