"""App factory: heavy objects (database, overlap index, model) load once in ``lifespan``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from wastescreen import __version__
from wastescreen.api import (
    routes_admin,
    routes_batch,
    routes_reference,
    routes_registry,
    routes_screenings,
)
from wastescreen.api.docs import install_docs
from wastescreen.api.errors import install_error_handlers
from wastescreen.api.limits import BodySizeLimit, RateLimits, ScreeningSlots
from wastescreen.api.metrics import Metrics, MetricsMiddleware
from wastescreen.api.pages import ROUTERS as PAGE_ROUTERS
from wastescreen.api.pages.errors import page_error
from wastescreen.api.params import no_control_characters
from wastescreen.api.unexpected import RequestIdAndUnexpectedErrors
from wastescreen.core.collector import freeze_loaded_objects, thaw_loaded_objects
from wastescreen.core.exceptions import exception_summary
from wastescreen.core.settings import Settings, get_settings
from wastescreen.screening.batch_jobs import resume_stale_jobs
from wastescreen.screening.engine import load_engine
from wastescreen.screening.usecases import Screener
from wastescreen.storage.database import open_database

log = logging.getLogger("wastescreen")


async def _sweep_batch_jobs(app: FastAPI, cfg: Settings) -> None:
    """Every ``batch_sweep_seconds`` (and at start-up), run the batch jobs a stopped worker
    left open; in a thread, as screening is blocking work."""
    while True:
        screener: Screener = app.state.screener
        if screener.engine is not None and screener.engine.model is not None:
            try:
                await anyio.to_thread.run_sync(resume_stale_jobs, app.state.db.sessions,
                                               screener, cfg.batch_lease_seconds)
            except Exception as exc:  # keep sweeping: one bad job must not stop the others
                log.error("resuming interrupted batch jobs failed: %s", exception_summary(exc))
        await asyncio.sleep(cfg.batch_sweep_seconds)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for ``settings`` (the environment's when None)."""
    cfg = settings or get_settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = cfg
        # Disposed below by this lifespan itself: if the app's lifespan is started twice (a test
        # client and a schema walker both start it), each closes its own connections.
        db = app.state.db = open_database(cfg)
        app.state.rate_limits = RateLimits(cfg.rate_limit_per_minute,
                                           cfg.auth_failures_per_minute)
        engine = None
        try:
            with app.state.db.sessions() as session:
                engine = load_engine(cfg, session, compiled=True)
        except Exception as exc:  # serve /health and report not-ready rather than crash-loop
            log.error("screening engine failed to load: %s", exception_summary(exc))
        app.state.screener = Screener(
            engine, on_screened=lambda kind, band: metrics.screenings.labels(kind, band).inc())
        # What was loaded lives as long as the process: left out of the cycle collector's full
        # collections, which walked it all with the GIL held (``core.collector``).
        log.info("objects of this process frozen after start-up: %d", freeze_loaded_objects())
        sweeper = asyncio.create_task(_sweep_batch_jobs(app, cfg))
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            db.dispose()
            thaw_loaded_objects()

    app = FastAPI(title="wastescreen", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # served from the installed bundle instead
                  description="Screens S&T investment proposals for waste and redundancy risk, "
                              "and explains every score.",
                  dependencies=[Depends(no_control_characters)])
    app.state.metrics = metrics
    app.state.screening_slots = ScreeningSlots(cfg.screening_slots())
    install_error_handlers(app, page_error=page_error)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(BodySizeLimit, max_bytes=cfg.max_body_bytes)
    app.add_middleware(RequestIdAndUnexpectedErrors)  # added last: the outermost
    app.include_router(routes_screenings.router)
    app.include_router(routes_registry.router)
    app.include_router(routes_batch.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_reference.router)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    install_docs(app)

    @app.get("/health", tags=["ops"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/ready", tags=["ops"], responses={503: {"description": "Not ready"}})
    def ready(request: Request) -> JSONResponse:
        """Readiness: the database answers and a model and the registry index are loaded."""
        screener: Screener | None = getattr(request.app.state, "screener", None)
        engine = screener.engine if screener is not None else None
        checks = {"database": True, "engine": engine is not None,
                  "model": engine is not None and engine.model is not None}
        try:
            with request.app.state.db.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception:  # any failure here means "not ready"
            checks["database"] = False
        ok = all(checks.values())
        body = {"status": "ready" if ok else "not_ready", "checks": checks,
                "model_version": engine.model.version if engine and engine.model else None,
                # Served either way, but said: scores of such a model are not reliable.
                "model_features_match": bool(engine and engine.model
                                             and engine.model.features_match)}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/metrics", tags=["ops"], response_class=Response)
    def metrics_endpoint() -> Response:
        """Prometheus text format."""
        return Response(metrics.render(), media_type="text/plain; version=0.0.4")

    return app
