"""Date-times in HQ's answers carry their zone. HQ stores naive UTC (both databases hold it so); an
answer that sent it naive left clients to guess, and the OpenAPI document's date-time requires a zone."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from pydantic import AfterValidator


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]
