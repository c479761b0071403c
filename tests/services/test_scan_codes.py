"""Every code format through resolve_scan on a real seeded store: members (card, phone,
dynamic code), labels, pickup codes, plain barcodes; forged, tampered, expired,
replayed and garbage codes refused with the right reason and the database unchanged.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dbcheck import MEMBER_PIN, dump_db, member_balance, rows

from pos_app.domain.members import card_no_for
from pos_app.domain.problems import Refused
from pos_app.scanner import formats as F
from pos_app.services import redeem
from pos_app.services.demo import demo_folder, demo_member_code
from pos_app.services.scan import (PRESENCE, ScannedLabel, ScannedMember, ScannedPickup, ScannedProduct, earn_label,
                                   resolve_scan)
from pos_app.services.setup import open_store
from pos_app.store import repos
from pos_app.store.seen_codes import RETENTION

PHONE = "13800138000"
OTHER_PHONE = "13912345678"


@pytest.fixture
def member(demo_members):
    return demo_members[PHONE]


@pytest.fixture
def batch(ctx):
    """The demo's signed label batch (TEA-OOLONG), as `pos-app labels` wrote it."""
    [path] = demo_folder(ctx).glob("batch-*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def reencode(payload: str, change) -> str:
    head, body = payload[:6], payload[6:]
    raw = bytearray(base64.b32decode(body + "=" * (-len(body) % 8)))
    change(raw)
    return head + base64.b32encode(bytes(raw)).decode().rstrip("=")


def flip_last_byte(raw: bytearray) -> None:
    raw[-1] ^= 0x01  # inside the signature


def seen_keys(ctx) -> list[str]:
    return [r[0] for r in rows(ctx, "SELECT code_key FROM seen_codes ORDER BY code_key")]


# --- members ----------------------------------------------------------------------------------
def test_member_card_payload_finds_the_member_and_records_nothing(ctx, member):
    before = dump_db(ctx)
    found = resolve_scan(ctx, F.member_card_payload(member.card_no))
    assert isinstance(found, ScannedMember) and found.member.member_id == member.member_id
    assert found.statement.member.member_id == member.member_id
    assert not found.member_code_ok  # a printed card earns, it never spends
    assert dump_db(ctx) == before


def test_typed_phone_and_card_number_still_find_the_member(ctx, member):
    assert resolve_scan(ctx, PHONE).member.member_id == member.member_id
    assert resolve_scan(ctx, member.card_no).member.member_id == member.member_id


def test_dynamic_code_finds_the_member_with_a_presence_proof(ctx, member):
    before = dump_db(ctx)
    found = resolve_scan(ctx, demo_member_code(ctx, PHONE))
    assert isinstance(found, ScannedMember) and found.member.member_id == member.member_id
    assert found.member_code_ok and found.member_code.startswith(f"D:{member.member_id}:")
    assert seen_keys(ctx) == [found.member_code]
    after = dump_db(ctx)
    assert {k for k in after if after[k] != before[k]} == {"seen_codes"}  # only the replay record


def test_dynamic_code_shown_again_is_refused_as_replayed(ctx, clock, refused):
    code = demo_member_code(ctx, PHONE)
    resolve_scan(ctx, code)
    clock.advance(seconds=20)  # still inside the code's window
    err = refused("scan.replayed", resolve_scan, code)
    assert "already used" in str(err)


def test_replay_is_refused_after_a_restart_on_the_same_database(ctx, clock, tmp_path):
    code = demo_member_code(ctx, PHONE)
    resolve_scan(ctx, code)
    ctx.db.close()
    again = open_store(tmp_path, clock=clock)  # the app started again: nothing kept in memory
    try:
        before = dump_db(again)
        with pytest.raises(Refused) as info:
            resolve_scan(again, code)
        assert info.value.codes == ("scan.replayed",)
        assert dump_db(again) == before
        assert isinstance(resolve_scan(again, demo_member_code(again, OTHER_PHONE)), ScannedMember)
    finally:
        again.db.close()


def test_a_fresh_code_from_the_same_phone_works_in_the_next_window(ctx, clock, member):
    resolve_scan(ctx, demo_member_code(ctx, PHONE))
    clock.advance(seconds=30)
    assert resolve_scan(ctx, demo_member_code(ctx, PHONE)).member.member_id == member.member_id


@pytest.mark.parametrize("shift", [timedelta(minutes=-2), timedelta(minutes=2)])
def test_dynamic_code_outside_its_window_is_refused_as_expired(ctx, clock, refused, shift):
    refused("scan.expired", resolve_scan, demo_member_code(ctx, PHONE, clock.now + shift))


def test_a_till_whose_clock_is_days_off_takes_a_code_the_phone_made_just_now(ctx, clock, member, refused):
    """Validity windows use corrected time (DESIGN.md 6, rule 4): the skew HQ measured at the last handshake."""
    phone_now = clock.now + timedelta(days=3)  # the till's clock is three days behind
    refused("scan.expired", resolve_scan, demo_member_code(ctx, PHONE, phone_now))  # before any handshake
    from pos_app.sync import state
    with ctx.db.write() as conn:
        state.put(conn, "clock_skew_s", 3 * 86400)  # as pos_app.sync.handshake keeps it
    found = resolve_scan(ctx, demo_member_code(ctx, PHONE, phone_now + timedelta(seconds=30)))
    assert isinstance(found, ScannedMember) and found.member.member_id == member.member_id and found.member_code_ok
    refused("scan.expired", resolve_scan, demo_member_code(ctx, PHONE, clock.now))  # the till's own clock is off


def test_dynamic_code_signed_by_an_unregistered_key_is_refused_as_forged(ctx, clock, member, refused):
    forged = F.dynamic_member_payload(member.member_id, Ed25519PrivateKey.generate(), clock.now)
    refused("scan.forged", resolve_scan, forged)


def test_dynamic_code_altered_is_refused_as_tampered(ctx, refused):
    refused("scan.tampered", resolve_scan, reencode(demo_member_code(ctx, PHONE), flip_last_byte))


def test_seen_codes_are_pruned_once_no_code_they_stop_can_be_accepted(ctx, clock):
    first = resolve_scan(ctx, demo_member_code(ctx, PHONE)).member_code
    clock.advance(seconds=RETENTION.total_seconds() + 1)
    second = resolve_scan(ctx, demo_member_code(ctx, OTHER_PHONE)).member_code
    assert seen_keys(ctx) == [second] and first != second


# --- the dynamic code instead of the PIN ---------------------------------------------------------
def test_scanned_dynamic_code_redeems_instead_of_the_pin_once(ctx, clock, staff, member, refused):
    proof = resolve_scan(ctx, demo_member_code(ctx, PHONE)).member_code
    clock.advance(minutes=2)  # choosing the gift takes longer than the code's window
    r = redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=member.member_id, gift_id="GIFT-TEABAG",
                           member_code=proof)
    assert r.status == "picked_up"
    assert seen_keys(ctx) == sorted([proof, "U:" + proof])
    refused("scan.replayed", redeem.redeem_gift, staff_id=staff.cashier, member_id=member.member_id,
            gift_id="GIFT-TEABAG", member_code=proof)
    # the hold's event carries the code's key, for HQ to flag it used at another till; the PIN's does not
    held = rows(ctx, "SELECT payload FROM events WHERE kind = 'redeem_hold' AND member_id = :m", m=member.member_id)
    assert [json.loads(p).get("member_code") for (p,) in held] == [proof]
    assert proof.startswith(f"D:{member.member_id}:")


def test_points_as_cash_proven_by_the_code_carry_its_key(ctx, staff, member):
    from pos_app.services import checkout
    proof = resolve_scan(ctx, demo_member_code(ctx, PHONE)).member_code
    sale = checkout.checkout(ctx, staff_id=staff.cashier, member_id=member.member_id, items=[("TEA-OOLONG", 1)],
                             cash_points=100, member_code=proof)
    assert sale.quote.cash_points == 100
    (payload,) = rows(ctx, "SELECT payload FROM events WHERE kind = 'redeem_post' AND payload LIKE :s",
                      s=f'%"sale_id":"{sale.sale_id}"%')[0]
    assert json.loads(payload)["member_code"] == proof


def test_a_refused_redemption_leaves_the_proof_usable(ctx, staff, member, refused):
    proof = resolve_scan(ctx, demo_member_code(ctx, PHONE)).member_code
    refused("gift.unknown", redeem.redeem_gift, staff_id=staff.cashier, member_id=member.member_id,
            gift_id="NO-SUCH-GIFT", member_code=proof)
    r = redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=member.member_id, gift_id="GIFT-TEABAG",
                           member_code=proof)
    assert r.status == "picked_up"


def test_the_raw_dynamic_code_also_proves_presence(ctx, staff, member, refused):
    code = demo_member_code(ctx, PHONE)
    r = redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=member.member_id, gift_id="GIFT-TEABAG",
                           member_code=code)
    assert r.status == "picked_up"
    refused("scan.replayed", redeem.redeem_gift, staff_id=staff.cashier, member_id=member.member_id,
            gift_id="GIFT-TEABAG", member_code=code)


def test_presence_proof_refusals(ctx, clock, staff, demo_members, refused):
    member, other = demo_members[PHONE], demo_members[OTHER_PHONE]
    proof = resolve_scan(ctx, demo_member_code(ctx, PHONE)).member_code
    refused("member.code_other", redeem.redeem_gift, staff_id=staff.cashier, member_id=other.member_id,
            gift_id="GIFT-TEABAG", member_code=proof)
    refused("scan.expired", redeem.redeem_gift, staff_id=staff.cashier, member_id=member.member_id,
            gift_id="GIFT-TEABAG", member_code=f"D:{member.member_id}:12345")  # never scanned here
    refused("member.code_kind", redeem.redeem_gift, staff_id=staff.cashier, member_id=member.member_id,
            gift_id="GIFT-TEABAG", member_code=F.member_card_payload(member.card_no))
    clock.advance(seconds=PRESENCE.total_seconds() + 1)
    refused("scan.expired", redeem.redeem_gift, staff_id=staff.cashier, member_id=member.member_id,
            gift_id="GIFT-TEABAG", member_code=proof)
    # the PIN still works as before
    assert redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=member.member_id, gift_id="GIFT-TEABAG",
                              member_pin=MEMBER_PIN).status == "picked_up"


# --- labels ---------------------------------------------------------------------------------
def test_label_is_verified_and_earns_once(ctx, staff, member, batch, refused):
    label = batch["labels"][0]
    before = dump_db(ctx)
    found = resolve_scan(ctx, label["payload"])
    assert dump_db(ctx) == before  # a scan alone earns nothing
    assert isinstance(found, ScannedLabel)
    assert (found.label.serial, found.label.points, found.label.sku) == (label["serial"], label["points"],
                                                                         "TEA-OOLONG")
    assert found.product.sku == "TEA-OOLONG" and found.label.batch == batch["batch"]
    balance = member_balance(ctx, member.member_id)
    earned = earn_label(ctx, staff_id=staff.cashier, member_id=member.member_id, code=found.payload)
    assert earned.balance_after == balance + label["points"] == member_balance(ctx, member.member_id)
    assert rows(ctx, "SELECT serial, points, member_id FROM label_claims WHERE serial = :s", s=label["serial"]) \
        == [(label["serial"], label["points"], member.member_id)]
    refused("label.claimed", resolve_scan, label["payload"])
    refused("label.claimed", earn_label, staff_id=staff.cashier, member_id=member.member_id, code=found.payload)


def test_every_label_of_the_batch_earns_its_own_points(ctx, staff, member, batch):
    start = member_balance(ctx, member.member_id)
    for label in batch["labels"][:5]:
        earn_label(ctx, staff_id=staff.cashier, member_id=member.member_id, code=label["payload"])
    assert member_balance(ctx, member.member_id) == start + sum(lb["points"] for lb in batch["labels"][:5])


def test_label_forged_or_tampered_is_refused(ctx, staff, member, batch, refused):
    mint = Ed25519PrivateKey.generate()  # a store (or anyone) without HQ's key
    forged = F.label_payload("TEA-OOLONG", batch["labels"][0]["serial"], 68, mint)
    refused("scan.forged", resolve_scan, forged)
    refused("scan.forged", earn_label, staff_id=staff.cashier, member_id=member.member_id, code=forged)

    label = batch["labels"][1]

    def more_points(raw: bytearray) -> None:
        raw[12:15] = (label["points"] + 100).to_bytes(3, "big")  # key id 4, batch 5, number 3, then points
    tampered = reencode(label["payload"], more_points)
    refused("scan.tampered", resolve_scan, tampered)
    refused("scan.tampered", earn_label, staff_id=staff.cashier, member_id=member.member_id, code=tampered)


def test_a_label_key_the_store_stops_trusting_no_longer_verifies(ctx, batch, refused):
    with ctx.db.write() as conn:
        repos.set_meta_json(conn, repos.LABEL_KEYS, {})
    refused("scan.forged", resolve_scan, batch["labels"][0]["payload"])


def test_earn_label_refuses_what_is_not_a_label(ctx, staff, member, refused):
    refused("label.not_label", earn_label, staff_id=staff.cashier, member_id=member.member_id,
            code=F.member_card_payload(member.card_no))


# --- pickup codes ----------------------------------------------------------------------------
def held(ctx, staff, member):
    return redeem.redeem_gift(ctx, staff_id=staff.cashier, member_id=member.member_id, gift_id="GIFT-CUP",
                              member_pin=MEMBER_PIN, hand_over=False)


def test_pickup_code_is_signed_and_written_off_once(ctx, staff, member, refused):
    r = held(ctx, staff, member)
    assert r.pickup_code.startswith("PM1:P:")
    assert F.parse(r.pickup_code, now=ctx.now()).reason.value == "forged"  # signed: no keys, no trust
    assert rows(ctx, "SELECT pickup_code FROM redemptions WHERE redemption_id = :r", r=r.redemption_id)[0][0] \
        .startswith("PS:")  # the row keeps a short handle; the payload is made again from it
    assert redeem.member_redemptions(ctx, member.member_id)[0].pickup_code == r.pickup_code
    before = dump_db(ctx)
    found = resolve_scan(ctx, r.pickup_code)
    assert dump_db(ctx) == before
    assert isinstance(found, ScannedPickup) and found.redemption.redemption_id == r.redemption_id
    assert found.redemption.status == "held"
    done = redeem.write_off_pickup(ctx, staff_id=staff.cashier, pickup_code=found.code)
    assert done.status == "picked_up"
    refused("pickup.closed", resolve_scan, r.pickup_code)
    refused("pickup.closed", redeem.write_off_pickup, staff_id=staff.cashier, pickup_code=r.pickup_code)


def test_pickup_code_forged_tampered_or_of_another_store_is_refused(ctx, staff, member, refused):
    r = held(ctx, staff, member)
    tampered = reencode(r.pickup_code, flip_last_byte)
    refused("scan.tampered", resolve_scan, tampered)
    refused("scan.tampered", redeem.write_off_pickup, staff_id=staff.cashier, pickup_code=tampered)
    stranger = Ed25519PrivateKey.generate()
    forged = F.pickup_payload(r.redemption_id, ctx.who.store_id, stranger)
    refused("scan.forged", redeem.write_off_pickup, staff_id=staff.cashier, pickup_code=forged)
    # a device of another store, trusted (as HQ would tell us), signing for its own store
    other_store = "01936b2e-0000-7000-8000-00000000000b"
    with ctx.db.write() as conn:
        repos.trust_device_key(conn, other_store, F.public_bytes(stranger))
    elsewhere = F.pickup_payload(r.redemption_id, other_store, stranger)
    refused("pickup.other_store", redeem.write_off_pickup, staff_id=staff.cashier, pickup_code=elsewhere)
    # that device signing a code for this store's redemption is not the code this store issued
    mimic = F.pickup_payload(r.redemption_id, ctx.who.store_id, stranger)
    refused("scan.forged", redeem.write_off_pickup, staff_id=staff.cashier, pickup_code=mimic)
    # the stored handle typed in is not a code
    handle = rows(ctx, "SELECT pickup_code FROM redemptions WHERE redemption_id = :r", r=r.redemption_id)[0][0]
    refused("pickup.unknown", redeem.write_off_pickup, staff_id=staff.cashier, pickup_code=handle)
    assert redeem.write_off_pickup(ctx, staff_id=staff.cashier, pickup_code=r.pickup_code).status == "picked_up"


def test_an_old_unsigned_pickup_token_keeps_working(ctx, staff, member, refused):
    r = held(ctx, staff, member)
    with ctx.db.write() as conn:  # a row written before pickup codes were signed
        conn.exec_driver_sql("UPDATE redemptions SET pickup_code = 'PK0123456789ABCDEF' WHERE redemption_id = ?",
                             (r.redemption_id,))
    assert redeem.member_redemptions(ctx, member.member_id)[0].pickup_code == "PK0123456789ABCDEF"
    found = resolve_scan(ctx, "PK0123456789ABCDEF")
    assert isinstance(found, ScannedPickup) and found.redemption.redemption_id == r.redemption_id
    assert redeem.write_off_pickup(ctx, staff_id=staff.cashier, pickup_code="pk0123456789abcdef ").status \
        == "picked_up"
    refused("pickup.closed", redeem.write_off_pickup, staff_id=staff.cashier, pickup_code="PK0123456789ABCDEF")


def test_a_signed_pickup_code_survives_a_restart(ctx, clock, staff, member, tmp_path):
    r = held(ctx, staff, member)
    ctx.db.close()
    again = open_store(tmp_path, clock=clock)
    try:
        assert redeem.member_redemptions(again, member.member_id)[0].pickup_code == r.pickup_code
        assert redeem.write_off_pickup(again, staff_id=staff.cashier, pickup_code=r.pickup_code).status \
            == "picked_up"
    finally:
        again.db.close()


# --- plain barcodes and garbage ---------------------------------------------------------------
def test_plain_ean13_and_code128_look_up_the_catalogue(ctx):
    found = resolve_scan(ctx, "6901234567953")
    assert isinstance(found, ScannedProduct) and found.product.sku == "LEMON-TEA"
    assert resolve_scan(ctx, "TEA-PUER", symbology="CODE128").product.sku == "TEA-PUER"


@pytest.mark.parametrize("text, code", [
    ("6901234567954", "scan.check_digit"),       # EAN-13 with a wrong check digit: misread, not tampered
    ("hello world", "scan.unknown_format"),
    ("https://example.com/x?y=1", "scan.unknown_format"),
    ("PM1:Z:ABCDEFGH", "scan.unknown_format"),
    ("PM2:M:812345678901", "scan.unknown_format"),  # a newer app's code
    ("PM1:D:not base32!", "scan.malformed"),
    ("PM1:L:" + "A" * 40, "scan.malformed"),
    ("PM1:P:" + "7" * 170, "scan.malformed"),
    ("PM1:M:1234", "scan.malformed"),
    ("x" * 2000, "scan.unknown_format"),
    ("NO-SUCH-SKU", "product.unknown"),
    ("", "scan.empty"),
])
def test_garbage_is_refused_with_its_reason_and_nothing_recorded(refused, text, code):
    refused(code, resolve_scan, text)


def test_a_qr_code_that_is_not_ours_is_refused(refused):
    refused("scan.unknown_format", resolve_scan, "TEA-PUER", symbology="QRCODE")


def test_a_member_card_with_a_wrong_check_digit_is_refused(ctx, member, refused):
    card = member.card_no
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    refused("scan.check_digit", resolve_scan, f"PM1:M:{wrong}")
    refused("member.not_found", resolve_scan, F.member_card_payload(card_no_for("01936b2e-7c4a-7def-8a11-0123456789ab")))


def test_a_guides_badge_names_the_guide_and_a_stranger_is_refused(ctx, staff, refused):
    from pos_app.services.scan import ScannedGuide, guide_badge, resolve_scan
    found = resolve_scan(ctx, guide_badge(staff.guide))
    assert isinstance(found, ScannedGuide) and found.staff.staff_id == staff.guide
    refused("guide.unknown", resolve_scan, "G:not-a-staff-member")
