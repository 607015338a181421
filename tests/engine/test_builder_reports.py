"""The builder's report edits: an admin adds a report to a module, changes it and removes it;
every expression is checked as the import checks it, the chart's axes must name a group and
a measure, and a refused edit says where and why and leaves the pack as it was."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from engine.builder.report_edits import (
    Chart,
    ReportForm,
    id_for_report,
    remove_report,
    reports_of,
    set_report,
)
from engine.definitions import load_pack
from engine.errors import ValidationFailed

PACK: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "modules" / "construction.json").read_text("utf-8")
)
MODULE = "labour_tally"


def by_month(**changes: Any) -> ReportForm:
    form: dict[str, Any] = {
        "title": {"en": "Hours by month", "zh-CN": "月度工时"},
        "where": "$state == 'approved'",
        "group_by": ["month(date)", "trade"],
        "measures": [("hours", "sum(hours)"), ("lines", "count()")],
        "chart": Chart("bar", "month(date)", "hours", "trade"),
    }
    return ReportForm(**{**form, **changes})


def refused(form: ReportForm, report_id: str = "") -> list[tuple[str, str]]:
    before = copy.deepcopy(PACK)
    with pytest.raises(ValidationFailed) as caught:
        set_report(PACK, MODULE, report_id, form)
    assert before == PACK  # the pack given is never changed
    return [(p.path, p.code) for p in caught.value.problems]


def test_a_report_is_added_with_an_id_from_its_title_and_compiles() -> None:
    pack, name = set_report(PACK, MODULE, "", by_month())
    assert name == "hours_by_month"
    written = pack["reports"][-1]
    assert written == {
        "id": "hours_by_month",
        "title": {"en": "Hours by month", "zh-CN": "月度工时"},
        "module": MODULE,
        "where": "$state == 'approved'",
        "group_by": ["month(date)", "trade"],
        "measures": {"hours": "sum(hours)", "lines": "count()"},
        "chart": {"type": "bar", "x": "month(date)", "y": "hours", "series": "trade"},
    }
    compiled = load_pack(pack)
    assert "hours_by_month" in {r.id for r in compiled.reports}
    assert [r["id"] for r in reports_of(pack, MODULE)] == ["labour_by_worker_month", name]
    again, second = set_report(pack, MODULE, "", by_month())
    assert second == "hours_by_month_2" and len(again["reports"]) == len(pack["reports"]) + 1


def test_a_report_is_changed_in_place_keeping_its_description_and_removed() -> None:
    form = by_month(
        title={"en": "Labour"},
        where="",
        group_by=["worker"],
        chart=None,
        measures=[("n", "count()")],
    )
    pack, name = set_report(PACK, MODULE, "labour_by_worker_month", form)
    assert name == "labour_by_worker_month"
    changed = next(r for r in pack["reports"] if r["id"] == name)
    assert changed["measures"] == {"n": "count()"} and changed["group_by"] == ["worker"]
    assert "where" not in changed and "chart" not in changed
    assert changed["description"]["en"].startswith("Approved labour")
    assert [r["id"] for r in pack["reports"]] == [r["id"] for r in PACK["reports"]]
    load_pack(pack)
    smaller = remove_report(pack, MODULE, name)
    assert name not in [r["id"] for r in smaller["reports"]]
    with pytest.raises(ValidationFailed) as caught:
        remove_report(smaller, MODULE, name)
    assert caught.value.problems[0].code == "builder_unknown_report"


def test_a_measure_with_code_an_unknown_field_or_a_clash_is_refused_where_it_is() -> None:
    measures = [
        ("a", "__import__('os').system('id')"),
        ("b", "sum(nope)"),
        ("c", "sum(worker)"),
        ("d", "hours"),
    ]
    found = refused(by_month(measures=measures, chart=None))
    paths = [path for path, _code in found]
    assert paths == [f"/reports/{len(PACK['reports'])}/measures/{n}" for n in "abcd"]
    assert all(code != "" for _path, code in found)


def test_groups_and_the_filter_must_not_aggregate_and_a_filter_must_be_a_condition() -> None:
    found = refused(by_month(where="hours", group_by=["sum(hours)"], chart=None))
    index = len(PACK["reports"])
    assert dict(found) == {
        f"/reports/{index}/where": "builder_expr_not_condition",
        f"/reports/{index}/group_by/0": "aggregate_forbidden",
    }
    assert refused(by_month(group_by=["trade", "trade"], chart=None))[0][1] == (
        "builder_group_twice"
    )


def test_chart_axes_must_name_a_group_and_a_measure() -> None:
    index = len(PACK["reports"])
    found = refused(by_month(chart=Chart("bar", "worker", "nothing")))
    assert found == [
        (f"/reports/{index}/chart/x", "chart_not_grouped"),
        (f"/reports/{index}/chart/y", "chart_not_a_measure"),
    ]
    assert refused(by_month(chart=Chart("donut", "trade", "hours")))[0][1] == "builder_chart_type"
    assert refused(by_month(chart=Chart("pie", "", "hours")))[0][1] == (
        "builder_chart_axis_missing"
    )


def test_measure_names_must_be_ids_given_once_and_not_a_groups_name() -> None:
    found = refused(
        by_month(
            measures=[
                ("Total!", "count()"),
                ("n", "count()"),
                ("n", "count()"),
                ("trade", "count()"),
            ],
            chart=None,
        )
    )
    assert [code for _p, code in found] == [
        "builder_id_invalid",
        "builder_measure_twice",
        "builder_measure_is_group",
    ]
    assert refused(by_month(measures=[], chart=None))[0][1] == "builder_measures_missing"
    assert refused(by_month(measures=[("n", " ")], chart=None))[0][1] == "builder_measure_empty"


def test_a_report_id_is_checked_for_collisions_as_it_is_typed() -> None:
    assert id_for_report(PACK, "Hours by month") == ("hours_by_month", None)
    name, problem = id_for_report(PACK, "", "cost_by_category")
    assert problem is not None and problem.code == "builder_report_taken"
    assert id_for_report(PACK, "Other", taken=["other"]) == ("other_2", None)  # another pack's
    name, problem = id_for_report(PACK, "Other", "other", taken=["other"])
    assert name == "other" and problem is not None and problem.code == "builder_report_taken"
    invalid = id_for_report(PACK, "", "X y")[1]
    assert invalid is not None and invalid.code == "builder_id_invalid"
    with pytest.raises(ValidationFailed) as caught:
        set_report(PACK, MODULE, "", by_month(), new_id="schedule_status")
    assert caught.value.problems[0].code == "builder_report_taken"
    with pytest.raises(ValidationFailed) as caught:
        set_report(PACK, "fund", "labour_by_worker_month", by_month())
    assert caught.value.problems[0].code == "builder_unknown_report"
