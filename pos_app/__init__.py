"""Points-mall POS: the store's offline-first desktop app."""

__version__ = "0.1.0"
