"""Every list's search box shows its whole hint (the placeholder says what may be searched) in both
languages at the two screens HQ's staff use, in Chromium: a hint cut off ("…card number or m") hides what
the box finds."""

from __future__ import annotations

import pytest

LISTS = ["/console/members", "/console/members/approvals", "/console/orders", "/console/withdrawals",
         "/console/stock", "/console/stock/moves", "/console/stores", "/console/conflicts", "/console/users",
         "/console/audit", "/console/programme/product", "/console/programme/gift", "/console/programme/tier"]

# the hint's width as drawn in the box's own font, and the room the box gives it
CUT = """el => {
    const s = getComputedStyle(el);
    const c = document.createElement('canvas').getContext('2d');
    c.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const room = el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    const need = c.measureText(el.placeholder).width;
    return need > room + 1 ? [el.placeholder, need, room] : null; }"""  # clientWidth is rounded: 1px of slack


@pytest.mark.parametrize("width, height", [(1366, 768), (1920, 1080)])
def test_every_search_hint_is_shown_whole_in_both_languages(signed_in_page, width, height):
    page = signed_in_page
    page.set_viewport_size({"width": width, "height": height})
    cut = []
    for lang in ("zh", "en"):
        page.goto(f"/lang/{lang}?next=/console/")
        for path in LISTS:
            page.goto(path)
            found = page.eval_on_selector("form.filters input[type=search]", CUT)
            if found:
                cut.append((lang, path, *found))
    assert cut == []
