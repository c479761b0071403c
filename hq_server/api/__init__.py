"""HQ's JSON API (DESIGN.md section 9): thin routers for tills (sync) and staff (admin, users)."""
