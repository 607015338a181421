"""Users in the admin console: the list, a new user, and one user's roles, password, state,
API tokens and grants.

Every action calls the engine function the command line calls, passing the administrator's
name, so the admin trail says who did it. A generated password is shown once, on a page
that is not cached. A refusal re-renders the form with each problem beside its input and a
422, and the request's transaction rolls back: nothing is half applied. Deactivation,
revoking a token and removing a grant ask for confirmation on a page of their own (a GET
that changes nothing, then the posted button; no script needed).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask import flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from engine import accounts
from engine.errors import NotFound, ValidationFailed
from engine.user_lookup import find_users
from web.admin.guard import admin_blueprint
from web.admin.user_grants import grant_forms, grant_rows, read_grant
from web.pages.context import actor, db
from web.problems import problem_message
from web.profile import token_rows

bp = admin_blueprint("admin_users", __name__, url_prefix="/admin/users")

STATES = {"active": True, "deactivated": False}
GENERATED_PASSWORD_BYTES = 12  # 16 URL-safe characters


def _errors(error: ValidationFailed) -> dict[str, str]:
    """Problem messages by the form input they belong to (`/roles/2` → `roles`)."""
    found: dict[str, str] = {}
    for problem in error.problems:
        key = problem.path.strip("/").split("/")[0] or "form"
        found.setdefault(key, problem_message(problem))
    return found


def _by() -> str:
    return actor().name or ""


def _password_page(name: str, password: str, status: int) -> Response:
    """The one page that shows a password, never cached by the browser or a proxy."""
    body = render_template("admin/users/password.html", name=name, password=password)
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _chosen_password(form: Mapping[str, str]) -> tuple[str, bool]:
    """The password typed by the administrator, or a generated one (True)."""
    if form.get("password_mode") == "type":
        return form.get("password") or "", False
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES), True


@bp.get("/")
def index() -> ResponseReturnValue:
    state = request.args.get("state", "")
    q = (request.args.get("q") or "").strip()[:100]
    number = request.args.get("page", "1")
    with db() as session:
        found = find_users(
            session,
            active=STATES.get(state),
            search=q,
            page=int(number) if number.isdigit() and len(number) < 7 else 1,
        )
        return render_template(
            "admin/users/index.html", rows=found.rows, found=found, state=state, q=q
        )


def _new_form(
    session: Session,
    status: int = 200,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
) -> ResponseReturnValue:
    body = render_template(
        "admin/users/new.html",
        declared=accounts.declared_roles(session),
        values=values or {"roles": []},
        errors=errors or {},
    )
    return body, status


@bp.get("/new")
def new() -> ResponseReturnValue:
    with db() as session:
        return _new_form(session)


@bp.post("/new")
def create() -> ResponseReturnValue:
    form = request.form
    name = (form.get("name") or "").strip()
    roles = form.getlist("roles")
    password, generated = _chosen_password(form)
    values = {
        "name": name,
        "display_name": form.get("display_name") or "",
        "roles": roles,
        "typed": not generated,
    }
    try:
        with db() as session:
            accounts.create_user(
                session,
                name,
                password,
                roles=roles,
                display_name=(form.get("display_name") or "").strip() or None,
                by=_by(),
                known_roles=accounts.declared_roles(session).keys(),
            )
    except ValidationFailed as refused:
        with db() as session:
            return _new_form(session, 422, values=values, errors=_errors(refused))
    if generated:
        return _password_page(name, password, 201)
    flash(_("User %(name)s was created.", name=name), "success")
    return redirect(url_for("admin_users.show", name=name))


def _user_page(name: str, status: int = 200, errors: Mapping[str, str] | None = None) -> Any:
    with db() as session:
        user = accounts.get_user(session, name)
        who = actor()
        body = render_template(
            "admin/users/show.html",
            user=user,
            held=sorted(accounts.role_ids(user)),
            declared=accounts.declared_roles(session),
            tokens=token_rows(session, user.name),
            grants=grant_rows(session, accounts.list_grants(session, user), who),
            grant_forms=grant_forms(session, who, errors or {}),
            errors=errors or {},
        )
    return make_response(body, status)


@bp.get("/<name>")
def show(name: str) -> ResponseReturnValue:
    return _user_page(name)


@bp.post("/<name>/details")
def update(name: str) -> ResponseReturnValue:
    """Display name and roles, in one form and one transaction."""
    form = request.form
    try:
        with db() as session:
            user = accounts.get_user(session, name)
            accounts.update_user(session, user, display_name=form.get("display_name"), by=_by())
            known = accounts.declared_roles(session).keys()
            accounts.set_roles(session, user, form.getlist("roles"), by=_by(), known_roles=known)
    except ValidationFailed as refused:
        return _user_page(name, 422, _errors(refused))
    flash(_("The changes to %(name)s were saved.", name=name), "success")
    return redirect(url_for("admin_users.show", name=name))


@bp.post("/<name>/password")
def reset_password(name: str) -> ResponseReturnValue:
    """A new password for the user; their sessions end. A generated one is shown once."""
    password, generated = _chosen_password(request.form)
    try:
        with db() as session:
            accounts.set_password(session, name, password, by=_by())
    except ValidationFailed as refused:
        return _user_page(name, 422, _errors(refused))
    if generated:
        return _password_page(name, password, 200)
    flash(_("The password of %(name)s was changed; their sessions ended.", name=name), "success")
    return redirect(url_for("admin_users.show", name=name))


@bp.get("/<name>/deactivate")
def confirm_deactivate(name: str) -> ResponseReturnValue:
    with db() as session:
        user = accounts.get_user(session, name)
        active_tokens = sum(1 for t in accounts.list_tokens(session, user) if not t.revoked_at)
        return render_template(
            "admin/users/deactivate.html", user=user, active_tokens=active_tokens, error=None
        )


@bp.post("/<name>/deactivate")
def deactivate(name: str) -> ResponseReturnValue:
    """Sign-in, sessions and API tokens of the user stop at once."""
    try:
        with db() as session:
            accounts.deactivate_user(session, name, by=_by())
    except ValidationFailed as refused:
        with db() as session:
            user = accounts.get_user(session, name)
            body = render_template(
                "admin/users/deactivate.html",
                user=user,
                active_tokens=0,
                error=problem_message(refused.problems[0]),
            )
        return body, 422
    flash(_("%(name)s was deactivated: their sessions and API tokens stopped.", name=name), "info")
    return redirect(url_for("admin_users.show", name=name))


@bp.post("/<name>/reactivate")
def reactivate(name: str) -> ResponseReturnValue:
    with db() as session:
        accounts.reactivate_user(session, name, by=_by())
    flash(_("%(name)s may sign in again.", name=name), "success")
    return redirect(url_for("admin_users.show", name=name))


def _owned_token(session: Session, name: str, token_id: int) -> dict[str, Any]:
    """The user's token of that id as pages show it; NotFound when it is not theirs."""
    for token in token_rows(session, name):
        if token["id"] == token_id:
            return token
    raise NotFound(code="unknown_token", id=token_id)


@bp.get("/<name>/tokens/<int:token_id>/revoke")
def confirm_revoke_token(name: str, token_id: int) -> ResponseReturnValue:
    """What revoking the token means, and the button that does it."""
    with db() as session:
        user = accounts.get_user(session, name)
        token = _owned_token(session, user.name, token_id)
        return render_template("admin/users/revoke_token.html", user=user, token=token)


@bp.post("/<name>/tokens/<int:token_id>/revoke")
def revoke_token(name: str, token_id: int) -> ResponseReturnValue:
    with db() as session:
        _owned_token(session, name, token_id)
        accounts.revoke_token(session, token_id, by=_by())
    flash(_("The token was revoked: it no longer works."), "info")
    return redirect(url_for("admin_users.show", name=name))


@bp.post("/<name>/grants")
def add_grant(name: str) -> ResponseReturnValue:
    """Grant the user the record chosen in a picker."""
    try:
        with db() as session:
            user = accounts.get_user(session, name)
            module, record_id = read_grant(session, request.form, actor())
            accounts.add_grant(session, user, module, record_id, by=_by())
    except ValidationFailed as refused:
        target = (request.form.get("module") or "").strip()
        return _user_page(name, 422, {target: problem_message(refused.problems[0])})
    flash(_("The grant was added."), "success")
    return redirect(url_for("admin_users.show", name=name) + "#grants")


@bp.get("/<name>/grants/remove")
def confirm_remove_grant(name: str) -> ResponseReturnValue:
    """The grant to be removed, with its record, and the button that removes it."""
    module, record_id = request.args.get("module") or "", request.args.get("record_id") or ""
    with db() as session:
        user = accounts.get_user(session, name)
        held = [
            g
            for g in accounts.list_grants(session, user)
            if (g.module, g.record_id) == (module, record_id)
        ]
        if not held:
            raise NotFound(code="unknown_id")  # no such grant: nothing to confirm
        (grant,) = grant_rows(session, held, actor())
        return render_template("admin/users/remove_grant.html", user=user, grant=grant)


@bp.post("/<name>/grants/remove")
def remove_grant(name: str) -> ResponseReturnValue:
    form = request.form
    with db() as session:
        accounts.remove_grant(
            session, name, form.get("module") or "", form.get("record_id") or "", by=_by()
        )
    flash(_("The grant was removed."), "info")
    return redirect(url_for("admin_users.show", name=name) + "#grants")
