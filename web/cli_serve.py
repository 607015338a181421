"""`formwork serve`: gunicorn run from code, or Flask's development server with --debug.

The command is told where the app is, the way `flask run` is (`flask --app web serve`, or
`web` for the `formwork` script), and never imports the app factory: the factory registers
these commands on the app's cli, so an import back would tie the two in a circle.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from functools import partial
from typing import Any

import click
from flask import Flask
from flask.cli import ScriptInfo, locate_app
from gunicorn.app.base import BaseApplication

from web.cli_common import formwork_command

APP_MODULE = "web"  # the package whose create_app() the `formwork` script serves


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
@click.option(
    "--worker/--no-worker",
    "import_worker",
    default=True,
    show_default=True,
    help="Run queued import jobs and send notifications in threads of each server process.",
)
def serve(host: str, port: int, workers: int, debug: bool, import_worker: bool) -> None:
    """Serve the web app: gunicorn, or Flask's development server with --debug.

    Each server process also runs queued import jobs and sends notifications in threads of
    its own (so the server alone makes them work); --no-worker leaves them to `formwork worker`.
    """
    load = partial(_with_import_thread, app_loader()) if import_worker else app_loader()
    if debug:
        from werkzeug.serving import run_simple

        serving = os.environ.get("WERKZEUG_RUN_MAIN") == "true"  # the reloader's child
        app = load() if serving else app_loader()()
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
    GunicornServer(options, load).run()


def _with_import_thread(load: Callable[[], Flask]) -> Flask:
    """The app, with a thread of this process running queued import jobs. Should the thread
    not start (its store unusable), the server serves on and says so in its log."""
    from engine.imports.jobs_worker import ImportWorker
    from web.pages.uploads import file_store

    app = load()
    try:
        with app.app_context():
            store = file_store()
        ImportWorker(app.extensions["formwork"].session_factory, store, role="serve").start()
    except Exception:  # the server is worth more than its import thread
        app.logger.exception("import jobs will wait for `formwork worker`")
    try:
        from engine.notifications.worker import NotificationWorker

        NotificationWorker(app.extensions["formwork"].session_factory).start()
    except Exception:  # a wrong FORMWORK_SMTP_... setting: said in the log, the server serves
        app.logger.exception("notifications will wait for `formwork worker`")
    return app


def app_loader() -> Callable[[], Flask]:
    """What builds the app to serve: the app `flask --app ...` names, else `web`'s factory."""
    ctx = click.get_current_context(silent=True)
    info = ctx.find_object(ScriptInfo) if ctx is not None else None
    if info is None or (info.app_import_path is None and info.create_app is None):
        return partial(locate_app, APP_MODULE, None)
    return partial(_load_fresh, info.app_import_path, info.create_app)


def _load_fresh(path: str | None, factory: Callable[..., Flask] | None) -> Flask:
    """A new app as the ScriptInfo found it (its loaded app is not shared with workers)."""
    return ScriptInfo(app_import_path=path, create_app=factory).load_app()


class GunicornServer(BaseApplication):
    """Gunicorn run from code, with the app built by `load` in each worker."""

    def __init__(self, options: dict[str, Any], load: Callable[[], Flask]):
        self.options = options
        self.load_app = load
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings older gunicorn releases lack are skipped
                self.cfg.set(key, value)

    def load(self) -> Any:
        app = self.load_app()
        # What is built by now (libraries, the app) lives as long as the worker: frozen out
        # of the cycle collector, whose full passes would walk it all again, about 120 ms
        # each, every few large requests (a batch of 1,000 records answers 20 % sooner).
        gc.collect()
        gc.freeze()
        return app
