"""The sales rows a checkout reads and writes, as plain SQL on the driver (see driver.py).

Every read here is served by an index: ix_sales_member_spend covers a member's rolling
spend, ix_sales_member_time a member's day, ix_sales_created_at the till's day.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection

from pos_app.store import driver


def spend_since(conn: Connection, member_id: str, since: datetime) -> int:
    """What the member paid since `since`, less what was refunded (the tiers' qualifying spend)."""
    return driver.scalar(conn, "SELECT COALESCE(SUM(due_fen - refunded_fen), 0) FROM sales "
                               "WHERE member_id = ? AND created_at >= ?", (member_id, driver.time_param(conn)(since)))


def earned_since(conn: Connection, member_id: str, since: datetime) -> int:
    return driver.scalar(conn, "SELECT COALESCE(SUM(earn_points), 0) FROM sales WHERE member_id = ? AND created_at >= ?",
                         (member_id, driver.time_param(conn)(since)))


def count_between(conn: Connection, start: datetime, end: datetime) -> int:
    when = driver.time_param(conn)
    return driver.scalar(conn, "SELECT COUNT(*) FROM sales WHERE created_at >= ? AND created_at < ?",
                         (when(start), when(end)))


def insert(conn: Connection, sale: dict, lines: list[dict]) -> None:
    """One sale and its lines; `sale` holds every column of _SALE_COLUMNS (tender and coupons
    as Python values, stored as JSON)."""
    row = {**sale, "created_at": driver.time_param(conn)(sale["created_at"]), "tender": json.dumps(sale["tender"]),
           "coupons": json.dumps(sale["coupons"])}
    driver.run(conn, _SQL_SALE, tuple(row[c] for c in _SALE_COLUMNS))
    driver.run_many(conn, _SQL_LINE, [tuple(line[c] for c in _LINE_COLUMNS) for line in lines])


def use_coupons(conn: Connection, codes, sale_id: str) -> None:
    driver.run_many(conn, "UPDATE coupons SET status = 'used', used_sale = ? WHERE code = ?",
                    [(sale_id, code) for code in codes])


_SALE_COLUMNS = ("sale_id", "receipt_no", "member_id", "staff_id", "guide_id", "created_at", "subtotal_fen",
                 "discount_fen", "cash_points", "cash_fen", "due_fen", "tender", "change_fen", "earn_points",
                 "guide_points", "coupons", "earn_event", "cash_event", "rule_version")
_LINE_COLUMNS = ("sale_id", "line_no", "sku", "name", "category", "qty", "unit_price_fen", "gross_fen",
                 "discount_fen", "cash_fen", "cash_points", "paid_fen", "points")
_SQL_SALE = f"INSERT INTO sales ({', '.join(_SALE_COLUMNS)}) VALUES ({', '.join('?' * len(_SALE_COLUMNS))})"
_SQL_LINE = f"INSERT INTO sale_lines ({', '.join(_LINE_COLUMNS)}) VALUES ({', '.join('?' * len(_LINE_COLUMNS))})"
