"""HQ's private keys at rest: sealed with HQ's own secret, never stored in the clear.

A label key's private half mints points, so a copy of HQ's database (a backup, a dump
handed to support, a read-only replica) must not be enough to print labels. The
database holds it sealed with AES-256-GCM under HQ's secret, the key's id bound in as
associated data (a sealed key cannot be swapped onto another id). The secret lives
outside the database:

- HQ_SECRET_KEY: 32 bytes, base64 (production: from the service's secret store);
- otherwise the file secret.key (made on first use, owner-only) in HQ_DATA_DIR, else
  beside the SQLite database, else in the user's data folder (platformdirs).

Every uvicorn worker reads the same secret. Lose it and the sealed keys are lost with
it: make a new label key (labels already printed stay valid: stores hold the public
halves).
"""

from __future__ import annotations

import base64
import os
import secrets
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import make_url

from hq_server.settings import Settings

SECRET_ENV = "HQ_SECRET_KEY"  # read by hq_server.settings (secret_key)
SECRET_FILE = "secret.key"
PREFIX = "aesgcm1:"


class SealError(Exception):
    """The secret at hand does not open this value (another HQ's secret, or a damaged value)."""


def seal(plain: bytes, label: str, db_url: str) -> str:
    nonce = secrets.token_bytes(12)
    return PREFIX + base64.b64encode(nonce + _aead(db_url).encrypt(nonce, plain, label.encode())).decode()


def unseal(sealed: str, label: str, db_url: str) -> bytes:
    if not sealed.startswith(PREFIX):
        raise SealError("not a sealed value")
    raw = base64.b64decode(sealed[len(PREFIX):])
    try:
        return _aead(db_url).decrypt(raw[:12], raw[12:], label.encode())
    except InvalidTag:
        raise SealError(f"sealed with another secret than this HQ's ({SECRET_ENV} or {SECRET_FILE})") from None


_configured: dict[str, Settings] = {}  # database url -> the settings HQ's app was made with (create_app)


def configure(db_url: str, settings: Settings) -> None:
    """The secret for this database comes from these settings (HQ's app calls this as it starts)."""
    _configured[db_url] = settings


def _settings(db_url: str) -> Settings:
    """The app's settings for this database; read from the environment (HQ_*) where no app was made
    (the command line, a test calling sealing directly)."""
    return _configured.get(db_url) or Settings()


def _aead(db_url: str) -> AESGCM:
    settings = _settings(db_url)
    from_env = settings.secret_key.get_secret_value() if settings.secret_key else None
    return AESGCM(_secret(from_env, str(secret_folder(db_url, settings))))


def secret_folder(db_url: str, settings: Settings | None = None) -> Path:
    data_dir = (settings or _settings(db_url)).data_dir
    if data_dir:
        return data_dir
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent
    import platformdirs
    return Path(platformdirs.user_data_dir("points-mall-hq"))


@cache
def _secret(from_env: str | None, folder: str) -> bytes:
    if from_env:
        key = base64.b64decode(from_env, validate=True)
        if len(key) != 32:
            raise RuntimeError(f"{SECRET_ENV} must be 32 bytes in base64 (44 characters); it has {len(key)} bytes")
        return key
    path = Path(folder) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: two workers starting together end up
        # with one secret, and neither ever reads a half-written file.
        tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = base64.b64decode(path.read_text().strip(), validate=True)
    if len(key) != 32:
        raise RuntimeError(f"{path} must hold 32 bytes in base64")
    return key
