"""An administrator adds a contracts pack that extends the construction pack's funds ledger:
refused (in Chinese over the API) while construction is not installed, then imported with
`formwork packs import`, after which the funds list and the API show the new link."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from engine import accounts
from engine.db import transaction
from tests.bundled import PACK_FILE
from tests.web.helpers import PASSWORD, body, sign_in_as
from web import create_app
from web.cli import cli

CONTRACTS: dict[str, Any] = {
    "format": "formwork.pack/1",
    "id": "contracts",
    "version": "1.0.0",
    "title": {"en": "Contracts", "zh-CN": "合同"},
    "requires": {"construction": ">=1.0"},
    "roles": [{"id": "commercial", "title": {"en": "Commercial", "zh-CN": "商务"}}],
    "modules": [
        {
            "id": "contract",
            "title": {"en": "Contract", "zh-CN": "合同"},
            "title_field": "name",
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "title": {"en": "Name", "zh-CN": "名称"}}
                },
            },
            "permissions": {"commercial": {"read": "all", "create": True}},
        }
    ],
    "extends": {
        "fund": {
            "fields": {
                "contract": {
                    "type": "string",
                    "x-ref": "contract",
                    "title": {"en": "Contract", "zh-CN": "合同"},
                }
            },
            "list": {"columns": ["contract"], "filters": ["contract"]},
            "permissions": {"commercial": {"read": "all"}},
        }
    },
}


def test_a_contracts_pack_extends_the_funds_ledger(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner(env={"DATABASE_URL": database_url})
    file = tmp_path / "contracts.json"
    file.write_text(json.dumps(CONTRACTS, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(cli, ["init-db"]).exit_code == 0
    alone = runner.invoke(cli, ["packs", "import", str(file)])
    assert alone.exit_code != 0 and "construction" in alone.output

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "TESTING": True,
            "FORMWORK_UPLOADS": str(tmp_path / "uploads"),
        }
    )
    with transaction(app.extensions["formwork"].session_factory) as session:
        accounts.create_user(session, "boss", PASSWORD, roles=["admin"])
        token = accounts.create_token(session, "boss", "tests")
    client = app.test_client()
    zh = {"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"}
    refused = client.post("/api/v1/packs", json=CONTRACTS, headers=zh)
    assert refused.status_code == 422
    (error,) = body(refused)["errors"]
    assert (error["path"], error["code"]) == ("/requires/construction", "requires_missing")
    assert "construction" in error["message"] and "尚未安装" in error["message"]

    assert runner.invoke(cli, ["packs", "import", str(PACK_FILE)]).exit_code == 0
    imported = runner.invoke(cli, ["packs", "import", str(file)])
    assert imported.exit_code == 0, imported.output
    assert "m_fund" in imported.output and "contract" in imported.output

    en = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    fund = body(client.get("/api/v1/modules/fund", headers=en))
    assert "contract" in json.dumps(fund)
    deal = client.post(
        "/api/v1/modules/contract/records", json={"data": {"name": "Main works"}}, headers=en
    )
    assert deal.status_code == 201, deal.text
    first = body(client.get("/api/v1/modules/fund/records?per_page=1", headers=en))["items"][0]
    changed = client.patch(
        f"/api/v1/modules/fund/records/{first['id']}",
        json={"version": first["version"], "data": {"contract": body(deal)["id"]}},
        headers=en,
    )
    assert changed.status_code == 200, changed.text
    listed = client.get(
        f"/api/v1/modules/fund/records?filter[contract]={body(deal)['id']}", headers=en
    )
    assert [r["id"] for r in body(listed)["items"]] == [first["id"]]
    assert sign_in_as(client, "boss").status_code == 302
    page = client.get("/admin/packs/", headers={"Accept-Language": "zh-CN"}).text
    assert 'data-requires="construction"' in page and "依赖: construction &gt;=1.0" in page
    assert 'data-extends="fund"' in page and "扩展: fund" in page
    app.extensions["formwork"].engine.dispose()
