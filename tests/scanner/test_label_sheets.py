"""Label batches: signed, drawn from the prize table, printed as PNGs and a PDF that scan back."""

from __future__ import annotations

import json
import random
import re
from datetime import datetime

import cv2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_app.cli import main
from pos_app.domain.codes import KeyRing, ProductLabel, Reason
from pos_app.domain.problems import Refused
from pos_app.scanner import labels as L
from pos_app.scanner.decoding import decode
from pos_app.scanner.formats import Trust, parse, public_bytes

NOW = datetime(2026, 11, 25, 8)


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.from_private_bytes(bytes(range(40, 72)))


def trust_for(key) -> Trust:
    ring = KeyRing()
    ring.trust_label_key(public_bytes(key))
    return Trust.of(ring)


def test_a_batch_follows_its_prize_table_and_every_label_verifies(key):
    batch = L.create_batch(sku="TEA-OOLONG", name="铁观音 250g", count=50, prizes="8:50,28:30,38:10,48:6,68:4",
                           key=key, now=NOW, shuffle=random.Random(5).shuffle)
    assert len(batch.labels) == 50 and len({lb.serial for lb in batch.labels}) == 50
    assert L._allocation(batch.labels) == {8: 25, 28: 15, 38: 5, 48: 3, 68: 2}
    assert batch.total_points == 25 * 8 + 15 * 28 + 5 * 38 + 3 * 48 + 2 * 68
    assert [lb.points for lb in batch.labels] != sorted(lb.points for lb in batch.labels)  # shuffled
    trust = trust_for(key)
    for lb in batch.labels:
        got = parse(lb.payload, now=NOW, trust=trust)
        assert got == ProductLabel("TEA-OOLONG", lb.serial, lb.points, batch.key_id)
        assert got.batch == batch.batch


def test_bad_batch_input_is_refused_all_at_once(key):
    with pytest.raises(Refused) as err:
        L.create_batch(sku="TEA OOLONG", name="", count=0, prizes="8:x", key=key, now=NOW)
    assert set(err.value.codes) == {"label.sku", "label.name", "label.count", "label.prizes"}
    with pytest.raises(Refused) as err:
        L.create_batch(sku="TEA", name="Tea", count=1, prizes="8", key=key, now=NOW, batch_code="lower123")
    assert err.value.codes == ("label.batch_code",)


def test_png_labels_scan_back_to_their_payloads(key, tmp_path):
    batch = L.create_batch(sku="CUP-SET-01", name="Tea cups 茶杯", count=3, prizes="20", key=key, now=NOW)
    paths = L.write_pngs(batch, tmp_path / "png")
    assert [p.name for p in paths] == [f"{lb.serial}.png" for lb in batch.labels]
    trust = trust_for(key)
    for path, lb in zip(paths, batch.labels):
        image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        found = decode(cv2.resize(image, (320, 400), interpolation=cv2.INTER_AREA))  # as a camera sees it
        assert [d.text for d in found] == [lb.payload]
        assert parse(found[0].text, now=NOW, trust=trust).points == 20


def test_pdf_sheet_has_one_page_per_24_labels(key, tmp_path):
    batch = L.create_batch(sku="TEA", name="Tea", count=30, prizes="8:1,68:1", key=key, now=NOW)
    pdf = L.write_pdf(batch, tmp_path / "sheet.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and re.search(rb"/Count 2\b", data)


def test_a_batch_file_reloads_and_an_edited_one_is_refused(key, tmp_path):
    batch = L.create_batch(sku="TEA", name="Tea", count=4, prizes="8:1,68:1", key=key, now=NOW)
    path = L.write_batch(batch, tmp_path)
    again = L.load_batch(path)
    assert again.labels == batch.labels and again.key_id == batch.key_id and again.name == "Tea"
    data = json.loads(path.read_text())
    cheap = next(lb for lb in data["labels"] if lb["points"] == 8)
    cheap["points"] = 68  # someone "upgrades" a label in the file
    path.write_text(json.dumps(data))
    with pytest.raises(Refused) as err:
        L.load_batch(path)
    assert err.value.codes == ("label.batch_mismatch",)
    path.write_text("{not json")
    with pytest.raises(Refused) as err:
        L.load_batch(path)
    assert err.value.codes == ("label.batch_file",)


def test_cli_keygen_batch_sheet_and_verify(tmp_path, capsys):
    key_file = tmp_path / "hq" / "label.key"
    assert main(["labels", "keygen", "--out", str(key_file)]) == 0
    out = capsys.readouterr().out
    kid = re.search(r"key id\s+(\w+)", out).group(1)
    assert key_file.stat().st_mode & 0o077 == 0  # the private key is the owner's alone
    assert main(["labels", "keygen", "--out", str(key_file)]) == 2  # never overwritten
    assert "already exists" in capsys.readouterr().err

    assert main(["labels", "batch", "--sku", "TEA-OOLONG", "--name", "乌龙茶", "--count", "5", "--prizes",
                 "8:3,68:2", "--key", str(key_file), "--out", str(tmp_path / "out")]) == 0
    batch_file = next((tmp_path / "out").glob("batch-*.json"))
    batch = L.load_batch(batch_file)
    assert batch.key_id == kid and L._allocation(batch.labels) == {8: 3, 68: 2}
    assert len(list((tmp_path / "out").glob(f"png-{batch.batch}/*.png"))) == 5
    assert (tmp_path / "out" / f"labels-{batch.batch}.pdf").exists()

    assert main(["labels", "sheet", str(batch_file), "--out", str(tmp_path / "reprint"), "--no-png"]) == 0
    assert (tmp_path / "reprint" / f"labels-{batch.batch}.pdf").exists()
    assert not list((tmp_path / "reprint").glob("png-*"))

    capsys.readouterr()
    assert main(["labels", "verify", batch.labels[0].payload, "--pub", f"{key_file}.pub"]) == 0
    assert batch.labels[0].serial in capsys.readouterr().out
    other = tmp_path / "other.key"
    main(["labels", "keygen", "--out", str(other)])
    capsys.readouterr()
    assert main(["labels", "verify", batch.labels[0].payload, "--pub", f"{other}.pub"]) == 2
    assert Reason.FORGED.value in capsys.readouterr().err


def test_cli_refuses_bad_input_and_writes_nothing(tmp_path, capsys):
    key_file = tmp_path / "k"
    main(["labels", "keygen", "--out", str(key_file)])
    out = tmp_path / "out"
    assert main(["labels", "batch", "--sku", "TEA", "--name", "Tea", "--count", "5", "--prizes", "8:0",
                 "--key", str(key_file), "--out", str(out)]) == 2
    assert "refused:" in capsys.readouterr().err and not out.exists()
    assert main(["labels", "batch", "--sku", "TEA", "--name", "Tea", "--count", "5", "--prizes", "8",
                 "--key", str(tmp_path / "missing.key"), "--out", str(out)]) == 2
    assert "keygen" in capsys.readouterr().err and not out.exists()
    (tmp_path / "junk.key").write_text("not a key")
    assert main(["labels", "batch", "--sku", "TEA", "--name", "Tea", "--count", "5", "--prizes", "8",
                 "--key", str(tmp_path / "junk.key"), "--out", str(out)]) == 2
    assert not out.exists()
    with pytest.raises(SystemExit):
        main(["labels", "batch", "--sku", "TEA", "--name", "Tea", "--count", "five", "--prizes", "8",
              "--key", str(key_file), "--out", str(out)])
    assert not out.exists()
