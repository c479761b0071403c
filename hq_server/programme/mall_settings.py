"""The members' mall's settings, read from the environment (HQ_MALL_*, HQ_SMS_*) like HQ's own
(hq_server.settings), kept apart so the mall's knobs read in one place."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SmsSettings(BaseSettings):
    """Which SMS sender HQ uses, and its limits. `dev` (the default) sends nothing: the message waits
    in HQ's dev outbox for the console to show. `aliyun` sends through Alibaba Cloud's SMS API."""

    model_config = SettingsConfigDict(env_prefix="HQ_SMS_", extra="ignore")

    provider: Literal["dev", "aliyun"] = "dev"
    code_ttl_s: int = Field(300, ge=60, le=1800, description="a sign-in code's life")
    resend_s: int = Field(60, ge=10, description="least time between two codes to one phone")
    window_s: int = Field(3600, ge=60, description="the send limits' window")
    per_phone: int = Field(5, ge=1, description="codes sent to one phone in the window")
    per_address: int = Field(20, ge=1, description="codes asked for from one client address in the window")
    tries_per_code: int = Field(5, ge=1, description="wrong entries that use a code up")
    wrong_window_s: int = Field(900, ge=60)
    wrong_per_phone: int = Field(10, ge=1, description="wrong codes for one phone in the wrong-code window")
    wrong_per_address: int = Field(30, ge=1, description="wrong codes from one address in the wrong-code window")
    # --- aliyun (dysmsapi SendSms; a template with one ${code} parameter) ---
    aliyun_endpoint: str = "https://dysmsapi.aliyuncs.com/"
    aliyun_access_key_id: str = ""
    aliyun_access_key_secret: SecretStr = SecretStr("")
    aliyun_sign_name: str = ""
    aliyun_template_code: str = ""
    aliyun_region: str = "cn-hangzhou"
    timeout_s: float = Field(5.0, gt=0, le=30)


class MallSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HQ_MALL_", extra="ignore")

    session_days: int = Field(30, ge=1, le=365, description="a member stays signed in this long on a phone")
    # A credential change (the PIN, the phone key) needs an SMS code proven this recently: a phone left
    # signed in for weeks is not enough to take over what the tills trust.
    fresh_minutes: int = Field(10, ge=1, le=60)
    pin_window_s: int = Field(900, ge=60)
    pin_failures: int = Field(5, ge=1, description="wrong current PINs per member in the window")
    expiring_days: int = Field(30, ge=1, le=365, description="'expiring soon' on the home page")
    lottery_draws_per_day: int = Field(3, ge=1, le=100, description="a member's draws of one lottery a day, "
                                                                     "unless the lottery's record says")
