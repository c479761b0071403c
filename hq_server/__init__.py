"""HQ server: receives every store's events and owns members, catalogue and rules."""
