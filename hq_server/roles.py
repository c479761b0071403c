"""Who HQ's staff are, and what each may do (the console's pages and the admin API check the same)."""

from __future__ import annotations

from enum import StrEnum


class StaffRole(StrEnum):
    ADMIN = "admin"                        # the chain's admin: everything, users and roles
    OPERATOR = "operator"                  # catalogue, rules, tiers, campaigns, gifts, coupons, labels
    CUSTOMER_SERVICE = "customer_service"  # members, adjustments, online orders, tickets
    FINANCE = "finance"                    # reports, withdrawals, payouts, the ledger read-only
    STORE_MANAGER = "store_manager"        # their own store: stock, staff, reports, tills


ADMIN = StaffRole.ADMIN
OPERATOR = StaffRole.OPERATOR
CUSTOMER_SERVICE = StaffRole.CUSTOMER_SERVICE
FINANCE = StaffRole.FINANCE
STORE_MANAGER = StaffRole.STORE_MANAGER

# What each area of HQ needs. The admin is in every set (hq_server.auth.require adds it).
CATALOGUE = frozenset({OPERATOR})
CATALOGUE_READ = frozenset({OPERATOR, CUSTOMER_SERVICE, FINANCE, STORE_MANAGER})
MEMBERS = frozenset({CUSTOMER_SERVICE})
MEMBERS_READ = frozenset({CUSTOMER_SERVICE, FINANCE})
REPORTS = frozenset({FINANCE, OPERATOR})
CONFLICTS = frozenset({CUSTOMER_SERVICE})
CONFLICTS_READ = frozenset({CUSTOMER_SERVICE, FINANCE, OPERATOR})
STORES = frozenset({STORE_MANAGER})  # a store manager only for their own store (checked per store)
USERS: frozenset[StaffRole] = frozenset()                   # the admin alone
