"""The HQ FastAPI application. State lives in the database only, so any number of
uvicorn workers can serve it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import Any
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from hq_server import errors, label_keys, openapi_doc, sealing
from hq_server.api import admin as api_admin, campaigns as api_campaigns, orders as api_orders,\
    programme as api_programme,\
    stock as api_stock, sync as api_sync, \
    users as api_users
from hq_server.admin_answers import Health
from hq_server.auth import now
from hq_server.db import Database
from hq_server.guards import BodyLimit
from hq_server.login import HashGate
from hq_server.programme import jobs
from hq_server.settings import Settings
from pos_app.sync.wire import MAX_BODY_BYTES

PUSH_PATH = "/api/v1/sync/push"
log = logging.getLogger("hq_server")


async def _job_timer(app: FastAPI, every_s: int) -> None:
    """Runs HQ's due jobs now and then (hq_server.programme.jobs: one worker runs each per period)."""
    while True:
        try:
            await run_in_threadpool(jobs.run_due, app.state.db, now=now())
        except Exception:  # a job's failure must not end the timer: it is logged and tried next time
            log.exception("scheduled jobs failed")
        await asyncio.sleep(every_s)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    every = app.state.settings.jobs_check_s
    timer = asyncio.create_task(_job_timer(app, every)) if every else None
    yield
    if timer is not None:
        timer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await timer
    await app.state.db.close_loop_reads()
    app.state.db.dispose()


def create_app(url: str | None = None, settings: Settings | None = None) -> FastAPI:
    """HQ's application with these settings (default: read from the environment, HQ_*); `url` overrides
    the settings' database (tests)."""
    settings = settings or Settings()
    url = url or settings.db_url()
    sealing.configure(url, settings)
    app = FastAPI(title="Points-mall HQ", version="1", lifespan=_lifespan,
                  description="HQ server of the points-mall POS: store sync (DESIGN.md section 6) and admin API.")
    app.state.settings = settings
    app.state.db = Database(url, settings.replica_url)
    app.state.hash_gate = HashGate(settings.login_hash_slots, settings.login_queue, settings.login_slots_dir)
    from hq_server.mall.scan_page import PHOTO_PATH
    from hq_server.programme.label_photos import MAX_PHOTO_BYTES
    # a push's batch, and a member's photo of a label (a phone's camera: megabytes)
    larger = {PUSH_PATH: MAX_BODY_BYTES, PHOTO_PATH: MAX_PHOTO_BYTES + 64 * 1024}
    app.add_middleware(BodyLimit, default=settings.max_body_bytes, larger=larger,
                       max_depth=settings.max_json_depth)
    errors.install(app)
    app.include_router(api_sync.router)
    app.include_router(api_users.router)
    app.include_router(api_admin.router)
    app.include_router(api_stock.router)
    app.include_router(label_keys.router)
    from hq_server.console import pages as console_pages
    console_pages.mount(app)
    from hq_server.mall import pages as mall_pages
    mall_pages.mount(app)
    app.include_router(api_programme.router)
    app.include_router(api_campaigns.router)
    app.include_router(api_orders.router)

    @app.get("/api/v1/health", tags=["ops"], response_model=Health)
    def health() -> Health:
        return Health(ok=True, pid=os.getpid())

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_doc.build(app.title, app.version, app.description, app.routes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to replace the schema
    return app
