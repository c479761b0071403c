"""HQ's use cases (DESIGN.md section 9): one transaction each; the only API the faces call."""
