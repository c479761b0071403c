"""A face's templates: one Jinja2 environment per language (gettext installed in each, so a
template's `_()` and `{% trans %}` never share state across requests), a render that fills in
what every page needs (language, CSRF token, flash messages, formats), and one block of a page
rendered alone for htmx (jinja2-fragments).

    PAGES = Pages("console", Path(__file__).parent)        # templates/, locale/ beside it
    return PAGES.render(request, "console/members.html", {"page": page})
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.support import NullTranslations
from fastapi import Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2_fragments import render_block
from starlette.responses import HTMLResponse

from hq_server.web import csrf, flash, formats, i18n, listing

WEB_DIR = Path(__file__).parent


class Pages:
    def __init__(self, face: str, face_dir: Path, globals: dict[str, Any] | None = None):
        self.face = face
        self.globals = globals or {}
        self.locale_dirs = (face_dir / "locale", WEB_DIR / "locale")
        loader = FileSystemLoader([str(face_dir / "templates"), str(WEB_DIR / "templates")])
        self._envs = {lang: self._env(lang, loader) for lang in i18n.LANGS}

    def _env(self, lang: str, loader: FileSystemLoader) -> Environment:
        env = Environment(loader=loader, autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                          extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
                          # templates are read once a process: no stat() of each template on every render
                          # (a changed template shows after a restart)
                          auto_reload=False)
        translations = i18n.translations(lang, self.locale_dirs)
        # the i18n extension adds this method to the environment when it loads (jinja2's stubs do not know it)
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        # `tr`: a use case's refusal in the reader's language where the catalogue has it, else as written
        # (plain gettext: the sentence is never %-formatted, whatever it holds)
        env.filters["tr"] = _translator(translations)
        env.filters.update(pretty_json=formats.pretty_json, yuan=formats.yuan, points=formats.points, local_time=formats.local_time,
                           cell=formats.cell)
        env.globals.update(link=listing.link, sort_link=listing.sort_link, pages_around=listing.pages_around,
                           lang_names=i18n.NAMES, langs=i18n.LANGS, csrf_field=csrf.FIELD, **self.globals)
        return env

    def gettext(self, request: Request) -> Callable[[str], str]:
        return i18n.translations(lang_of(request), self.locale_dirs).gettext

    def context(self, request: Request, extra: dict[str, Any] | None) -> dict[str, Any]:
        secret = getattr(request.state, "session_secret", None)
        return {"request": request, "lang": lang_of(request),
                "csrf_token": csrf.token_for(secret) if secret else "",
                "flashes": flash.take(request, secret), "staff": getattr(request.state, "staff", None),
                **(extra or {})}

    def render(self, request: Request, template: str, extra: dict[str, Any] | None = None, *, status: int = 200,
               block: str | None = None) -> HTMLResponse:
        """The page (or one block of it, for htmx) in the reader's language."""
        env = self._envs[lang_of(request)]
        ctx = self.context(request, extra)
        page = env.get_template(template)
        # jinja2-fragments sees a template's own blocks only: a page that inherits the block from its parent
        # answers whole, and htmx's hx-select takes the block out of it
        html = render_block(env, template, block, **ctx) if block in page.blocks else page.render(**ctx)
        response = HTMLResponse(html, status_code=status)
        flash.forget(response, request)
        csrf.remember_pre_session(response, request)
        return response


def _translator(translations: NullTranslations) -> Callable[[Any], str]:
    """`tr`: a plain sentence by its own msgid; one made by hq_server.programme.refusals.said by its msgid
    with its values put in after (a catalogue without it: the English sentence as written)."""
    def tr(text: Any) -> str:
        msgid = getattr(text, "msgid", None)
        if msgid is None:
            return translations.gettext(text)
        translated = translations.gettext(msgid)
        if translated == msgid:
            return str(text)
        try:  # a value that is itself a said word (an order's state) is put in in the reader's language
            filled: str = translated % {k: tr(v) if hasattr(v, "msgid") else v for k, v in text.params.items()}
        except (KeyError, ValueError, TypeError):
            return str(text)
        return filled
    return tr


def lang_of(request: Request) -> str:
    return i18n.pick(request.cookies.get(i18n.COOKIE))
