"""`pos-app labels ...`: label keys, signed label batches, sheets, and checking a payload.

Works without the store's database: the product's name comes from the command line
(or the batch file), so HQ can run it anywhere it keeps the label key.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from pos_app.domain.codes import Rejected


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def cmd_keygen(args) -> int:
    from pos_app.scanner.labels import generate_key

    kid, raw = generate_key(args.out)
    print(f"key id      {kid}\nprivate key {args.out}  (keep it at HQ: whoever has it can mint labels)")
    print(f"public key  {args.out}.pub\npublic hex  {raw.hex()}  (what stores trust)")
    return 0


def cmd_batch(args) -> int:
    from pos_app.scanner import labels as L

    key = L.load_private_key(args.key)
    batch = L.create_batch(sku=args.sku, name=args.name, count=args.count, prizes=args.prizes, key=key, now=_now(),
                           batch_code=args.batch_code)
    return _print_outputs(batch, args.out, args)


def cmd_sheet(args) -> int:
    from pos_app.scanner import labels as L

    batch = L.load_batch(args.batch_file)
    return _print_outputs(batch, args.out, args, write_json=False)


def _print_outputs(batch, out: Path, args, write_json: bool = True) -> int:
    from pos_app.scanner import labels as L

    if write_json:
        print(f"batch  {L.write_batch(batch, out)}")
    print(f"sheet  {L.write_pdf(batch, out / f'labels-{batch.batch}.pdf', args.columns, args.rows)}")
    if not args.no_png:
        pngs = L.write_pngs(batch, out / f"png-{batch.batch}")
        print(f"pngs   {len(pngs)} in {pngs[0].parent}")
    table = ", ".join(f"{pts}x{n}" for pts, n in sorted(L._allocation(batch.labels).items()))
    print(f"{len(batch.labels)} labels for {batch.name} ({batch.sku}), batch {batch.batch}, key {batch.key_id}; "
          f"points {table}; total {batch.total_points}")
    return 0


def cmd_verify(args) -> int:
    from pos_app.scanner.labels import load_public_key, verify_text

    got = verify_text(args.payload, load_public_key(args.pub), _now())
    if isinstance(got, Rejected):
        print(f"refused ({got.reason.value}): {got.message}", file=sys.stderr)
        return 2
    print(got)
    return 0


def _count(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a whole number of labels") from None


def register(subparsers) -> None:
    labels = subparsers.add_parser("labels", help="signed product label batches (HQ's label key)",
                                   description="Make a label key, sign a batch of product labels and print them.")
    sub = labels.add_subparsers(dest="labels_command", required=True)
    p = sub.add_parser("keygen", help="make a new Ed25519 label key (private PEM + .pub)")
    p.add_argument("--out", type=Path, required=True, help="private key file to create")
    p.set_defaults(func=cmd_keygen)

    def sheet_options(p):
        p.add_argument("--out", type=Path, required=True, help="folder for the batch file, PDF sheet and PNGs")
        p.add_argument("--columns", type=int, default=4, choices=range(1, 9), metavar="1-8")
        p.add_argument("--rows", type=int, default=6, choices=range(1, 13), metavar="1-12")
        p.add_argument("--no-png", action="store_true", help="only the PDF sheet")

    p = sub.add_parser("batch", help="sign a batch of labels and print it (PDF sheet + PNGs)")
    p.add_argument("--sku", required=True)
    p.add_argument("--name", required=True, help="the product's name printed on each label")
    p.add_argument("--count", type=_count, required=True)
    p.add_argument("--prizes", required=True, help="points, fixed (20) or a table POINTS:WEIGHT,... (8:50,28:30,68:5)")
    p.add_argument("--key", type=Path, required=True, help="HQ's private label key (from keygen)")
    p.add_argument("--batch-code", help="8 characters A-Z/2-7 (default: random)")
    sheet_options(p)
    p.set_defaults(func=cmd_batch)
    p = sub.add_parser("sheet", help="print an existing batch file again")
    p.add_argument("batch_file", type=Path)
    sheet_options(p)
    p.set_defaults(func=cmd_sheet)
    p = sub.add_parser("verify", help="check a scanned payload against a label public key")
    p.add_argument("payload")
    p.add_argument("--pub", type=Path, required=True, help="the .pub file or 64 hex digits in a file")
    p.set_defaults(func=cmd_verify)
