"""Pure rules of the points programme: no Qt, no database, no network.

Everything here is plain Python over small immutable records, so tests run in
milliseconds and the HQ server can apply exactly the same rules.
"""
