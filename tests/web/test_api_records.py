"""Records through the API: what a foreman, a manager, an accountant and a viewer each get."""

from __future__ import annotations

from decimal import Decimal

from tests.web.helpers import Api, body, errors, labour_data, paths

TALLY = "/modules/labour_tally/records"


def new_tally(api: Api, as_: str = "foreman", **overrides) -> dict:  # type: ignore[no-untyped-def]
    project = api.first("project", as_=as_)["id"]
    response = api.post(TALLY, as_=as_, json={"data": labour_data(project, **overrides)})
    assert response.status_code == 201, response.text
    return body(response)


def test_a_foreman_creates_a_tally_and_reads_exact_money(api: Api) -> None:
    project = api.first("project", as_="foreman")
    response = api.post(TALLY, as_="foreman", json={"data": labour_data(project["id"])})
    assert response.status_code == 201
    record = body(response)
    assert response.headers["Location"] == f"/api/v1{TALLY}/{record['id']}"
    assert list(record) == [
        "id", "module", "number", "state", "version", "owner",
        "created_at", "updated_at", "data", "titles",
    ]  # fmt: skip
    assert (record["module"], record["state"], record["version"], record["owner"]) == (
        "labour_tally", "draft", 1, "foreman",
    )  # fmt: skip
    assert record["number"].startswith("LT-")
    assert record["created_at"].endswith("Z")
    data = record["data"]
    assert data["hours"] == Decimal("7.5")
    assert data["amount"] == Decimal("288.75")  # 4.5 × 38.50 + 3 × 38.50, no float on the way
    assert b'"rate":38.50' in response.get_data()  # money at its scale, as a JSON number
    assert data["items"][1]["amount"] == Decimal("115.50")
    assert record["titles"]["project"] == project["data"]["name"]
    again = api.get(f"{TALLY}/{record['id']}", as_="foreman")
    assert again.status_code == 200 and body(again) == record


def test_invalid_data_answers_422_naming_each_field(api: Api) -> None:
    project = api.first("project", as_="foreman")["id"]
    data = labour_data(project, trade="astronaut", hours=12)
    data["items"][1]["rate"] = "cheap"
    response = api.post(TALLY, as_="foreman", json={"data": data})
    assert response.status_code == 422
    found = paths(response)
    assert {"/trade", "/hours", "/items/1/rate"} <= found
    assert any("computed" in e["message"] for e in errors(response) if e["path"] == "/hours")
    assert api.get(TALLY, as_="foreman", query_string={"per_page": 1}).json["total"] == 0


def test_records_outside_the_scope_are_404_like_unknown_ones(api: Api) -> None:
    mine = new_tally(api)
    theirs = api.first("labour_tally", as_="manager")  # a seeded tally the foreman never owned
    assert api.get(f"{TALLY}/{theirs['id']}", as_="foreman").status_code == 404
    assert api.get(f"{TALLY}/nope", as_="foreman").status_code == 404
    assert errors(api.get(f"{TALLY}/nope", as_="foreman"))[0]["path"] == ""
    assert api.get(f"{TALLY}/{mine['id']}/history", as_="planner").status_code == 404  # no access
    # a module the caller cannot read does not exist for them
    assert api.get("/modules/fund/records", as_="planner").status_code == 404
    assert api.get("/modules/fund", as_="planner").status_code == 404
    ids = {m["id"] for m in body(api.get("/modules", as_="planner"))["items"]}
    assert "fund" not in ids and "schedule" in ids


def test_hidden_fields_never_leave_the_server(api: Api) -> None:
    tally = api.first("labour_tally", as_="viewer")
    assert not {"rate", "amount", "items"} & set(tally["data"])
    listed = body(api.get(TALLY, as_="viewer"))
    assert "amount" not in listed["totals"]
    definition = body(api.get("/modules/labour_tally", as_="viewer"))
    assert "amount" not in {f["name"] for f in definition["fields"]}
    assert "amount" not in definition["list"]["totals"]
    history = body(api.get(f"{TALLY}/{tally['id']}/history", as_="viewer"))["items"]
    changed = {c["field"]: c for entry in history for c in entry["changes"]}
    assert changed["amount"]["new"] == "***" and changed["worker"]["new"] != "***"


def test_lists_filter_sort_page_and_total_in_sql(api: Api) -> None:
    everything = body(api.get(TALLY, as_="manager"))
    assert everything["total"] == 5 and everything["page"] == 1 and everything["pages"] == 1
    assert everything["totals"]["hours"] == sum(r["data"]["hours"] for r in everything["items"])
    rebar = body(api.get(TALLY, as_="manager", query_string={"filter[trade]": "rebar"}))
    assert rebar["total"] >= 1 and {r["data"]["trade"] for r in rebar["items"]} == {"rebar"}
    ranged = body(
        api.get(
            TALLY,
            as_="manager",
            query_string={"filter[date][gte]": "2026-03-01", "filter[date][lte]": "2026-03-31"},
        )
    )
    assert all(r["data"]["date"].startswith("2026-03") for r in ranged["items"])
    ordered = body(api.get(TALLY, as_="manager", query_string={"sort": "date"}))
    dates = [r["data"]["date"] for r in ordered["items"]]
    assert dates == sorted(dates)
    page = body(api.get(TALLY, as_="manager", query_string={"per_page": 2, "page": 2}))
    assert (page["page"], page["per_page"], page["pages"], len(page["items"])) == (2, 2, 3, 2)
    found = body(
        api.get(TALLY, as_="manager", query_string={"q": everything["items"][0]["data"]["worker"]})
    )
    assert found["total"] >= 1


def test_a_stale_version_is_a_409_and_nothing_changes(api: Api) -> None:
    record = new_tally(api)
    url = f"{TALLY}/{record['id']}"
    changed = api.patch(url, as_="foreman", json={"version": 1, "data": {"worker": "Li Qiang"}})
    assert changed.status_code == 200 and body(changed)["version"] == 2
    stale = api.patch(url, as_="foreman", json={"version": 1, "data": {"worker": "Zhang San"}})
    assert stale.status_code == 409 and "version 2" in errors(stale)[0]["message"]
    assert body(api.get(url, as_="foreman"))["data"]["worker"] == "Li Qiang"
    missing = api.patch(url, as_="foreman", json={"data": {"worker": "X"}})
    assert missing.status_code == 422 and paths(missing) == {"/version"}
    computed = api.patch(url, as_="foreman", json={"version": 2, "data": {"amount": 1}})
    assert computed.status_code == 422 and paths(computed) == {"/amount"}


def test_deleting_needs_the_right_and_keeps_the_history(api: Api) -> None:
    record = new_tally(api)
    url = f"{TALLY}/{record['id']}"
    assert api.delete(url, as_="manager").status_code == 403  # may read, may not delete
    assert api.delete(url, as_="foreman", query_string={"version": 7}).status_code == 409
    assert api.delete(url, as_="foreman", query_string={"version": "x"}).status_code == 422
    gone = api.delete(url, as_="foreman", query_string={"version": 1})
    assert gone.status_code == 204 and gone.get_data() == b""
    assert api.get(url, as_="foreman").status_code == 404
    history = body(api.get(f"{url}/history", as_="admin"))["items"]
    assert [h["action"] for h in history] == ["create", "delete"]


def test_a_role_without_create_gets_403(api: Api) -> None:
    project = api.first("project", as_="viewer")["id"]
    response = api.post(TALLY, as_="viewer", json={"data": labour_data(project)})
    assert response.status_code == 403
    assert "may not create" in errors(response)[0]["message"]


def test_workflow_through_the_api(api: Api) -> None:
    record = new_tally(api)
    base = f"{TALLY}/{record['id']}"
    options = {o["id"]: o for o in body(api.get(f"{base}/transitions", as_="foreman"))["items"]}
    assert options["submit"]["available"] and not options["approve"]["available"]
    assert "applies from submitted" in options["approve"]["reason"]
    early = api.post(f"{base}/transitions/approve", as_="manager")
    assert early.status_code == 409  # wrong state
    refused = api.post(f"{base}/transitions/submit", as_="manager")
    assert refused.status_code in (403, 404)  # the manager may not submit a foreman's tally
    stale = api.post(f"{base}/transitions/submit", as_="foreman", json={"version": 9})
    assert stale.status_code == 409
    submitted = api.post(f"{base}/transitions/submit", as_="foreman")
    assert submitted.status_code == 200
    result = body(submitted)
    assert result["fired"] and result["record"]["state"] == "submitted"
    again = api.post(f"{base}/transitions/submit", as_="foreman")
    assert again.status_code == 409 and "state 'submitted'" in errors(again)[0]["message"]
    inbox = body(api.get("/inbox", as_="manager"))
    waiting = [i for i in inbox["items"] if i["record"]["id"] == record["id"]]
    assert waiting and waiting[0]["reason"] == "vote" and "approve" in waiting[0]["transitions"]
    assert inbox["counts"]["total"] >= 1
    no_comment = api.post(f"{base}/transitions/reject", as_="manager")
    assert no_comment.status_code == 422 and paths(no_comment) == {"/comment"}
    self_vote = api.post(f"{base}/transitions/approve", as_="foreman")
    assert self_vote.status_code == 403
    approved = api.post(f"{base}/transitions/approve", as_="manager", json={"comment": "OK"})
    assert approved.status_code == 200 and body(approved)["record"]["state"] == "approved"
    assert body(approved)["progress"]["voted"] == ["manager"]
    unknown = api.post(f"{base}/transitions/launch", as_="foreman")
    assert unknown.status_code == 404
    history = body(api.get(f"{base}/history", as_="foreman"))["items"]
    assert [(h["action"], h["to"]) for h in history][-2:] == [
        ("vote", None),
        ("transition", "approved"),
    ]
    assert history[-2]["comment"] == "OK"


def test_reports_answer_json_csv_and_xlsx(api: Api) -> None:
    report = body(api.get("/reports/labour_by_worker_month", as_="accountant"))
    assert report["columns"] == ["worker", "month", "days", "hours", "amount"]
    assert all(isinstance(row["amount"], Decimal) for row in report["rows"])
    csv = api.get(
        "/reports/labour_by_worker_month", as_="accountant", query_string={"format": "csv"}
    )
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "attachment" in csv.headers["Content-Disposition"]
    assert (
        csv.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
        == "worker,month,days,hours,amount"
    )
    xlsx = api.get(
        "/reports/labour_by_worker_month", as_="accountant", query_string={"format": "xlsx"}
    )
    assert xlsx.status_code == 200 and xlsx.get_data()[:2] == b"PK"
    bad = api.get(
        "/reports/labour_by_worker_month", as_="accountant", query_string={"format": "pdf"}
    )
    assert bad.status_code == 422 and paths(bad) == {"format"}
    assert api.get("/reports/funds_by_month", as_="planner").status_code == 404  # fund unreadable
    listed = {r["id"] for r in body(api.get("/reports", as_="planner"))["items"]}
    assert "funds_by_month" not in listed and "schedule_status" in listed
    filtered = body(
        api.get(
            "/reports/labour_by_worker_month",
            as_="accountant",
            query_string={"filter[date][gte]": "2026-04-01"},
        )
    )
    assert all(row["month"] >= "2026-04" for row in filtered["rows"])


def test_exported_text_cannot_run_as_a_formula(api: Api) -> None:
    record = new_tally(api, worker='=HYPERLINK("http://evil.example","x")')
    base = f"{TALLY}/{record['id']}/transitions"
    assert api.post(f"{base}/submit", as_="foreman").status_code == 200
    assert api.post(f"{base}/approve", as_="manager").status_code == 200
    csv = api.get(
        "/reports/labour_by_worker_month", as_="accountant", query_string={"format": "csv"}
    )
    lines = csv.get_data(as_text=True).splitlines()
    assert any(line.startswith("\"'=HYPERLINK(") for line in lines), lines
    assert not any(line.startswith("=") or line.startswith('"=') for line in lines)
