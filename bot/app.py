"""The FastAPI app factory: database, core, outbox worker, adapters and health checks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from adapters.admin_web.mount import mount_admin_web
from adapters.scim.routes import mount_scim
from bot.delivery import OutboxWorker
from bot.guard import GuardMiddleware
from bot.settings import Settings, get_settings
from core.admin.web_links import FillsSignInLinks, configure_secret
from core.clock import Clock, SystemClock
from core.db import make_engine, make_session_factory
from core.events import Sender
from core.mentorbot import Mentorbot


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the app for ``settings``; adapters are mounted only when configured.

    ``clock`` is shared by core and the outbox worker; tests pass a fake one to move time.
    """
    clock = clock or SystemClock()
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    # Any replica may send the DM that carries an admin sign-in link: they share its key.
    configure_secret(settings.admin_link_secret.get_secret_value()
                     if settings.admin_link_secret else None)
    sessions = make_session_factory(engine, clock)
    core = Mentorbot(sessions, admin_emails=settings.admin_email_list, clock=clock,
                     public_url=settings.public_url,
                     free_text_retention_months=settings.free_text_retention_months,
                     default_language=settings.default_language)
    worker = OutboxWorker(sessions, clock=clock)

    async def _plan() -> None:
        """Plan what is due (core decides; the scheduler only keeps time), then start sending.

        The schedule itself lives in our tables; planning is idempotent and one replica plans
        at a time, so a restart mid-way never doubles a message. It is its own job so that a
        long delivery never makes this replica skip planning.
        """
        try:
            await asyncio.to_thread(core.tick)
        finally:
            await worker.kick()

    async def _deliver() -> None:
        """Send whatever is due (retries, rows other replicas handed back)."""
        await worker.flush()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler = AsyncIOScheduler()
        for job, name in ((_plan, "plan"), (_deliver, "deliver")):
            scheduler.add_job(job, "interval", seconds=settings.tick_seconds, id=name,
                              max_instances=1, coalesce=True)
        scheduler.start()
        # Between ticks, rows that fall due without a kick here (retries, another replica's
        # hand-backs or lost leases, the end of an outage) go out within a second.
        worker.watch()
        try:
            yield
        finally:
            scheduler.shutdown(wait=False)
            await worker.drain()
            for close in getattr(app.state, "closers", []):
                await close()
            engine.dispose()

    app = FastAPI(title="Mentorbot", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.core = core
    app.state.worker = worker
    # Outermost: size and JSON limits apply before any route parses or authenticates. Inside
    # it, only the proxies named in TRUSTED_PROXIES may say who the client is and that it
    # came over https.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=[
        h.strip() for h in settings.trusted_proxies.split(",") if h.strip()])
    app.add_middleware(GuardMiddleware, hsts=settings.public_url.lower().startswith("https://"))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        """FastAPI's own 422 echoes the input back, and crashes on text it cannot encode."""
        def safe(value: object) -> str:
            return str(value).encode("utf-8", "replace").decode("utf-8")

        errors = [{"loc": [safe(p) for p in e.get("loc", ())], "msg": safe(e.get("msg", "")),
                   "type": safe(e.get("type", ""))} for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        """Readiness: the database answers."""
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any database failure means not ready
            return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, 503)
        return JSONResponse({"status": "ok"})

    mount_admin_web(app, sessions=sessions, core=core, settings=settings, clock=clock)
    mount_scim(app, sessions=sessions, clock=clock)

    def register(platform: str, sender: Sender) -> None:
        # Admin sign-in addresses are written into a message only as it leaves (never stored).
        worker.register(platform, FillsSignInLinks(sender, clock))

    if settings.slack_configured:
        from adapters.slack.mount import mount_slack

        register("slack", mount_slack(app, core=core, kick=worker.kick, settings=settings,
                                      sessions=sessions))
    if settings.teams_on:
        from adapters.teams.mount import mount_teams

        register("teams", mount_teams(app, core=core, kick=worker.kick, settings=settings))
    if settings.webchat_on:
        from adapters.webchat.mount import mount_webchat

        password = settings.webchat_password.get_secret_value() \
            if settings.webchat_password else None
        register("webchat", mount_webchat(app, core=core, kick=worker.kick,
                                          flush=worker.flush, password=password or None))
    # Known only once the adapters are mounted: who can open a group conversation.
    core.group_platforms = {name for name, sender in worker.senders.items()
                            if getattr(sender, "supports_group_chat", False)}
    return app
