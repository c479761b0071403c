"""Refusals in the cashier's language.

Services refuse with stable codes and English messages (for logs and the CLI). The
screen shows the translated sentence for the code, with the problem's figures filled
into its {placeholders} (money in yuan, counts with thousands separators): never the
English message, in any language (tests/ui/test_counter_items.py checks every code the
services and the domain can raise has a sentence here).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from pos_app.domain.money import format_fen
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
    "product.unknown": QT_TRANSLATE_NOOP("Refusal", "No product has the code {code}."),
    "product.code": QT_TRANSLATE_NOOP("Refusal", "Scan or type a product code."),
    "offline.window_over": QT_TRANSLATE_NOOP("Refusal", "Offline for longer than HQ allows: redeeming is paused until this till syncs."),
    "offline.limit": QT_TRANSLATE_NOOP("Refusal", "Over the offline redemption limit for this member."),
    "cart.empty": QT_TRANSLATE_NOOP("Refusal", "The cart is empty."),
    "cart.bad_qty": QT_TRANSLATE_NOOP("Refusal", "That quantity is not allowed."),
    "cart.too_large": QT_TRANSLATE_NOOP("Refusal", "The sale is too large."),
    "cart.too_many_lines": QT_TRANSLATE_NOOP("Refusal", "Too many lines in one sale."),
    "coupon.unknown": QT_TRANSLATE_NOOP("Refusal", "Unknown coupon {code}."),
    "coupon.used": QT_TRANSLATE_NOOP("Refusal", "Coupon {code} was already used."),
    "coupon.expired": QT_TRANSLATE_NOOP("Refusal", "This coupon has expired."),
    "coupon.min_spend": QT_TRANSLATE_NOOP("Refusal", "The sale is below this coupon's minimum spend."),
    "coupon.not_owner": QT_TRANSLATE_NOOP("Refusal", "This coupon belongs to another member."),
    "coupon.no_member": QT_TRANSLATE_NOOP("Refusal", "Scan the member first to use a coupon."),
    "coupon.duplicate": QT_TRANSLATE_NOOP("Refusal", "This coupon is already applied."),
    "coupon.not_coupon": QT_TRANSLATE_NOOP("Refusal", "This code is not a coupon."),
    "coupon.not_ours": QT_TRANSLATE_NOOP("Refusal", "This coupon was issued elsewhere: show the code it came with."),
    "cash.no_member": QT_TRANSLATE_NOOP("Refusal", "Scan the member first to pay with points."),
    "cash.over_share": QT_TRANSLATE_NOOP("Refusal", "Points can pay at most {limit} of this bill."),
    "cash.step": QT_TRANSLATE_NOOP("Refusal", "Points pay in steps of {step} points."),
    "cash.bad_points": QT_TRANSLATE_NOOP("Refusal", "That is not a number of points."),
    "points.insufficient": QT_TRANSLATE_NOOP("Refusal", "Not enough points: {have} can be spent now, {need} needed."),
    "points.not_positive": QT_TRANSLATE_NOOP("Refusal", "Type a number of points above zero."),
    "gift.out_of_stock": QT_TRANSLATE_NOOP("Refusal", "Not enough in stock: {stock} left."),
    "gift.ended": QT_TRANSLATE_NOOP("Refusal", "This gift's offer has ended."),
    "gift.not_started": QT_TRANSLATE_NOOP("Refusal", "This gift's offer has not started yet."),
    "gift.limit": QT_TRANSLATE_NOOP("Refusal", "The member has reached this gift's limit of {limit}."),
    "gift.tier": QT_TRANSLATE_NOOP("Refusal", "This gift needs a higher tier."),
    "gift.inactive": QT_TRANSLATE_NOOP("Refusal", "This gift is no longer offered."),
    "gift.unknown": QT_TRANSLATE_NOOP("Refusal", "Unknown gift."),
    "scan.empty": QT_TRANSLATE_NOOP("Refusal", "Scan a code, or type a phone number or product code."),
    "scan.unknown_format": QT_TRANSLATE_NOOP("Refusal", "This is not a code this shop uses."),
    "scan.malformed": QT_TRANSLATE_NOOP("Refusal", "The code is damaged or incomplete: scan it again."),
    "scan.forged": QT_TRANSLATE_NOOP("Refusal", "The code is not signed by a key this store trusts."),
    "scan.tampered": QT_TRANSLATE_NOOP("Refusal", "The code was altered: its signature does not match."),
    "scan.check_digit": QT_TRANSLATE_NOOP("Refusal", "The check digit is wrong: a digit was misread or mistyped. Scan it again or check the number."),
    "scan.expired": QT_TRANSLATE_NOOP("Refusal", "The code has expired: ask the member to refresh it."),
    "scan.replayed": QT_TRANSLATE_NOOP("Refusal", "This code was already used: ask for a fresh one."),
    "member.code_kind": QT_TRANSLATE_NOOP("Refusal", "Only the member's dynamic code (on the phone) can replace the PIN."),
    "member.code_other": QT_TRANSLATE_NOOP("Refusal", "This dynamic code belongs to another member."),
    "label.not_label": QT_TRANSLATE_NOOP("Refusal", "This is not a product label."),
    "label.points": QT_TRANSLATE_NOOP("Refusal", "The label's points are out of range."),
    "label.serial": QT_TRANSLATE_NOOP("Refusal", "The label has no valid serial number."),
    "pickup.not_pickup": QT_TRANSLATE_NOOP("Refusal", "This is not a pickup code."),
    "pickup.other_store": QT_TRANSLATE_NOOP("Refusal", "This older pickup code is collected at the store that issued it."),
    # HQ's (the console and the mall show them; a till meets them in a pulled record's problem)
    "network.invalid": QT_TRANSLATE_NOOP("Refusal", "The level rewards are not valid."),
    "network.too_deep": QT_TRANSLATE_NOOP("Refusal", "Rewards reach at most three levels."),
    "policy.invalid": QT_TRANSLATE_NOOP("Refusal", "The point type policy is not valid."),
    "withdraw.not_allowed": QT_TRANSLATE_NOOP("Refusal", "These points cannot be withdrawn."),
    "withdraw.too_small": QT_TRANSLATE_NOOP("Refusal", "This is less than the smallest withdrawal."),
    "guide.unknown": QT_TRANSLATE_NOOP("Refusal", "This badge names no shopping guide of this store."),
    "pickup.unknown": QT_TRANSLATE_NOOP("Refusal", "Unknown pickup code."),
    "pickup.closed": QT_TRANSLATE_NOOP("Refusal", "This pickup was already written off or cancelled."),
    "refund.too_many": QT_TRANSLATE_NOOP("Refusal", "More than was sold (or already refunded)."),
    "refund.reason": QT_TRANSLATE_NOOP("Refusal", "Type a reason for the refund."),
    "refund.empty": QT_TRANSLATE_NOOP("Refusal", "Choose what to refund."),
    "sale.unknown": QT_TRANSLATE_NOOP("Refusal", "No sale with this receipt number."),
    "tender.short": QT_TRANSLATE_NOOP("Refusal", "The payment is {short} less than the amount due."),
    "tender.overpaid_card": QT_TRANSLATE_NOOP("Refusal", "A card payment cannot be more than the amount due."),
    "adjust.reason": QT_TRANSLATE_NOOP("Refusal", "Type a reason for the adjustment."),
    "adjust.too_large": QT_TRANSLATE_NOOP("Refusal", "This adjustment is larger than allowed."),
    "label.claimed": QT_TRANSLATE_NOOP("Refusal", "This label has already earned its points."),
    "adjust.points": QT_TRANSLATE_NOOP("Refusal", "Type a whole number of points, not zero."),
    "cart.bad_price": QT_TRANSLATE_NOOP("Refusal", "This product's price is out of range: check the catalogue."),
    "coupon.bad_type": QT_TRANSLATE_NOOP("Refusal", "This coupon type is not valid."),
    "coupon.unknown_type": QT_TRANSLATE_NOOP("Refusal", "Unknown coupon type."),
    "coupon.void": QT_TRANSLATE_NOOP("Refusal", "Coupon {code} was cancelled."),
    "gift.bad_qty": QT_TRANSLATE_NOOP("Refusal", "That quantity is not allowed."),
    "label.batch_code": QT_TRANSLATE_NOOP("Refusal", "The label batch code is not valid."),
    "label.batch_file": QT_TRANSLATE_NOOP("Refusal", "The label batch file cannot be read."),
    "label.batch_mismatch": QT_TRANSLATE_NOOP("Refusal", "A label in the batch file does not verify: the file was altered."),
    "label.count": QT_TRANSLATE_NOOP("Refusal", "That number of labels is not allowed."),
    "label.key_bad": QT_TRANSLATE_NOOP("Refusal", "The label key is not valid."),
    "label.key_exists": QT_TRANSLATE_NOOP("Refusal", "A label key already exists."),
    "label.key_missing": QT_TRANSLATE_NOOP("Refusal", "No label key: labels are signed at HQ."),
    "label.name": QT_TRANSLATE_NOOP("Refusal", "Type a name for the label batch."),
    "label.prizes": QT_TRANSLATE_NOOP("Refusal", "The prize table is not valid."),
    "label.sku": QT_TRANSLATE_NOOP("Refusal", "Choose a product for the labels."),
    "ledger.non_integer": QT_TRANSLATE_NOOP("Refusal", "Internal check failed: points must be whole numbers."),
    "ledger.unbalanced": QT_TRANSLATE_NOOP("Refusal", "Internal check failed: the postings do not balance."),
    "ledger.zero_posting": QT_TRANSLATE_NOOP("Refusal", "Internal check failed: an empty posting."),
    "lottery.bad_table": QT_TRANSLATE_NOOP("Refusal", "This lottery's prize table is not valid."),
    "lottery.unknown": QT_TRANSLATE_NOOP("Refusal", "Unknown lottery."),
    "member.no_change": QT_TRANSLATE_NOOP("Refusal", "Nothing was changed."),
    "member.pin_locked": QT_TRANSLATE_NOOP("Refusal", "Too many wrong PINs for this member: try again later, or scan the member's dynamic code."),
    "redemption.closed": QT_TRANSLATE_NOOP("Refusal", "This redemption was already closed."),
    "redemption.unknown": QT_TRANSLATE_NOOP("Refusal", "Unknown redemption."),
    "refund.bad_lines": QT_TRANSLATE_NOOP("Refusal", "Choose what to refund, line by line."),
    "refund.bad_qty": QT_TRANSLATE_NOOP("Refusal", "A quantity to refund must be above zero."),
    "refund.no_line": QT_TRANSLATE_NOOP("Refusal", "The sale has no line {line}."),
    "rules.invalid": QT_TRANSLATE_NOOP("Refusal", "The rules from HQ are not valid: sync again."),
    "tender.amount": QT_TRANSLATE_NOOP("Refusal", "That amount cannot be taken: type the amount received again."),
    "tender.method": QT_TRANSLATE_NOOP("Refusal", "Unknown payment method."),
    "game.active": QT_TRANSLATE_NOOP("Refusal", "The game's settings are not valid: sync again."),
    "game.doc": QT_TRANSLATE_NOOP("Refusal", "The game's settings are not valid: sync again."),
    "game.unknown": QT_TRANSLATE_NOOP("Refusal", "The game's settings are not valid: sync again."),
    "lottery.budget_spent": QT_TRANSLATE_NOOP("Refusal", "Today's prizes of this lottery are all given out."),
    "lottery.daily_limit": QT_TRANSLATE_NOOP("Refusal", "The member has made all of today's draws."),
    "tier.invalid": QT_TRANSLATE_NOOP("Refusal", "The tiers from HQ are not valid: sync again."),
}

# Problem parameters that are money (fen), shown in yuan: (code, parameter).
_MONEY = frozenset({("cash.over_share", "limit"), ("tender.short", "short")})


class _Filled(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _param(code: str, name: str, value) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return str(value)
    return format_fen(value) if (code, name) in _MONEY else f"{value:,}"


def problem_text(code: str, message: str, params: dict | None = None) -> str:
    """One problem in the cashier's language; the English message only for a code no screen knows."""
    known = _TEXTS.get(code)
    if known is None:
        return message
    params = dict(params or {})
    if "scanned" in params:  # services.catalog names the scanned text so (`code` is refuse()'s own)
        params.setdefault("code", params["scanned"])
    return _t(known).format_map(_Filled({k: _param(code, k, v) for k, v in params.items()}))

def refusal_text(exc: Exception) -> str:
    if not isinstance(exc, Refused):
        return QCoreApplication.translate("Refusal", "Something went wrong: %1").replace(
            "%1", f"{type(exc).__name__}: {exc}")
    return "\n".join(problem_text(p.code, p.message, p.params) for p in exc.problems)


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
