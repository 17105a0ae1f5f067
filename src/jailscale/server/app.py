"""The registry's ASGI app: the JSON API under ``/api``, the web pages under ``/ui``, the OpenAPI
schema at ``/openapi.json``. ``create_app`` takes an open :class:`Registry` (migrated once, when it
was opened), so building an app never touches the schema."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import EnvironmentFault, UserError
from ..store.registry_models import RegistryOrg
from ..textsafe import quote
from .auth import Limits
from .db import Registry
from .deps import new_state
from .errors import ApiError, body
from .security import MAX_BODY, Guard

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("jailscale.server")


def _validation_message(e: RequestValidationError) -> str:
    items = []
    for err in e.errors()[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ())) or "(request)"
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        value = err.get("input")
        shown = "" if isinstance(value, dict | list) or value is None else f" (got {quote(value, 60)})"
        items.append(f"{loc}: {msg}{shown}")
    more = len(e.errors()) - 5
    return "; ".join(items) + (f"; and {more} more" if more > 0 else "")


def _respond(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if request.url.path.startswith("/ui"):
        from .ui import error_page

        return error_page(request, status, message)
    return JSONResponse(body(status, message), status_code=status, headers=headers)


def create_app(registry: Registry, limits: Limits | None = None, max_body: int = MAX_BODY,
               rate_limit_storage: str | None = None) -> FastAPI:
    """The app over an open ``registry``. ``rate_limit_storage`` is where the login and token limits
    count (a ``limits`` storage URL): None or ``memory://`` is this process only; ``redis://...``
    shares them between workers and instances."""
    from .api import router as api_router
    from .ui import router as ui_router

    app = FastAPI(title="jailscale registry", version=__version__, docs_url=None, redoc_url=None,
                  description="Cases of jailbreaks from report to closure: submissions, assessments from several "
                              "organisations, actions, re-tests and an audit log. Every error has the shape "
                              "{\"error\": {\"status\", \"code\", \"message\"}}.")
    app.state.jailscale = new_state(registry, limits, rate_limit_storage)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, e: ApiError) -> Response:
        return _respond(request, e.status, str(e), e.headers)

    @app.exception_handler(UserError)
    async def _user_error(request: Request, e: UserError) -> Response:
        return _respond(request, 400, str(e))

    @app.exception_handler(EnvironmentFault)
    async def _environment(request: Request, e: EnvironmentFault) -> Response:
        log.warning("environment fault: %s", e)
        return _respond(request, 503, "the registry is unavailable: its database cannot be reached or is busy; "
                        "try again later", {"Retry-After": "30"})

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, e: IntegrityError) -> Response:
        return _respond(request, 409, "the request conflicts with stored data (a duplicate or a missing reference)")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError) -> Response:
        return _respond(request, 422, _validation_message(e))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException) -> Response:
        message = e.detail if isinstance(e.detail, str) else "request failed"
        return _respond(request, e.status_code, message, dict(e.headers or {}))

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/cases", status_code=303)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/healthz", summary="Liveness and database check: 503 when the database or its tables cannot be read")
    def healthz(request: Request) -> dict[str, Any]:
        with registry.session() as s:
            s.execute(select(RegistryOrg.id).limit(1)).all()
        return {"ok": True, "version": __version__}

    app.include_router(api_router)
    app.include_router(ui_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(Guard, max_body=max_body)
    return app
