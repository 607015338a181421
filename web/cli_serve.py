"""`formwork serve`: gunicorn run from code, or Flask's development server with --debug."""

from __future__ import annotations

from typing import Any

import click
from gunicorn.app.base import BaseApplication

from web.cli_common import formwork_command


@formwork_command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    envvar="WEB_CONCURRENCY",
    help="Gunicorn worker processes (WEB_CONCURRENCY).",
)
@click.option("--debug", is_flag=True, help="Flask's development server with reloader.")
def serve(host: str, port: int, workers: int, debug: bool) -> None:
    """Serve the web app: gunicorn, or Flask's development server with --debug."""
    if debug:
        from werkzeug.serving import run_simple

        from web import create_app

        app = create_app()
        app.debug = True
        run_simple(host, port, app, use_reloader=True, use_debugger=True, threaded=True)
        return
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options = {
        "bind": bind,
        "workers": workers,
        "accesslog": "-",
        # The longest request line gunicorn reads (its default is 4094): list filters travel
        # in the query string; the API answers 414 in JSON from 8,000 bytes of address.
        "limit_request_line": 8190,
        # No control socket in the home folder (gunicorn 25.1+): two servers would share it.
        "control_socket_disable": True,
    }
    GunicornServer(options).run()


class GunicornServer(BaseApplication):
    """Gunicorn run from code, with the app built by create_app() in each worker."""

    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings older gunicorn releases lack are skipped
                self.cfg.set(key, value)

    def load(self) -> Any:
        from web import create_app

        return create_app()
