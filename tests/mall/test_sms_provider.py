"""The Aliyun SMS adapter, against a stand-in of its HTTP API on loopback (never the live service): the
request carries the documented parameters, its RPC signature (HMAC-SHA1 over the canonical query, v1)
verifies with the secret, and a refusal by the provider leaves no usable code and says so."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pydantic import SecretStr

from hq_server.errors import HQProblem
from hq_server.programme import sms
from hq_server.programme.mall_settings import SmsSettings
from tests.hq.wire_events import now

SECRET = "testsecret"


class FakeAliyun(BaseHTTPRequestHandler):
    answer = {"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "r"}
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        self.received.append(dict(urllib.parse.parse_qsl(self.rfile.read(length).decode())))
        body = json.dumps(self.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


@pytest.fixture
def fake_aliyun():
    FakeAliyun.received = []
    FakeAliyun.answer = {"Code": "OK", "Message": "OK"}
    server = HTTPServer(("127.0.0.1", 0), FakeAliyun)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def settings(endpoint: str) -> SmsSettings:
    return SmsSettings(provider="aliyun", aliyun_endpoint=endpoint, aliyun_access_key_id="testid",
                       aliyun_access_key_secret=SecretStr(SECRET), aliyun_sign_name="积分商城",
                       aliyun_template_code="SMS_0001")


def test_the_string_to_sign_follows_the_rpc_rules():
    params = {"b": "x y", "a": "*~/中", "Timestamp": "2026-12-07T12:00:00Z"}
    assert sms.aliyun_string_to_sign("POST", params) == (
        "POST&%2F&Timestamp%3D2026-12-07T12%253A00%253A00Z%26a%3D%252A~%252F%25E4%25B8%25AD%26b%3Dx%2520y")
    expected = base64.b64encode(hmac.new(b"k&", sms.aliyun_string_to_sign("POST", params).encode(),
                                         hashlib.sha1).digest()).decode()
    assert sms.aliyun_signature("k", "POST", params) == expected


def test_the_adapter_sends_a_signed_sendsms_request(fake_aliyun):
    sms.AliyunSender(settings(fake_aliyun)).send("13800138000", "123456", 5)
    [got] = FakeAliyun.received
    signature = got.pop("Signature")
    assert (got["Action"], got["PhoneNumbers"], got["SignName"], got["TemplateCode"], got["Version"]) == (
        "SendSms", "13800138000", "积分商城", "SMS_0001", "2017-05-25")
    assert json.loads(got["TemplateParam"]) == {"code": "123456"}
    assert signature == sms.aliyun_signature(SECRET, "POST", got)


def test_a_refusal_by_the_provider_is_a_503_and_leaves_no_usable_code(db, fake_aliyun, phone, address):
    FakeAliyun.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "limit"}
    s = settings(fake_aliyun)
    with pytest.raises(HQProblem) as err:
        sms.request_code(db, s, sms.AliyunSender(s), phone, address, now())
    assert (err.value.status, err.value.code) == (503, "sms_failed")
    with db.write() as (conn, _):
        assert sms.CodeCheck(s).take(conn, db.url, phone, "000000", now()) == "code_expired"


def test_an_unreachable_provider_is_a_503(db, phone, address):
    s = settings("http://127.0.0.1:9/")  # the discard port: nothing listens
    with pytest.raises(HQProblem) as err:
        sms.request_code(db, s, sms.AliyunSender(s), phone, address, now())
    assert err.value.code == "sms_failed"


def test_aliyun_without_its_settings_refuses_to_start():
    with pytest.raises(ValueError) as err:
        sms.AliyunSender(SmsSettings(provider="aliyun"))
    assert "HQ_SMS_ALIYUN_ACCESS_KEY_ID" in str(err.value)
