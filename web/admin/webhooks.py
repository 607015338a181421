"""Webhooks in the admin console: register, test-send, pause, remove, the delivery log."""

from __future__ import annotations

from web.admin.guard import admin_blueprint

bp = admin_blueprint("admin_webhooks", __name__, url_prefix="/admin/webhooks")
