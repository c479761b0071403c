"""A gift's picture uploaded in the console, on SQLite and PostgreSQL: made at most 800 pixels a side,
kept by HQ and served publicly under its content's hash, the gift record pointed at it (audited);
a file that is not a picture, a stale form, and the wrong role change nothing."""

from __future__ import annotations

import io
import re
import secrets

import httpx
from PIL import Image

from hq_server.db import Database
from hq_server.programme import catalogue_admin

from tests.console.client import Console, flash_of


def png(width: int, height: int, colour=(200, 30, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def upload(console: Console, gift: str, data: bytes, filename: str = "cup.png", seq: str | None = None):
    page = console.get(f"/console/programme/gift/{gift}")
    seen = re.search(r'id="picture-form".*?name="seq" value="(\d+)"', page.text, re.S).group(1)
    return console.http.post(f"/console/programme/gift/{gift}/picture",
                             data={"csrf": console.csrf, "seq": seq if seq is not None else seen},
                             files={"picture": (filename, data, "image/png")})


def test_upload_a_gift_picture(web_hq, staff_user):
    gift = f"G-{secrets.token_hex(4)}"
    assert web_hq.admin("PUT", f"/catalog/gift/{gift}", json={"name": "紫砂壶", "points_cost": 2000}).status_code == 200
    with Console(web_hq, *staff_user("operator")) as op:
        assert "暂无图片。" in op.get(f"/console/programme/gift/{gift}").text
        text = upload(op, gift, b"not a picture at all", "notes.txt")
        assert text.status_code == 422 and "图片须为 PNG、JPEG 或 WebP 文件" in text.text
        stale = upload(op, gift, png(40, 30), seq="999999999")  # another change since the form opened
        assert stale.status_code == 409
        done = upload(op, gift, png(1600, 1200))
        assert done.status_code == 303
        page = op.get(done.headers["location"])
        assert flash_of(page) == ["图片已保存：商城即时显示，收银机下次同步时更新。"]
        address = re.search(r'<img src="(/pictures/gifts/[0-9a-f]{32}\.png)"', page.text).group(1)
    served = httpx.get(web_hq.url + address)  # no sign-in: the mall's pages and a phone's cache fetch it
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).size == (800, 600)
    assert httpx.get(web_hq.url + "/pictures/gifts/" + "0" * 32 + ".png").status_code == 404
    assert httpx.get(web_hq.url + "/pictures/gifts/../../etc.png").status_code == 404
    db = Database(web_hq.db_url)
    assert catalogue_admin.item(db, "gift", gift)["image"] == address  # what the tills and the mall read
    db.dispose()
    with Console(web_hq, *staff_user("customer_service")) as cs:
        cs.get("/console/")
        refused = cs.http.post(f"/console/programme/gift/{gift}/picture", data={"csrf": cs.csrf},
                               files={"picture": ("x.png", png(10, 10), "image/png")})
        assert refused.status_code == 403
    with Console(web_hq) as admin:
        log = admin.get("/console/audit", params={"target": f"gift:{gift}"}).text
        assert "catalog.change" in log and address in log
