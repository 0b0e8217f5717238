"""The API documentation (Swagger UI at ``/docs``), served from the installed package
``swagger-ui-bundle-v2``: nothing is fetched from a CDN, so it works on a machine without the
internet.

The page loads the bundle and a start-up script, both from this server, under its own
Content-Security-Policy (scripts from this origin only, no inline script); ``GET /`` leads a
person to the pages.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import escape

STATIC = "/docs/static"
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'")
_START = """window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"
  });
};
"""


def _page(title: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — API</title>
<link rel="stylesheet" href="{STATIC}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{STATIC}/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI from the installed bundle), its files, and ``GET /``. Create the
    app with ``docs_url=None, redoc_url=None`` so that FastAPI's CDN pages are not served."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount(STATIC, StaticFiles(directory=swagger_ui_path), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_page(app.title), headers={"Content-Security-Policy": DOCS_CSP})

    @app.get("/docs/start.js", include_in_schema=False)
    def start() -> Response:
        return Response(_START, media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> RedirectResponse:
        """A person who opens the server's address lands on the pages (the sign-in, when not
        signed in); the API lives under ``/v1`` and is described at ``/docs``."""
        lang = request.query_params.get("lang")
        return RedirectResponse("/ui?lang=en" if lang == "en" else "/ui", status_code=303)
