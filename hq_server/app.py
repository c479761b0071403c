"""The HQ FastAPI application. State lives in the database only, so any number of
uvicorn workers can serve it."""

from __future__ import annotations

import os

from fastapi import FastAPI

from hq_server import api_admin, api_sync, errors
from hq_server.db import Database, database_url


def create_app(url: str | None = None) -> FastAPI:
    app = FastAPI(title="Points-mall HQ", version="1",
                  description="HQ server of the points-mall POS: store sync (DESIGN.md section 6) and admin API.")
    app.state.db = Database(url or database_url())
    errors.install(app)
    app.include_router(api_sync.router)
    app.include_router(api_admin.router)

    @app.get("/api/v1/health", tags=["ops"])
    def health() -> dict:
        return {"ok": True, "pid": os.getpid()}

    @app.on_event("shutdown")
    def _close() -> None:
        app.state.db.dispose()

    return app
