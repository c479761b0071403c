"""Reading the fields of a record HQ publishes (a gift, a campaign, a tier ...).

HQ checks a record with the very parser a till applies it with (each record's `parse_*`
in its own domain module), so everything HQ accepts every till accepts. A `Fields`
reader collects one Problem per bad field, each naming the field (`params["field"]`,
and the message starts with it), so HQ answers a 422 that says what to fix and a till
records a problem a manager can read.

Unknown fields: HQ reads strictly (a typo such as `prize_id` for `code` is refused);
a till reads leniently, so a newer HQ may add a field without older tills dropping
the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pos_app.domain.problems import Problem, problem

INT64_MAX = 2**63 - 1
# Fields of every record's pull item that are about the item, not the thing: its key, and whether
# HQ retired it (a till keeps a retired thing, inactive).
ITEM_FIELDS = frozenset({"key", "deleted", "active"})
_MISSING = object()


def parse_time(value: Any) -> datetime:
    """An ISO 8601 time; one with an offset becomes UTC, one without is taken as UTC already.
    Raises ValueError for anything else ("next tuesday")."""
    if not isinstance(value, str):
        raise ValueError(f"not a time: {value!r}")
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 time: {value[:40]!r}") from None
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


class Fields:
    """One record's fields, read one by one. Each reader returns the value, or None when the
    field is bad (and records a problem naming it); `problems` holds them all at the end."""

    def __init__(self, what: str, data: Any, *, strict: bool = False, prefix: str = "", item: bool = True):
        self.what, self.strict, self.prefix = what, strict, prefix
        self.problems: list[Problem] = []
        self.read: set[str] = set(ITEM_FIELDS) if item else set()
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        if not isinstance(data, dict):
            self.problems.append(problem(f"{what}.invalid", f"{prefix or what}: must be an object", field=prefix))

    def bad(self, name: str, why: str) -> None:
        field = self.prefix + name
        self.problems.append(problem(f"{self.what}.invalid", f"{field}: {why}", field=field))

    def _get(self, name: str, required: bool) -> Any:
        self.read.add(name)
        value = self.data.get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.bad(name, "is required")
            return _MISSING
        return value

    def text(self, name: str, *, required: bool = True, max_len: int = 80) -> str | None:
        v = self._get(name, required)
        if v is _MISSING:
            return None
        if not isinstance(v, str) or (required and not v.strip()) or len(v) > max_len or "\x00" in v:
            self.bad(name, f"must be text of 1 to {max_len} characters")
            return None
        return v

    def whole(self, name: str, *, required: bool = True, least: int = 0, most: int = INT64_MAX,
              default: int | None = None) -> int | None:
        v = self._get(name, required and default is None)
        if v is _MISSING:
            return default
        if not isinstance(v, int) or isinstance(v, bool) or not least <= v <= most:
            self.bad(name, f"must be a whole number from {least} to {most}")
            return None
        return v

    # A required field's value, or a stand-in when it is bad (missing, of the wrong type or out of range):
    # the problem is recorded then, so done() refuses the record and the stand-in is never used.
    def need_text(self, name: str, *, max_len: int = 80) -> str:
        v = self.text(name, max_len=max_len)
        return "" if v is None else v

    def need_whole(self, name: str, *, least: int = 0, most: int = INT64_MAX, default: int | None = None) -> int:
        v = self.whole(name, least=least, most=most, default=default)
        return least if v is None else v

    def time(self, name: str, *, required: bool = False) -> datetime | None:
        v = self._get(name, required)
        if v is _MISSING:
            return None
        try:
            return parse_time(v)
        except ValueError as exc:
            self.bad(name, str(exc))
            return None

    def flag(self, name: str, default: bool) -> bool:
        v = self._get(name, False)
        if v is _MISSING:
            return default
        if not isinstance(v, bool):  # bool("false") would read as True
            self.bad(name, "must be true or false")
            return default
        return v

    def texts(self, name: str, *, max_len: int = 80, most: int = 1000) -> tuple[str, ...]:
        v = self._get(name, False)
        if v is _MISSING:
            return ()
        if not isinstance(v, list) or len(v) > most or not all(isinstance(s, str) and 0 < len(s) <= max_len
                                                               for s in v):
            self.bad(name, f"must be a list of at most {most} texts of 1 to {max_len} characters")
            return ()
        return tuple(v)

    def items(self, name: str, *, most: int = 100) -> list[tuple[str, Any]]:
        """A list of objects: [(its field prefix, the object)], e.g. ("prizes[0].", {...})."""
        v = self._get(name, True)
        if v is _MISSING:
            return []
        if not isinstance(v, list) or not 0 < len(v) <= most:
            self.bad(name, f"must be a list of 1 to {most} objects")
            return []
        return [(f"{self.prefix}{name}[{i}].", item) for i, item in enumerate(v)]

    def nested(self, prefix: str, data: Any) -> Fields:
        """A reader for one object inside the record; its problems join this one's at `done`."""
        return Fields(self.what, data, strict=self.strict, prefix=prefix, item=False)

    def join(self, inner: Fields) -> None:
        self.problems += inner.done()

    def done(self, *, allowed: Iterable[str] = ()) -> tuple[Problem, ...]:
        """The problems found, with (when strict) one per field nobody read."""
        if self.strict:
            known = self.read | set(allowed)
            for name in sorted(k for k in self.data if k not in known):
                self.bad(str(name)[:40], "is not a field of this record")
        return tuple(self.problems)
