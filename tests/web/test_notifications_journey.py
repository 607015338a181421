"""Notifications from the outside, end to end: a foreman submits a labour tally through the
API, `formwork tick` sends, and a real SMTP server and a real DingTalk stand-in receive —
each message once, in its reader's language, linking back to the tally; nobody hears of
what they did themselves; a hostile comment arrives as text; an overdue tally is reminded
once however often the tick runs. (Faults — a worker dying, a grant lost, servers down — are
in test_notifications_journey_faults.py.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from engine.catalog import load_catalog
from engine.db import transaction
from engine.models import Task
from engine.models_notifications import Notification
from tests.web.helpers import errors
from tests.web.journey import (
    BASE,
    Site,
    html_of,
    running_site,
    signed,
    subject,
    text_of,
    to,
    who,
)

NONE_MORE = "Notifications: 0 sent, 0 to retry later, 0 given up, 0 dropped."


@pytest.fixture
def site(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    with running_site(database_url, tmp_path, monkeypatch) as made:
        yield made


def sent(count: int) -> str:
    return f"Notifications: {count} sent, 0 to retry later, 0 given up, 0 dropped."


def test_submit_reaches_each_approver_once_in_their_language(site: Site) -> None:
    record, number = site.tally()
    link = f"{BASE}/m/labour_tally/r/{record}"
    assert sorted(site.told()) == [("task", "manager"), ("task", "zhao")]  # not qian, not foreman
    assert site.tick() == sent(4)  # two e-mails, two robot messages
    mails = {to(mail): mail for mail in site.mails()}
    assert sorted(mails) == ["manager", "zhao"]
    english, chinese = mails["manager"], mails["zhao"]
    assert subject(english) == f"{number} 王伟 is waiting for your approval"
    assert f"Open the record: {link}" in text_of(english)
    assert subject(chinese) == f"{number} 王伟 等待您审批"
    assert f"查看记录：{link}" in text_of(chinese) and "状态：已提交" in text_of(chinese)
    assert f'href="{link}"' in html_of(chinese) and '<html lang="zh-CN">' in html_of(chinese)
    posts = {who(p): p for p in site.posts()}
    assert sorted(posts) == ["manager", "zhao"]
    assert all(signed(p) for p in posts.values())
    assert posts["manager"].text.endswith(f"[Open]({link})\n\n@13800000001")
    assert posts["zhao"].title == f"{number} 王伟 等待您审批"
    assert f"[查看]({link})" in posts["zhao"].text
    assert all(p.payload["at"]["isAtAll"] is False for p in posts.values())

    assert site.tick() == NONE_MORE  # running the delivery again sends nothing more
    assert "Notifications:" not in site.work()  # nor does a worker's round
    assert (len(site.mails()), len(site.posts())) == (2, 2)


def test_a_rejection_and_an_approval_reach_the_owner_with_the_comment(site: Site) -> None:
    record, number = site.tally()
    assert site.tick() == sent(4)
    mails, posts = len(site.mails()), len(site.posts())

    told = len(site.told())
    site.fire(record, "reject", "manager", comment="Rate is 36.00 <b>not</b> 38.50")
    assert site.told()[told:] == [("decision", "foreman")]  # not also "waiting for you"
    assert site.tick() == sent(2)  # the owner only: an e-mail and a robot message
    (mail,) = site.mails(mails)
    assert to(mail) == "foreman" and subject(mail) == f"manager rejected {number} 王伟"
    assert "Comment: Rate is 36.00 <b>not</b> 38.50" in text_of(mail)
    assert "Rate is 36.00 &lt;b&gt;not&lt;/b&gt; 38.50" in html_of(mail)
    (post,) = site.posts(posts)
    assert who(post) == "foreman" and "Rate is 36.00 ＜b＞not＜/b＞ 38.50" in post.text

    site.fire(record, "submit", "foreman")  # submitted again: the approvers are asked anew
    assert site.tick() == sent(4)
    assert sorted(to(m) for m in site.mails(mails + 1)) == ["manager", "zhao"]

    site.fire(record, "approve", "zhao", comment="工时核对无误")
    assert site.tick() == sent(3)  # the owner's decision twice, the accountant's copy once
    owner, copy = sorted(site.mails(mails + 3), key=to)[::-1]
    assert to(owner) == "foreman" and subject(owner) == f"zhao approved {number} 王伟"
    assert "Comment: 工时核对无误" in text_of(owner) and "State: Approved" in text_of(owner)
    assert to(copy) == "accountant" and subject(copy) == f"zhao 抄送给您：{number} 王伟"
    assert [who(p) for p in site.posts(posts + 1)] == ["manager", "zhao", "foreman"]

    assert site.tick() == NONE_MORE
    assert (len(site.mails()), len(site.posts())) == (7, 6)
    with transaction(site.api.session_factory) as session:
        notes = session.execute(select(Notification.user_name, Notification.actor)).all()
    assert notes and all(name != actor for name, actor in notes)  # nobody hears of themselves
    assert [e for e, name in site.told() if name == "zhao"] == ["task", "task"]


HOSTILE = "<script>alert(1)</script> [x](http://evil) {{7*7}}"


def test_a_mention_reaches_once_and_a_hostile_comment_arrives_inert(site: Site) -> None:
    record, number = site.tally()
    assert site.tick() == sent(4)
    mails, posts, told = len(site.mails()), len(site.posts()), len(site.told())
    url = f"/modules/labour_tally/records/{record}/comments"
    refused = site.api.post(url, as_="manager", json={"body": f"{HOSTILE} @all"})
    assert refused.status_code == 422  # "@all" names nobody: refused at its place
    assert [(e["path"], e["code"]) for e in errors(refused)] == [("/body", "mention_unknown")]
    assert len(site.told()) == told

    words = f"{HOSTILE} @@all @zhao"  # "@@all" is no mention: it reaches the robot as text
    comment = site.call("POST", url, "manager", {"body": words})
    assert comment["mentions"] == ["zhao"]
    assert sent(4) in site.work()  # zhao mentioned, the foreman told of a comment on his tally
    by_whom = {to(m): m for m in site.mails(mails)}
    assert sorted(by_whom) == ["foreman", "zhao"]
    mention = by_whom["zhao"]
    assert subject(mention) == f"manager 在 {number} 王伟 中提到了您"
    html = html_of(mention)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="http://evil"' not in html and "{{7*7}}" in html
    assert f"> {words}" in text_of(mention)

    robot = {who(p): p for p in site.posts(posts)}
    assert sorted(robot) == ["foreman", "zhao"]
    for post in robot.values():
        assert "<script>" not in post.text and "](http://evil)" not in post.text
        assert "@all" not in post.text and "＜script＞" in post.text and "＠＠all" in post.text
        assert post.text.count("](") == 1  # the one link is the record's
        assert post.payload["at"] == {"atMobiles": post.mobiles, "isAtAll": False}

    assert site.tick() == NONE_MORE
    assert [to(m) for m in site.mails()].count("zhao") == 2  # the task, then the mention


def _waited_three_days(site: Site, record: str) -> dt.datetime:
    """Move the tally's submission three days back: it was due (P2D) a day ago."""
    since = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=3)
    with transaction(site.api.session_factory) as session:
        main = load_catalog(session).tables["labour_tally"].main
        session.execute(update(main).where(main.c.id == record).values(state_since=since))
        session.execute(
            update(Task)
            .where(Task.record_id == record, Task.done_at.is_(None))
            .values(due_at=since + dt.timedelta(days=2))
        )
    return since + dt.timedelta(days=2)


def test_an_overdue_tally_is_reminded_once_however_often_the_tick_runs(site: Site) -> None:
    record, number = site.tally()
    assert site.tick() == sent(4)
    mails, posts = len(site.mails()), len(site.posts())
    due = _waited_three_days(site, record)

    assert site.tick() == sent(6)  # both approvers and the owner, by e-mail and robot
    assert sorted(site.told("overdue")) == [
        ("overdue", "foreman"),
        ("overdue", "manager"),
        ("overdue", "zhao"),
    ]
    shanghai = due.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    by_whom = {to(m): subject(m) for m in site.mails(mails)}
    assert by_whom == {
        "foreman": f"{number} 王伟 is overdue: it was due {shanghai}",
        "manager": f"{number} 王伟 is overdue: it was due {shanghai}",
        "zhao": f"{number} 王伟 已逾期：截止时间为 {shanghai}",
    }
    assert sorted(who(p) for p in site.posts(posts)) == ["foreman", "manager", "zhao"]

    assert site.tick() == NONE_MORE
    assert site.tick() == NONE_MORE
    assert len(site.told("overdue")) == 3 and len(site.mails()) == mails + 3
