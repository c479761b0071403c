"""One-time sign-in codes by SMS: who may ask for one, how it is kept, how it is checked.

- A code is 6 digits, lives SmsSettings.code_ttl_s (5 minutes), and is used up by one right entry or
  by `tries_per_code` wrong ones. Asking again makes a new code (the older ones stop working).
- Only an HMAC of the code is stored, keyed by a pepper that is itself sealed with HQ's secret
  (hq_server.sealing): a database copy alone does not give the codes back (a 6-digit code's plain
  hash is reversed by trying all million).
- Sends are limited per phone (one per `resend_s`, `per_phone` a window) and per client address
  (`per_address` a window), counted from the sms_codes rows themselves; wrong codes go to HQ's login
  throttle (hq_server.throttle) per phone and per address.
- A code is never logged nor put in an answer. The development sender keeps the message for HQ's
  console (dev_sms): that is its purpose, with no real provider configured.

Senders: `Sender` is the interface; `DevSender` writes the dev outbox; `AliyunSender` calls Alibaba
Cloud's SMS API (dysmsapi SendSms, RPC signature v1 HMAC-SHA1 as their documentation describes). The
Aliyun adapter is built from that documentation and unit-tested for its signing only: it has never
been run against the live service.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from sqlalchemy import Connection, Executable, Table, delete, func, select, update

from hq_server import models as M
from hq_server import sealing
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme.mall_settings import SmsSettings
from hq_server.programme.mall_tables import dev_sms, sms_codes
from hq_server.throttle import Throttle
from pos_app.domain.members import check_phone, normalize_phone

log = logging.getLogger("hq_server.sms")
CODE_DIGITS = 6
PEPPER_KEY = "sms_pepper"  # settings row: the HMAC key of stored codes, sealed with HQ's secret
KEEP = timedelta(days=1)   # rows older than this are pruned (they no longer count for any limit)


class SmsError(Exception):
    """The provider did not take the message (its answer, without the code)."""


class Sender(Protocol):
    def send(self, phone: str, code: str, ttl_minutes: int) -> None:
        """Text `code` to `phone`; raise SmsError if the provider refuses or cannot be reached."""


# --- senders -------------------------------------------------------------------------------------
class DevSender:
    """No SMS leaves HQ: the message waits in dev_sms until it expires, for the console to show."""

    def __init__(self, db: Database):
        self.db = db

    def send(self, phone: str, code: str, ttl_minutes: int) -> None:
        now = _now()
        with self.db.side_write() as conn:
            conn.execute(delete(dev_sms).where(dev_sms.c.expires_at <= now))
            conn.execute(dev_sms.insert().values(phone=phone, text=message_text(code, ttl_minutes), created_at=now,
                                                 expires_at=now + timedelta(minutes=ttl_minutes)))


def message_text(code: str, ttl_minutes: int) -> str:
    return f"您的会员登录验证码是 {code}，{ttl_minutes} 分钟内有效。Your sign-in code is {code} ({ttl_minutes} min)."


def dev_messages(db: Database, now: datetime, phone: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The dev sender's messages not yet expired, newest first (HQ's console shows them)."""
    d = dev_sms.c
    q = select(d.phone, d.text, d.created_at, d.expires_at).where(d.expires_at > now)
    if phone:
        q = q.where(d.phone == normalize_phone(phone))
    with db.read() as conn:
        return [dict(r._mapping) for r in conn.execute(q.order_by(d.id.desc()).limit(limit))]


def percent_encode(text: str) -> str:
    """RFC 3986 as Aliyun signs: A-Z a-z 0-9 - _ . ~ kept, everything else %XY of its UTF-8, space %20."""
    return urllib.parse.quote(text, safe="-_.~")


def aliyun_string_to_sign(method: str, params: dict[str, str]) -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def aliyun_signature(secret: str, method: str, params: dict[str, str]) -> str:
    digest = hmac.new((secret + "&").encode(), aliyun_string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSender:
    """Alibaba Cloud SMS (dysmsapi 2017-05-25, SendSms) with a template holding one ${code} parameter."""

    def __init__(self, s: SmsSettings):
        missing = [n for n in ("aliyun_access_key_id", "aliyun_sign_name", "aliyun_template_code") if not getattr(s, n)]
        if missing or not s.aliyun_access_key_secret.get_secret_value():
            raise ValueError("HQ_SMS_PROVIDER=aliyun needs HQ_SMS_" + ", HQ_SMS_".join(
                n.upper() for n in (missing or ["aliyun_access_key_secret"])))
        self.s = s

    def request_params(self, phone: str, code: str, now: datetime, nonce: str) -> dict[str, str]:
        s = self.s
        params = {"AccessKeyId": s.aliyun_access_key_id, "Action": "SendSms", "Format": "JSON",
                  "PhoneNumbers": phone, "RegionId": s.aliyun_region, "SignName": s.aliyun_sign_name,
                  "SignatureMethod": "HMAC-SHA1", "SignatureNonce": nonce, "SignatureVersion": "1.0",
                  "TemplateCode": s.aliyun_template_code, "TemplateParam": json.dumps({"code": code}),
                  "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25"}
        params["Signature"] = aliyun_signature(s.aliyun_access_key_secret.get_secret_value(), "POST", params)
        return params

    def send(self, phone: str, code: str, ttl_minutes: int) -> None:
        body = urllib.parse.urlencode(self.request_params(phone, code, _now(), str(uuid.uuid4()))).encode()
        req = urllib.request.Request(self.s.aliyun_endpoint, data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, timeout=self.s.timeout_s) as resp:  # noqa: S310 (a configured https URL)
                answer = json.loads(resp.read() or b"{}")
        except (urllib.error.URLError, TimeoutError, ValueError) as err:
            raise SmsError(f"the SMS provider could not be reached: {type(err).__name__}") from None
        if answer.get("Code") != "OK":
            raise SmsError(f"the SMS provider refused the message: {answer.get('Code')} {answer.get('Message', '')}")


def make_sender(s: SmsSettings, db: Database) -> Sender:
    return AliyunSender(s) if s.provider == "aliyun" else DevSender(db)


# --- codes ---------------------------------------------------------------------------------------
_peppers: dict[str, bytes] = {}


def _pepper(conn: Connection, db_url: str) -> bytes:
    """The HMAC key of stored codes: made once per HQ, kept sealed in settings, cached per process."""
    if db_url in _peppers:
        return _peppers[db_url]
    s = M.settings.c
    sealed = conn.execute(select(s.value).where(s.key == PEPPER_KEY)).scalar()
    if sealed is None:
        sealed = sealing.seal(secrets.token_bytes(32), PEPPER_KEY, db_url)
        conn.execute(_insert_ignore(conn, M.settings, {"key": PEPPER_KEY, "value": sealed}))
        # the row is there now (ours, or a racing worker's if it came first)
        sealed = conn.execute(select(s.value).where(s.key == PEPPER_KEY)).scalar_one()
    _peppers[db_url] = sealing.unseal(sealed, PEPPER_KEY, db_url)
    return _peppers[db_url]


def _insert_ignore(conn: Connection, table: Table, values: dict[str, Any]) -> Executable:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        return pg_insert(table).values(**values).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    return sqlite_insert(table).values(**values).on_conflict_do_nothing()


def code_hash(pepper: bytes, phone: str, code: str) -> str:
    return hmac.new(pepper, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def clean_phone(phone: object) -> str:
    """The phone as the tills keep it (11 digits), or a 422 with the domain's sentence."""
    text = normalize_phone(phone if isinstance(phone, str) else "")
    problems = check_phone(text)
    if problems:
        raise HQProblem(422, "invalid_phone", problems[0].message)
    return text


def clean_code(code: object) -> str:
    text = code.strip() if isinstance(code, str) else ""
    if len(text) != CODE_DIGITS or not text.isascii() or not text.isdigit():
        raise HQProblem(422, "invalid_code", f"the code is the {CODE_DIGITS} digits in the text message")
    return text


@dataclass(frozen=True)
class Sent:
    phone: str
    expires_at: datetime
    resend_at: datetime


def request_code(db: Database, s: SmsSettings, sender: Sender, phone: str, address: str, now: datetime) -> Sent:
    """Make and send a sign-in code to `phone` (429 beyond the limits, 503 if the provider fails)."""
    phone = clean_phone(phone)
    c = sms_codes.c
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    with db.side_write() as conn:
        last = conn.execute(select(func.max(c.created_at)).where(c.phone == phone)).scalar()
        if last is not None and last + timedelta(seconds=s.resend_s) > now:
            wait = int((last + timedelta(seconds=s.resend_s) - now).total_seconds()) + 1
            raise HQProblem(429, "sms_too_soon", f"a code was just sent to this phone: ask again in {wait} s",
                            retry_after=wait)
        since = now - timedelta(seconds=s.window_s)
        for column, value, allowed, who in ((c.phone, phone, s.per_phone, "this phone"),
                                            (c.address, address, s.per_address, "your address")):
            count, oldest = conn.execute(select(func.count(), func.min(c.created_at))
                                         .where(column == value, c.created_at > since)).one()
            if count >= allowed:
                wait = max(1, int((oldest - since).total_seconds()) + 1)
                raise HQProblem(429, "sms_limit", f"too many codes asked for {who}: try again in {wait} s",
                                retry_after=wait)
        # a new code replaces the phone's older ones
        conn.execute(update(sms_codes).where(c.phone == phone, c.used_at.is_(None)).values(used_at=now))
        conn.execute(delete(sms_codes).where(c.created_at < now - KEEP))
        inserted = conn.execute(sms_codes.insert().values(
            phone=phone, address=address[:64], code_hash=code_hash(_pepper(conn, db.url), phone, code),
            created_at=now, expires_at=now + timedelta(seconds=s.code_ttl_s)))
        # a one-row INSERT always has its key: SQLAlchemy types inserted_primary_key Optional for the others
        row_id = inserted.inserted_primary_key[0]  # type: ignore[index]
    try:
        sender.send(phone, code, s.code_ttl_s // 60)
    except SmsError as err:
        log.warning("SMS to %s***%s not sent: %s", phone[:3], phone[-2:], err)
        with db.side_write() as conn:  # the code never reached the phone: it cannot be used either
            conn.execute(update(sms_codes).where(c.id == row_id).values(used_at=now))
        raise HQProblem(503, "sms_failed", "the text message could not be sent just now: try again in a minute",
                        retry_after=60) from None
    return Sent(phone, now + timedelta(seconds=s.code_ttl_s), now + timedelta(seconds=s.resend_s))


class CodeCheck:
    """Checking a code a member typed: `refuse_if_throttled` before the transaction, `take` inside the
    use case's transaction (the code is used up with what it unlocks), `failed` after a wrong one."""

    def __init__(self, s: SmsSettings):
        self.s = s
        self.throttle = Throttle(s.wrong_window_s)

    def _keys(self, phone: str, address: str) -> dict[str, tuple[int, str]]:
        return {f"sms:{phone}": (self.s.wrong_per_phone, "this phone"),
                f"sms-addr:{address}": (self.s.wrong_per_address, "your address")}

    def refuse_if_throttled(self, db: Database, phone: str, address: str, now: datetime) -> None:
        with db.read() as conn:
            self.throttle.refuse_if_over(conn, self._keys(phone, address), now)

    def take(self, conn: Connection, db_url: str, phone: str, code: str, now: datetime) -> str | None:
        """Use the phone's live code up if `code` is it: None. Otherwise why not (nothing changed yet)."""
        c = sms_codes.c
        row = conn.execute(select(c.id, c.code_hash, c.expires_at, c.used_at, c.tries).where(c.phone == phone)
                           .order_by(c.created_at.desc(), c.id.desc()).limit(1)).first()
        if row is None:
            return "no_code"
        if row.used_at is not None or row.expires_at <= now or row.tries >= self.s.tries_per_code:
            return "code_expired"
        if not hmac.compare_digest(row.code_hash, code_hash(_pepper(conn, db_url), phone, code)):
            return "wrong_code"
        conn.execute(update(sms_codes).where(c.id == row.id).values(used_at=now))
        return None

    def failed(self, db: Database, phone: str, address: str, why: str, now: datetime) -> HQProblem:
        """Count a wrong entry (against the code, the phone and the address); the problem to answer."""
        c = sms_codes.c
        with db.side_write() as conn:
            self.throttle.record(conn, list(self._keys(phone, address)), now)
            if why == "wrong_code":
                last = select(func.max(c.id)).where(c.phone == phone).scalar_subquery()
                conn.execute(update(sms_codes).where(c.id == last).values(tries=c.tries + 1))
        return HQProblem(401, why, {
            "no_code": "ask for a code first: none was sent to this phone",
            "code_expired": "this code has expired or was used: ask for a new one",
            "wrong_code": "wrong code: check the text message and type it again"}[why])


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
