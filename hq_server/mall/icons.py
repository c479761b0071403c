"""The mall's line icons (templates/mall/icons.html) as a template global: `icon(name)` is each icon's
markup, rendered once per process (a macro call on every use was a good part of a page's rendering: the
tab bar alone draws five on every page)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

_ENV = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")), autoescape=True,
                   trim_blocks=True, lstrip_blocks=True, auto_reload=False)


@cache
def icon(name: str) -> Markup:
    return Markup(str(_ENV.get_template("mall/icons.html").module.icon(name)))  # type: ignore[attr-defined]
