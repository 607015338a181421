"""The profile page: a user's own API tokens and their own password.

Revoking a token asks first, on a page of its own (a GET that changes nothing), as the
admin console does for a user's tokens.

Changing the password asks for the current one (a stolen open session alone cannot lock the
owner out), and every other session of the user ends while this one stays signed in. Wrong
current passwords count against a per-name limit like the one on sign-in attempts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import (
    Blueprint,
    Flask,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from engine import accounts
from engine.errors import NotFound, ValidationFailed
from web.auth import SESSION_TOKEN_KEY, SIGN_IN_NAME_LIMIT
from web.pages.context import db
from web.problems import problem_message

bp = Blueprint("profile", __name__)

WRONG_PASSWORD_STATUS = 422


def token_rows(session: Session, name: str) -> list[dict[str, Any]]:
    """A user's API tokens as pages show them (never the tokens themselves)."""
    return [
        {
            "id": t.id,
            "name": t.name,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
        }
        for t in accounts.list_tokens(session, name)
    ]


def _page(
    status: int = 200,
    *,
    new_token: str | None = None,
    error: str | None = None,
    password_errors: Mapping[str, str] | None = None,
) -> Response:
    with db() as session:
        tokens = token_rows(session, current_user.name)
        roles = sorted(accounts.role_ids(accounts.get_user(session, current_user.name)))
        body = render_template(
            "auth/profile.html",
            tokens=tokens,
            new_token=new_token,
            error=error,
            roles=roles,
            password_errors=password_errors or {},
        )
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/profile")
@login_required
def index() -> ResponseReturnValue:
    return _page()


@bp.post("/profile/tokens")
@login_required
def create_token() -> ResponseReturnValue:
    """Create an API token and show it this once."""
    label = (request.form.get("name") or "").strip()
    try:
        with db() as session:
            token = accounts.create_token(session, current_user.name, label, by=current_user.name)
    except ValidationFailed:
        return _page(422, error=_("Give the token a name of at most 100 characters."))
    return _page(201, new_token=token)


def _own_token(session: Session, token_id: int) -> dict[str, Any]:
    """The signed-in user's token of that id; NotFound when it is not theirs."""
    for token in token_rows(session, current_user.name):
        if token["id"] == token_id:
            return token
    raise NotFound(code="unknown_token", id=token_id)


@bp.get("/profile/tokens/<int:token_id>/revoke")
@login_required
def confirm_revoke_token(token_id: int) -> ResponseReturnValue:
    """What revoking one's own token means, and the button that does it."""
    with db() as session:
        token = _own_token(session, token_id)
    return render_template("auth/revoke_token.html", token=token)


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    """Revoke one of the signed-in user's own tokens."""
    with db() as session:
        _own_token(session, token_id)
        accounts.revoke_token(session, token_id, by=current_user.name)
    flash(_("The token was revoked: it no longer works."), "info")
    return redirect(url_for("profile.index"))


@bp.post("/profile/password")
@login_required
def change_password() -> ResponseReturnValue:
    """Set a new password; the user's other sessions end, this one stays signed in."""
    form = request.form
    token = cookie.get(SESSION_TOKEN_KEY)
    try:
        with db() as session:
            accounts.change_own_password(
                session,
                current_user.name,
                form.get("current_password") or "",
                form.get("password") or "",
                form.get("password_repeated") or "",
                keep=token if isinstance(token, str) else None,
            )
    except ValidationFailed as refused:
        errors = {p.path.lstrip("/"): problem_message(p) for p in refused.problems}
        return _page(WRONG_PASSWORD_STATUS, password_errors=errors)
    flash(_("Your password was changed; your other sessions have ended."), "success")
    return redirect(url_for("profile.index"))


def _user_key() -> str:
    """The sign-in limit's per-name key, so wrong current passwords count like sign-ins."""
    return "name:" + (current_user.name if current_user.is_authenticated else "")


def _refused(response: Response) -> bool:
    return response.status_code == WRONG_PASSWORD_STATUS


def init_app(app: Flask) -> None:
    """Register the profile pages; wrong current passwords are rate limited per user."""
    app.register_blueprint(bp)
    limiter = app.extensions.get("formwork_limiter")
    if limiter is None:
        return
    view: Callable[..., Any] = app.view_functions["profile.change_password"]
    app.view_functions["profile.change_password"] = limiter.limit(
        SIGN_IN_NAME_LIMIT, methods=["POST"], key_func=_user_key, deduct_when=_refused
    )(view)
