"""The members' points mall (积分商城): mobile web pages at /m over HQ's programme use cases (DESIGN.md 9, 12)."""
