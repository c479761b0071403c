"""HQ's label keys are stored sealed (hq_server/sealing.py): a copy of HQ's database alone
cannot mint labels. The sealed value opens only with HQ's secret and only under its own
key id; the secret file is made once, owner-only, beside the SQLite database."""

from __future__ import annotations

import base64
import json
import secrets
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, text

from hq_server import sealing
from pos_app.domain import label_batches as LB


def env_secret() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def test_a_sealed_value_opens_only_with_its_secret_and_its_label(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'hq.db'}"
    monkeypatch.setenv(sealing.SECRET_ENV, env_secret())
    sealed = sealing.seal(b"private bytes", "0a1b2c3d", url)
    assert b"private bytes" not in sealed.encode() and sealed.startswith(sealing.PREFIX)
    assert sealing.unseal(sealed, "0a1b2c3d", url) == b"private bytes"
    with pytest.raises(sealing.SealError):
        sealing.unseal(sealed, "ffffffff", url)  # moved onto another key id
    monkeypatch.setenv(sealing.SECRET_ENV, env_secret())
    with pytest.raises(sealing.SealError):
        sealing.unseal(sealed, "0a1b2c3d", url)  # another HQ's secret
    with pytest.raises(sealing.SealError):
        sealing.unseal("00ff" * 16, "0a1b2c3d", url)  # not sealed at all


def test_a_bad_secret_in_the_environment_is_refused_clearly(monkeypatch, tmp_path):
    monkeypatch.setenv(sealing.SECRET_ENV, base64.b64encode(b"short").decode())
    with pytest.raises(RuntimeError, match="32 bytes"):
        sealing.seal(b"x", "k", f"sqlite:///{tmp_path / 'hq.db'}")


def test_without_the_environment_the_secret_file_is_made_once_owner_only(monkeypatch, tmp_path):
    monkeypatch.delenv(sealing.SECRET_ENV, raising=False)
    monkeypatch.delenv("HQ_DATA_DIR", raising=False)
    url = f"sqlite:///{tmp_path / 'data' / 'hq.db'}"
    sealed = sealing.seal(b"k", "id", url)
    path = tmp_path / "data" / sealing.SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_text()
    assert sealing.unseal(sealed, "id", url) == b"k" and path.read_text() == first
    assert [p.name for p in path.parent.iterdir()] == [sealing.SECRET_FILE]  # no temp file left


def test_hq_stores_label_keys_sealed(hq):
    r = hq.admin("POST", "/label-keys")
    assert r.status_code == 201, r.text
    made = r.json()
    engine = create_engine(hq.db_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            raw = conn.execute(text("SELECT value FROM settings WHERE key = :k"),
                               {"k": "label_key:" + made["key_id"]}).scalar()
    finally:
        engine.dispose()
    doc = json.loads(raw)
    assert "private_key" not in doc and doc["sealed_private_key"].startswith(sealing.PREFIX)
    # the server's own secret (beside its SQLite file, or its data folder) opens it, and it
    # is the private half of the public key HQ sends to stores
    key = Ed25519PrivateKey.from_private_bytes(sealing.unseal(doc["sealed_private_key"], made["key_id"],
                                                              hq.db_url))
    assert LB.public_bytes(key).hex() == made["public_key"]
    hq.ensure_product("TEA-OOLONG")
    r = hq.admin("POST", "/label-batches", json={"sku": "TEA-OOLONG", "name": "乌龙茶", "count": 2, "prizes": "8"})
    assert r.status_code == 201, r.text
