"""Whether a member may earn and spend online now (the mall's label scans, donations, games, lottery):
the member exists, was not merged into another, and is not frozen by customer service (a freeze holds
online at once; the tills show it to the cashier once they pull)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from hq_server import models as M
from hq_server.errors import HQProblem

FROZEN = "frozen: "  # member_care's mark on the risk flag


def require_active_member(conn: Connection, member_id: str) -> None:
    m = M.members.c
    row = conn.execute(select(m.risk_flag, m.merged_into).where(m.member_id == member_id)).first()
    if row is None or row.merged_into:
        raise HQProblem(404, "member_unknown", "this member is no longer in use")
    if (row.risk_flag or "").startswith(FROZEN):
        raise HQProblem(403, "member_frozen", "this account is frozen: customer service can say why")
