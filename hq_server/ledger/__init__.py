"""HQ's ledger core (DESIGN.md section 9): ingest and the merge rules."""
