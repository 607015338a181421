"""Every bundled pack in modules/ is valid, and the construction pack is what a firm needs."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from engine.definitions import field_kind, load_pack
from engine.definitions.checks import check_pack
from engine.definitions.jsontext import duplicate_keys

ROOT = Path(__file__).resolve().parents[2]
PACK_FILES = sorted((ROOT / "modules").glob("*.json"))
META = Draft202012Validator(
    json.loads((ROOT / "schemas" / "pack.schema.json").read_text(encoding="utf-8")),
    format_checker=Draft202012Validator.FORMAT_CHECKER,
)
LANGUAGES = {"en", "zh-CN"}


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def other_modules(path: Path) -> dict[str, Any]:
    """The modules of the other bundled packs, as installed_modules for check_pack."""
    return {m["id"]: m for other in PACK_FILES if other != path for m in read(other)["modules"]}


def linked_packs(path: Path) -> list[Path]:
    """The other bundled packs whose modules this pack links to or that it requires:
    installed before it (as `make run` does: construction first, then modules/*.json in
    name order)."""
    pack = read(path)
    refs = {
        schema.get("x-ref")
        for m in pack["modules"]
        for field in m["schema"]["properties"].values()
        for schema in [field, *field.get("items", {}).get("properties", {}).values()]
    }
    owners = {m["id"]: other for other in PACK_FILES for m in read(other)["modules"]}
    by_id = {read(other)["id"]: other for other in PACK_FILES}
    required = {by_id[r] for r in pack.get("requires", {}) if r in by_id}
    return sorted({owners[ref] for ref in refs if ref in owners and owners[ref] != path} | required)


def test_the_construction_pack_is_bundled() -> None:
    assert ROOT / "modules" / "construction.json" in PACK_FILES


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda p: p.name)
def test_a_bundled_pack_is_valid(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    pack = json.loads(text)
    assert duplicate_keys(text) == []
    assert [f"{list(e.absolute_path)}: {e.message}" for e in META.iter_errors(pack)] == []
    assert check_pack(pack, other_modules(path)) == []
    compiled = load_pack(text, other_modules(path))
    assert compiled.id == path.stem
    assert [m.id for m in compiled.modules] == [m["id"] for m in pack["modules"]]


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda p: p.name)
def test_a_bundled_pack_installs_lists_and_reports_its_demo_records(
    path: Path, session: Any
) -> None:
    from engine.actor import SYSTEM
    from engine.packs import import_pack
    from engine.records import list_records
    from engine.reports import run_report

    pack = read(path)
    seed = pack.get("seed", {})
    for needed in linked_packs(path):
        assert needed < path or needed.name == "construction.json"  # `make run` imports it first
        import_pack(session, needed.read_text(encoding="utf-8"))
    report = import_pack(session, path.read_text(encoding="utf-8"))
    assert report.action == "installed"
    created = [r for records in seed.values() for r in records if "$match" not in r]
    assert report.seeded == len(created)  # a record with $match fills others: not created
    for m in pack["modules"]:
        page = list_records(session, m["id"], SYSTEM)
        assert page.total == len(seed.get(m["id"], ())), m["id"]
        states = {r.state for r in page.items}
        wanted = {
            r.get("$state", m.get("workflow", {}).get("initial")) for r in seed.get(m["id"], ())
        }
        assert states == wanted, m["id"]
        read_time = [
            name for name, field in m["schema"]["properties"].items() if "x-formula" in field
        ]
        for record in page.items:  # formulas, stored or computed when read, have values
            assert all(name in record.data for name in read_time), m["id"]
    for r in pack.get("reports", ()):
        result = run_report(session, r["id"], SYSTEM)
        assert result.measures == list(r["measures"]), r["id"]


# -- the construction pack ------------------------------------------------------------------


@pytest.fixture(scope="module")
def construction() -> dict[str, Any]:
    return read(ROOT / "modules" / "construction.json")


def module(pack: Mapping[str, Any], module_id: str) -> dict[str, Any]:
    return next(m for m in pack["modules"] if m["id"] == module_id)


def labels(pack: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every label that reaches a page, with where it is."""
    yield "/title", pack["title"]
    for role in pack["roles"]:
        yield f"role {role['id']}", role["title"]
    for m in pack["modules"]:
        yield m["id"], m["title"]
        for name, field in m["schema"]["properties"].items():
            yield f"{m['id']}.{name}", field.get("title")
            for value, title in field.get("x-enum-titles", {}).items():
                yield f"{m['id']}.{name}={value}", title
            for column, schema in field.get("items", {}).get("properties", {}).items():
                yield f"{m['id']}.{name}.{column}", schema.get("title")
                for value, title in schema.get("x-enum-titles", {}).items():
                    yield f"{m['id']}.{name}.{column}={value}", title
        for section in m.get("ui", {}).get("layout", ()):
            yield f"{m['id']} section {section['fields'][0]}", section.get("title")
        for state_id, state in m.get("workflow", {}).get("states", {}).items():
            yield f"{m['id']} state {state_id}", state.get("title")
        for transition in m.get("workflow", {}).get("transitions", ()):
            yield f"{m['id']} transition {transition['id']}", transition.get("title")
        for template in m.get("prints", ()):
            yield f"{m['id']} print {template['id']}", template["title"]
    for report in pack["reports"]:
        yield f"report {report['id']}", report["title"]


def test_every_label_is_in_chinese_and_english(construction: dict[str, Any]) -> None:
    missing = [
        where
        for where, label in labels(construction)
        if not (isinstance(label, dict) and set(label) >= LANGUAGES)
    ]
    assert missing == []


def test_roles_of_a_chinese_construction_firm(construction: dict[str, Any]) -> None:
    roles = {r["id"]: r["title"]["zh-CN"] for r in construction["roles"]}
    assert roles == {
        "foreman": "班组长",
        "site_manager": "项目经理",
        "accountant": "财务",
        "planner": "计划员",
        "viewer": "查看者",
    }


def kinds_used(pack: Mapping[str, Any]) -> set[str]:
    """The field kinds of PACK_FORMAT.md's table that the pack's fields use."""
    found = set()
    for m in pack["modules"]:
        for field in m["schema"]["properties"].values():
            columns = field.get("items", {}).get("properties", {})
            for schema in [field, *columns.values()]:
                found.add(field_kind(schema))
                found |= {
                    extra
                    for extra, present in (
                        ("money", schema.get("x-format") == "money"),
                        ("textarea", schema.get("x-widget") == "textarea"),
                        ("radio", schema.get("x-widget") == "radio"),
                        ("formula", "x-formula" in schema),
                        ("rollup", "x-rollup" in schema),
                    )
                    if present
                }
    return found


def test_every_field_kind_of_the_format_is_used(construction: dict[str, Any]) -> None:
    assert kinds_used(construction) >= {
        "text",
        "textarea",
        "integer",
        "decimal",
        "money",
        "boolean",
        "date",
        "datetime",
        "choice",
        "radio",
        "multichoice",
        "link",
        "user",
        "table",
        "file",
        "formula",
        "rollup",
    }


def test_modules_views_prints_and_reports(construction: dict[str, Any]) -> None:
    modules = {m["id"]: m for m in construction["modules"]}
    assert list(modules) == ["project", "cost_centre", "labour_tally", "schedule", "fund"]
    for m in modules.values():
        assert 10 <= len(m["schema"]["properties"]) <= 25, m["id"]
    views = {v["type"] for m in modules.values() for v in m.get("ui", {}).get("views", ())}
    assert views == {"kanban", "calendar", "gantt"}
    assert [p["id"] for p in modules["fund"]["prints"]] == ["voucher"]
    reports = {r["id"]: r for r in construction["reports"]}
    assert 3 <= len(reports) <= 4
    assert reports["labour_by_worker_month"]["group_by"] == ["worker", "month(date)"]
    assert reports["labour_by_worker_month"]["chart"]["type"] == "bar"
    assert len(construction["seed"]["project"]) == 3


def test_the_labour_tally_flow(construction: dict[str, Any]) -> None:
    tally = module(construction, "labour_tally")
    assert tally["numbering"] == "LT-{YYYY}{MM}-{seq:4}"
    fields = tally["schema"]["properties"]
    assert fields["items"]["items"]["properties"]["amount"]["x-formula"] == "round(hours * rate, 2)"
    assert fields["hours"]["x-formula"] == "sum(items.hours)"
    assert fields["amount"]["x-formula"] == "sum(items.amount)"
    assert tally["ui"]["show_if"]["overtime_reason"] == "hours > 8"
    assert tally["ui"]["required_if"]["overtime_reason"] == "hours > 8"
    workflow = tally["workflow"]
    assert workflow["states"]["submitted"]["due"] == "P2D"
    transitions = {t["id"]: t for t in workflow["transitions"]}
    assert transitions["withdraw"]["withdraw"] is True
    approve = transitions["approve"]
    assert approve["approval"] == {"quorum": "any", "approvers": {"role": "site_manager"}}
    assert approve["self_approval"] is False
    assert approve["notify"] == {"role": "accountant"}
    assert transitions["reject"]["comment"] == "required"
    permissions = tally["permissions"]
    assert permissions["foreman"] == {
        "create": True,
        "read": "own",
        "update": "own",
        "delete": "own",
    }
    assert permissions["site_manager"]["scope"] == ["project"]
    assert permissions["accountant"]["export"] is True
    assert {"rate", "amount"} <= {
        name for name, rule in permissions["viewer"]["fields"].items() if rule == "hidden"
    }


def test_funds_are_approved_by_accounts_then_by_the_site_manager(
    construction: dict[str, Any],
) -> None:
    transitions = {t["id"]: t for t in module(construction, "fund")["workflow"]["transitions"]}
    finance, manager = transitions["finance_approve"], transitions["manager_approve"]
    assert finance["approval"] == {"quorum": "60%", "approvers": {"role": "accountant"}}
    assert manager["approval"]["approvers"] == {"role": "site_manager"}
    assert finance["to"] == manager["from"]


def test_cost_centres_need_every_site_manager(construction: dict[str, Any]) -> None:
    cost = module(construction, "cost_centre")
    fields = cost["schema"]["properties"]
    assert fields["total"]["x-formula"] == "sum(lines.amount)"
    assert (
        fields["lines"]["items"]["properties"]["amount"]["x-formula"]
        == "round(qty * unit_price, 2)"
    )
    transitions = {t["id"]: t for t in cost["workflow"]["transitions"]}
    assert transitions["approve"]["approval"] == {
        "quorum": "all",
        "approvers": {"role": "site_manager"},
    }
    assert transitions["reject"]["comment"] == "required"
