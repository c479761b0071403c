"""The HQ FastAPI application. State lives in the database only, so any number of
uvicorn workers can serve it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from hq_server import api_admin, api_sync, errors, label_keys
from hq_server.db import Database, database_url
from pos_app.sync.wire import PushRequest


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.db.dispose()


def create_app(url: str | None = None) -> FastAPI:
    app = FastAPI(title="Points-mall HQ", version="1", lifespan=_lifespan,
                  description="HQ server of the points-mall POS: store sync (DESIGN.md section 6) and admin API.")
    app.state.db = Database(url or database_url())
    errors.install(app)
    app.include_router(api_sync.router)
    app.include_router(api_admin.router)
    app.include_router(label_keys.router)

    @app.get("/api/v1/health", tags=["ops"])
    def health() -> dict:
        return {"ok": True, "pid": os.getpid()}

    def openapi() -> dict:
        # The push body is read raw (it may be gzip), so its schema is added by hand.
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema = PushRequest.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas = doc.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(schema.pop("$defs", {}))
            schemas["PushRequest"] = schema
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi
    return app
