"""Signing in and out, and the language switch (the profile page is web/profile.py).

Flask-Login keeps the signed-in user's id in the signed session cookie, beside the token of
a server-side session (`engine.sessions`); every request checks that session and loads the
user again from the database, so signing out, deactivation, a new password, the session's
lifetime (12 h) and its idle timeout (2 h) end it on every worker at once, and a copy of the
cookie taken earlier is refused. Passwords are checked by `engine.accounts`
(argon2). Flask-WTF's CSRFProtect guards every state-changing page request, htmx ones too
(the token rides in a header set on <body>); the JSON API under /api/ authenticates with
bearer tokens and is left to its own rules. Flask-Limiter caps sign-in attempts per
address and per user name, counting in the database (or Redis) so that the limit holds
across every worker and server (web/ratelimit.py).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user
from flask_login import logout_user as _logout_user
from flask_wtf.csrf import CSRFProtect

from engine import accounts, sessions
from engine.actor import Actor
from engine.db import transaction
from engine.models import User
from web.i18n import SESSION_KEY, TAGS
from web.pages.context import db as request_db
from web.ratelimit import storage_settings

SIGN_IN_LIMIT = "10 per minute"
SIGN_IN_NAME_LIMIT = "30 per hour"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
API_PREFIX = "/api/"
PAGE_BODY_LIMIT = 2 * 1024 * 1024
SESSION_TOKEN_KEY = "_fw_session"  # the server-side session's token in the signed cookie

login_manager = LoginManager()
csrf = CSRFProtect()
bp = Blueprint("auth", __name__)


@dataclass(frozen=True)
class SessionUser(UserMixin):
    """The signed-in user as pages see them: loaded fresh from the database per request."""

    user_id: int
    name: str
    display_name: str | None
    actor: Actor

    def get_id(self) -> str:
        return str(self.user_id)

    @property
    def label(self) -> str:
        return self.display_name or self.name


def _formwork() -> Any:
    return current_app.extensions["formwork"]


def session_user(user: User) -> SessionUser:
    return SessionUser(user.id, user.name, user.display_name, accounts.actor_of(user))


def session_policy() -> sessions.SessionPolicy:
    """The configured lifetime and idle timeout of browser sessions."""
    config = current_app.config
    return sessions.SessionPolicy(
        lifetime=config["FORMWORK_SESSION_LIFETIME"], idle=config["FORMWORK_SESSION_IDLE_TIMEOUT"]
    )


@login_manager.user_loader
def load_user(user_id: str) -> SessionUser | None:
    """The user of a server-side session that still holds, or None (signed out at once)."""
    token = session.get(SESSION_TOKEN_KEY)
    if not user_id.isdigit() or not isinstance(token, str):
        return None
    with request_db() as db:
        user = sessions.session_user(db, token, session_policy())
        if user is None or user.id != int(user_id):
            return None
        return session_user(user)


def current_actor() -> Actor:
    """The engine's view of the signed-in user (pages call this after login_required)."""
    return current_user.actor


def safe_next(target: str | None) -> str | None:
    """A local path to go back to, or None for anything that could leave the site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _name_key() -> str:
    return "name:" + (request.form.get("name") or "").strip().lower()[:64]


def _is_local_address(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").strip("[]")).is_loopback
    except ValueError:
        return address in ("localhost",)


def insecure_connection() -> bool:
    """True when a Secure session cookie would not stick: plain HTTP to a non-local host."""
    if not current_app.config.get("SESSION_COOKIE_SECURE") or request.is_secure:
        return False
    return not _is_local_address(request.host.rsplit(":", 1)[0])


def installed_packs() -> list[dict[str, Any]]:
    """What this installation runs, for the sign-in page (titles, versions, module ids)."""
    from engine.packs import list_packs
    from web.i18n import text

    with transaction(_formwork().session_factory) as db:
        return [
            {"id": p.id, "version": p.version, "title": text(p.title), "modules": p.modules}
            for p in list_packs(db)
        ]


def render_sign_in(status: int = 200, error: str | None = None, name: str = "") -> Any:
    return (
        render_template(
            "auth/sign_in.html",
            error=error,
            name=name,
            next=safe_next(request.values.get("next")),
            insecure=insecure_connection(),
            packs=installed_packs(),
        ),
        status,
    )


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    """The sign-in form; a good name and password start a session."""
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        return render_sign_in()
    name = (request.form.get("name") or "").strip()
    password = request.form.get("password") or ""
    if not name or not password or len(name) > 64 or len(password) > 1024:
        return render_sign_in(400, _("Enter your user name and password."), name[:64])
    previous = session.get(SESSION_TOKEN_KEY)
    with transaction(_formwork().session_factory) as db:
        user = accounts.verify_password(db, name, password)
        signed_in = session_user(user) if user is not None else None
        if user is not None:  # the session this browser held before is over
            sessions.end_session(db, previous if isinstance(previous, str) else None, "replaced")
            token = sessions.start_session(db, user, session_policy())
    if signed_in is None:
        return render_sign_in(401, _("The user name or password is wrong."), name)
    language = session.get(SESSION_KEY)
    session.clear()  # a fresh session for the new identity
    if language:
        session[SESSION_KEY] = language
    session[SESSION_TOKEN_KEY] = token
    login_user(signed_in)
    session.permanent = True
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    """End the session on the server too: a copy of the cookie is refused from now on."""
    token = session.get(SESSION_TOKEN_KEY)
    if isinstance(token, str):
        with transaction(_formwork().session_factory) as db:
            sessions.end_session(db, token)
    language = session.get(SESSION_KEY)
    _logout_user()
    session.clear()
    if language:
        session[SESSION_KEY] = language
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.sign_in"))


@bp.post("/language")
def switch_language() -> ResponseReturnValue:
    """Keep the chosen language in the session and go back to the page."""
    chosen = request.form.get("language", "")
    if chosen in TAGS:
        session[SESSION_KEY] = chosen
    back = safe_next(request.form.get("next")) or url_for("home.index")
    return redirect(back)


# -- wiring ------------------------------------------------------------------------------


def _csrf_protect() -> None:
    """Every state-changing page request needs the CSRF token (form field or header).

    The body limit is set first (reading the token parses the body): a form with
    attachments may carry them, a view marked with a `body_limit` (a pack import) that many
    bytes, also as one form field, any other page request at most PAGE_BODY_LIMIT.
    """
    if request.method in SAFE_METHODS or request.path.startswith(API_PREFIX):
        return
    from web.pages.forms import upload_limit

    view = current_app.view_functions.get(request.endpoint or "")
    if limit := getattr(view, "body_limit", None):
        request.max_content_length = request.max_form_memory_size = limit
    else:
        request.max_content_length = upload_limit() or PAGE_BODY_LIMIT
    csrf.protect()


def init_app(app: Flask) -> None:
    """Sessions, CSRF, the sign-in limit and the auth blueprint."""
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    _session_times(app)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked by _csrf_protect, not for /api/
    secure = _truthy(
        app.config.get("FORMWORK_SECURE_COOKIES", os.environ.get("SESSION_COOKIE_SECURE", "1"))
    )
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = secure
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = ""
    login_manager.session_protection = "basic"
    login_manager.init_app(app)
    csrf.init_app(app)
    app.before_request(_csrf_protect)
    app.register_blueprint(bp)

    app.config.setdefault(
        "FORMWORK_RATE_LIMIT_STORAGE", os.environ.get("FORMWORK_RATE_LIMIT_STORAGE", "")
    )
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        default_limits=[],
        headers_enabled=True,
        **storage_settings(app.config, app.extensions["formwork"].session_factory),
    )
    limits = app.config.get("SIGN_IN_RATE_LIMIT", SIGN_IN_LIMIT)
    view: Callable[..., Any] = app.view_functions["auth.sign_in"]
    view = limiter.limit(limits, methods=["POST"])(view)
    view = limiter.limit(SIGN_IN_NAME_LIMIT, methods=["POST"], key_func=_name_key)(view)
    app.view_functions["auth.sign_in"] = view
    app.extensions["formwork_limiter"] = limiter

    @app.context_processor
    def _user_context() -> dict[str, Any]:
        return {"current_user": current_user, "g": g}


def _session_times(app: Flask) -> None:
    """Lifetime and idle timeout of sessions: config (timedelta) or environment (minutes).

    Flask's own PERMANENT_SESSION_LIFETIME (31 days by default) follows the lifetime, so
    the cookie lapses with the session.
    """
    for key, default in (
        ("FORMWORK_SESSION_LIFETIME", sessions.DEFAULT_LIFETIME),
        ("FORMWORK_SESSION_IDLE_TIMEOUT", sessions.DEFAULT_IDLE_TIMEOUT),
    ):
        value = app.config.get(key) or os.environ.get(key) or default
        if not isinstance(value, dt.timedelta):
            value = dt.timedelta(minutes=_minutes(str(value), key))
        app.config[key] = value
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["FORMWORK_SESSION_LIFETIME"]


def _minutes(value: str, name: str) -> int:
    if not value.strip().isdigit() or int(value) <= 0:
        raise ValueError(f"{name} must be a whole number of minutes above 0, not {value!r}")
    return int(value)


def _truthy(value: Any) -> bool:
    """Secure cookies unless configured off (SESSION_COOKIE_SECURE=0 for plain-HTTP hosts)."""
    return str(value).strip().lower() not in ("0", "false", "no", "off", "")
