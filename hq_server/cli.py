"""`hq-server`: the HQ server's command line (the server itself is issue 4's work)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("hq-server: the HQ server is not built yet (see the HQ server issue)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
