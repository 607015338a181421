"""What a recipient reads: every event worded in English and in Chinese, with who did it,
the pack's message, the decision's comment and an absolute link back; a hostile title or
comment is shown as text in the e-mail, never run; the daily digest lists each notification.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from engine.models_notifications import Notification
from engine.notifications import EVENTS
from engine.notifications.messages import render, render_digest
from engine.notifications.preferences import Preferences
from engine.notifications.settings import NotificationSettings, settings_from_env

HAN = re.compile(r"[\u4e00-\u9fff]")
SETTINGS = NotificationSettings(base_url="https://formwork.example.com", timezone="Asia/Shanghai")
MODULE = {"en": "Contracts", "zh-CN": "合同"}
APPROVE = {"en": "Approve", "zh-CN": "批准"}
APPROVED = {"en": "Approved", "zh-CN": "已批准"}
TITLE = "HT-2026-001 Rebar"
# the params each event carries (docs/notifications.md), as the parts raising them write them
PARAMS: dict[str, dict[str, Any]] = {
    "task": {"title": TITLE, "module_title": MODULE, "kind": "transition", "transition": "approve",
             "transition_label": APPROVE, "state_label": {"en": "Submitted", "zh-CN": "已提交"},
             "due_at": None},
    "decision": {"title": TITLE, "module_title": MODULE, "transition": "approve",
                 "transition_label": APPROVE, "outcome": "approved", "state_label": APPROVED,
                 "comment": "Prices checked"},
    "copied": {"title": TITLE, "module_title": MODULE, "transition": "approve",
               "transition_label": APPROVE, "state_label": APPROVED, "comment": None,
               "message": {"en": "Please file the contract", "zh-CN": "请将合同归档"}},
    "due_soon": {"title": TITLE, "module_title": MODULE, "state_label": APPROVED,
                 "due_at": "2026-03-01T09:00:00+00:00"},
    "overdue": {"title": TITLE, "module_title": MODULE, "state_label": APPROVED,
                "due_at": "2026-03-01T09:00:00+00:00"},
    "mention": {"title": TITLE, "module_title": MODULE, "comment_id": 7,
                "excerpt": "@ann could you check the rebar price?"},
    "comment": {"title": TITLE, "module_title": MODULE, "comment_id": 8,
                "excerpt": "Delivery moved to Friday"},
    "import_failed": {"module_title": MODULE, "job_id": 12, "file_name": "合同.xlsx",
                      "error": "row 3: the amount is not a number"},
    "webhook_failed": {"webhook_id": 4, "url": "https://erp.example.com/hook",
                       "event": "record.created", "error": "HTTP 500"},
}  # fmt: skip
# a word of each event's sentence, in each language
WORDS = {
    "task": ("waiting for you", "等待您处理"),
    "decision": ("approved", "批准了"),
    "copied": ("copied", "抄送"),
    "due_soon": ("is due 2026-03-01 17:00", "将于 2026-03-01 17:00 到期"),
    "overdue": ("overdue", "已逾期"),
    "mention": ("mentioned you", "提到了您"),
    "comment": ("commented on", "评论了"),
    "import_failed": ("import of 合同.xlsx into Contracts failed", "合同.xlsx 导入 合同 失败"),
    "webhook_failed": ("could not deliver record.created", "未能将 record.created 发送到"),
}


def note(event: str, params: dict[str, Any] | None = None, **fields: Any) -> Notification:
    about_record = event not in ("import_failed", "webhook_failed")
    values: dict[str, Any] = {
        "id": 1,
        "user_name": "ann",
        "event": event,
        "key": f"{event}:1",
        "module": "contract" if event != "webhook_failed" else None,
        "record_id": "r-42" if about_record else None,
        "actor": "bob",
        "params": PARAMS[event] if params is None else params,
        "created_at": dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC),
    }
    return Notification(**(values | fields))


def worded(notification: Notification, language: str, channel: str = "email") -> Any:
    prefs = Preferences(email="ann@example.com", language=language)
    return render(notification, channel=channel, send_id=99, prefs=prefs, settings=SETTINGS)


@pytest.mark.parametrize("event", EVENTS)
def test_every_event_is_worded_in_english_and_in_chinese(event: str) -> None:
    english, chinese = worded(note(event), "en"), worded(note(event), "zh-CN")
    en_word, zh_word = WORDS[event]
    assert en_word in english.subject and en_word in english.text
    assert zh_word in chinese.subject and zh_word in chinese.text
    assert not HAN.search(english.subject.replace("合同", "")), english.subject
    assert english.language == "en" and chinese.language == "zh-CN"
    assert "Hello ann," in english.text and "ann，您好" in chinese.text
    assert english.link in english.text and chinese.link in chinese.html
    assert english.link.startswith("https://formwork.example.com/")
    assert '<html lang="zh-CN">' in chinese.html
    assert english.to_email == "ann@example.com" and english.send_id == 99


def test_who_did_it_the_comment_and_the_pack_message_are_in_the_message() -> None:
    decision = worded(note("decision"), "en")
    assert decision.subject == f"bob approved {TITLE}"
    assert "Comment: Prices checked" in decision.text and "Prices checked" in decision.html
    copied = worded(note("copied"), "zh-CN")
    assert copied.subject == f"bob 抄送给您：{TITLE}"
    assert "> 请将合同归档" in copied.text and "请将合同归档" in copied.html
    assert "状态：已批准" in copied.text and "模块：合同" in copied.text
    mention = worded(note("mention"), "en")
    assert "> @ann could you check the rebar price?" in mention.text


@pytest.mark.parametrize(
    ("outcome", "english", "chinese"),
    [
        ("approved", "bob approved", "bob 批准了"),
        ("rejected", "bob rejected", "bob 驳回了"),
        ("returned", "bob sent", "bob 退回了"),
        ("moved", "bob moved", "bob 对"),
    ],
)
def test_a_decision_says_what_was_decided(outcome: str, english: str, chinese: str) -> None:
    params = PARAMS["decision"] | {"outcome": outcome}
    assert worded(note("decision", params), "en").subject.startswith(english)
    assert worded(note("decision", params), "zh-CN").subject.startswith(chinese)


def test_a_vote_and_an_event_of_the_system() -> None:
    vote = note("task", PARAMS["task"] | {"kind": "vote"}, actor=None)
    assert worded(vote, "en").subject == f"{TITLE} is waiting for your approval"
    assert worded(vote, "zh-CN").subject == f"{TITLE} 等待您审批"
    due = note("due_soon", actor=None)
    assert "截止时间" not in worded(due, "zh-CN").text  # the sentence says it already


def test_each_message_links_back_to_what_it_is_about() -> None:
    base = "https://formwork.example.com"
    assert worded(note("task"), "en").link == f"{base}/m/contract/r/r-42"
    assert worded(note("import_failed"), "en").link == f"{base}/m/contract/imports/12"
    assert worded(note("webhook_failed"), "en").link == f"{base}/admin/webhooks/4"
    odd = note("comment", record_id="a/../b?c")
    assert worded(odd, "en").link == f"{base}/m/contract/r/a%2F..%2Fb%3Fc"


class Elements(HTMLParser):
    """The tags and the href addresses an HTML document really has."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]

    def handle_data(self, data: str) -> None:
        self.text += data


HOSTILE = {
    "title": "<img src=x onerror=alert(1)> {{7*7}} [click](http://evil.example)",
    "module_title": {"en": "<b>bold</b>", "zh-CN": "<b>粗</b>"},
    "excerpt": "</div><script>alert(2)</script>{% raw %}\r\nBcc: all@example.com",
}


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_hostile_text_is_shown_as_text(language: str) -> None:
    message = worded(note("comment", HOSTILE), language)
    page = Elements()
    page.feed(message.html)
    assert {"img", "script", "b"}.isdisjoint(page.tags)
    assert set(page.hrefs) == {message.link}
    assert "<img src=x onerror=alert(1)> {{7*7}}" in page.text and "49" not in page.text
    assert "<script>alert(2)</script>{% raw %}" in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in message.html
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "<img src=x onerror=alert(1)> {{7*7}}" in message.subject


def test_a_robot_gets_the_facts_without_greeting_or_link_line() -> None:
    message = worded(note("copied"), "en", channel="feishu")
    assert message.text.splitlines()[0] == message.subject
    assert "Hello" not in message.text and message.link not in message.text


@pytest.mark.parametrize(
    ("language", "subject", "single"),
    [
        ("en", "Formwork: 3 notifications", "Formwork: 1 notification"),
        ("zh-CN", "Formwork：3 条通知", "Formwork：1 条通知"),
    ],
)
def test_the_digest_lists_each_notification_with_its_link(
    language: str, subject: str, single: str
) -> None:
    notes = [note("task", id=1), note("mention", id=2, record_id="r-43"), note("import_failed")]
    prefs = Preferences(email="ann@example.com", language=language)
    digest = render_digest(notes, send_id=5, prefs=prefs, settings=SETTINGS)
    assert digest.subject == subject and digest.channel == "email"
    assert digest.link == "https://formwork.example.com/notifications"
    page = Elements()
    page.feed(digest.html)
    for one in notes:
        headline = worded(one, language).subject
        assert headline in digest.text and headline in page.text
    assert "https://formwork.example.com/m/contract/r/r-43" in page.hrefs
    assert "https://formwork.example.com/m/contract/imports/12" in digest.text
    assert "2026-03-01 09:30" in digest.text  # 01:30 UTC in Shanghai
    one = render_digest(notes[:1], send_id=6, prefs=prefs, settings=SETTINGS)
    assert one.subject == single


def test_settings_come_from_the_environment() -> None:
    defaults = settings_from_env({})
    assert defaults.base_url == "http://127.0.0.1:5000" and not defaults.email_on
    assert (defaults.smtp_port, defaults.smtp_tls, defaults.smtp_timeout) == (587, "starttls", 10)
    given = settings_from_env(
        {
            "FORMWORK_BASE_URL": "https://forms.example.com/",
            "FORMWORK_TIMEZONE": "Asia/Shanghai",
            "FORMWORK_SMTP_HOST": "smtp.example.com",
            "FORMWORK_SMTP_TLS": "ssl",
            "FORMWORK_SMTP_USER": "mailer",
            "FORMWORK_SMTP_PASSWORD": "pa55word",
            "FORMWORK_SMTP_FROM": "Formwork <noreply@example.com>",
            "FORMWORK_SMTP_TIMEOUT": "3.5",
        }
    )
    assert given.base_url == "https://forms.example.com" and given.smtp_port == 465
    assert given.email_on and given.smtp_timeout == 3.5 and given.timezone == "Asia/Shanghai"
    assert "pa55word" not in repr(given)
    assert settings_from_env({"FORMWORK_SMTP_TLS": "none"}).smtp_port == 25


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FORMWORK_BASE_URL", "formwork.example.com"),
        ("FORMWORK_TIMEZONE", "Mars/Olympus"),
        ("FORMWORK_SMTP_PORT", "70000"),
        ("FORMWORK_SMTP_PORT", "twenty-five"),
        ("FORMWORK_SMTP_TLS", "maybe"),
        ("FORMWORK_SMTP_FROM", "nobody"),
        ("FORMWORK_SMTP_TIMEOUT", "-1"),
        ("FORMWORK_SMTP_PASSWORD", "alone"),
    ],
)
def test_a_wrong_setting_is_named(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        settings_from_env({name: value})
