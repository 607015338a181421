"""Sending on each channel, to real local servers: an e-mail arrives at an SMTP server with
its text and HTML parts and its Chinese subject intact; each robot's post has its documented
shape and a signature the robot would accept; a server that refuses, fails or cannot be
reached, and a private address not allowed, make the send fail with a short reason."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from engine.notifications.email import email_sender
from engine.notifications.outgoing import Outgoing, SendFailed
from engine.notifications.robots import check_robot_settings, robot_sender
from engine.notifications.settings import NotificationSettings
from tests.receiver import Receiver, running_receiver
from tests.smtpserver import running_smtp

OK = {
    "wecom": b'{"errcode":0,"errmsg":"ok"}',
    "dingtalk": b'{"errcode":0,"errmsg":"ok"}',
    "feishu": b'{"code":0,"msg":"success","data":{}}',
}
HOSTILE_TITLE = "[click](http://evil.example) <b>x</b> @all"
LINK = "https://formwork.example.com/m/contract/r/r-42"


def message(**fields: Any) -> Outgoing:
    values: dict[str, Any] = {
        "send_id": 314,
        "channel": "email",
        "language": "zh-CN",
        "subject": "bob 抄送给您：HT-2026-001 钢筋采购",
        "text": "bob 抄送给您：HT-2026-001 钢筋采购\n状态：已批准\n意见：价格已核对 @all\n",
        "html": "<p>bob 抄送给您：HT-2026-001 钢筋采购</p>",
        "link": LINK,
        "to_email": "ann@example.com",
        "to_mobile": None,
        "to_name": "王安",
    }
    return Outgoing(**(values | fields))


def smtp_settings(port: int, **fields: Any) -> NotificationSettings:
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_tls": "none",
        "smtp_from": "Formwork 通知 <noreply@formwork.example.com>",
        "smtp_timeout": 5.0,
    }
    return NotificationSettings(**(values | fields))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_email_arrives_with_text_and_html_and_its_chinese_subject_intact() -> None:
    with running_smtp() as server:
        send = email_sender(smtp_settings(server.port))
        send(message())
        send(message())  # sent again after a lost answer
    first, again = server.received
    assert first.rcpt_tos == ["ann@example.com"]
    assert first.mail_from == "noreply@formwork.example.com"
    mail = first.message
    assert str(mail["Subject"]) == "bob 抄送给您：HT-2026-001 钢筋采购"
    assert b"\xe6" not in first.raw.split(b"\r\n\r\n", 1)[0]  # headers are encoded, not raw
    assert mail["To"].addresses[0].display_name == "王安"
    assert mail["From"].addresses[0].display_name == "Formwork 通知"
    assert mail["Message-ID"] == "<formwork.notification.314@formwork.example.com>"
    assert again.message["Message-ID"] == mail["Message-ID"]
    assert mail["Date"] is not None and mail["Auto-Submitted"] == "auto-generated"
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None and html is not None
    assert "意见：价格已核对" in text.get_content() and text.get_content_charset() == "utf-8"
    assert "<p>bob 抄送给您" in html.get_content()


def test_an_email_logs_in_and_a_wrong_password_is_not_repeated() -> None:
    with running_smtp(users={"mailer": "s3cret-pass"}) as server:
        email_sender(smtp_settings(server.port, smtp_user="mailer", smtp_password="s3cret-pass"))(
            message()
        )
        wrong = smtp_settings(server.port, smtp_user="mailer", smtp_password="guess-Pa55")
        with pytest.raises(SendFailed, match="refused the login") as refused:
            email_sender(wrong)(message())
    assert server.logins == ["mailer"] and len(server.received) == 1
    assert "guess-Pa55" not in str(refused.value)


def test_an_email_fails_when_the_server_refuses_or_is_not_there() -> None:
    with running_smtp() as server:
        server.refuse.add("ann@example.com")
        with pytest.raises(SendFailed, match="550"):
            email_sender(smtp_settings(server.port))(message())
    assert server.received == []
    with pytest.raises(SendFailed):
        email_sender(smtp_settings(closed_port()))(message())
    with pytest.raises(SendFailed, match="no e-mail address"):
        email_sender(smtp_settings(closed_port()))(message(to_email=None))
    with pytest.raises(SendFailed, match="FORMWORK_SMTP_HOST"):
        email_sender(NotificationSettings())(message())


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_starttls_checks_the_certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert_file, key_file = certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    with running_smtp(users={"mailer": "s3cret-pass"}, tls_context=context) as server:
        settings = smtp_settings(
            server.port, smtp_tls="starttls", smtp_user="mailer", smtp_password="s3cret-pass"
        )
        with pytest.raises(SendFailed, match="TLS failed"):
            email_sender(settings)(message())  # a certificate nobody vouches for
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # now trusted
        email_sender(settings)(message())
    assert len(server.received) == 1 and server.logins == ["mailer"]


def posted(receiver: Receiver, index: int = -1) -> dict[str, Any]:
    return json.loads(receiver.received[index][1])


def robot(channel: str, receiver: Receiver, secret: str = "") -> Any:
    return robot_sender(channel, {"url": receiver.url, "secret": secret, "allow_private": True})


def test_wecom_posts_markdown_with_the_link_and_nothing_else_a_link() -> None:
    with running_receiver() as receiver:
        receiver.bodies.append(OK["wecom"])
        robot("wecom", receiver)(message(channel="wecom", subject=HOSTILE_TITLE))
        receiver.bodies.append(OK["wecom"])
        robot("wecom", receiver)(message(channel="wecom", to_mobile="13800001111"))
    markdown, text = posted(receiver, 0), posted(receiver, 1)
    assert markdown["msgtype"] == "markdown" and set(markdown) == {"msgtype", "markdown"}
    content = markdown["markdown"]["content"]
    assert content.endswith(f"[查看]({LINK})") and content.count("](") == 1
    assert "<b>" not in content and "@all" not in content and "click" in content
    assert receiver.received[0][0]["Content-Type"].startswith("application/json")
    assert text["msgtype"] == "text"
    assert text["text"]["mentioned_mobile_list"] == ["13800001111"]
    assert "@all" not in text["text"]["content"] and LINK in text["text"]["content"]


def test_dingtalk_posts_signed_markdown_that_mentions_only_the_recipient() -> None:
    secret = "SEC" + "a1b2c3" * 10
    with running_receiver() as receiver:
        receiver.bodies.append(OK["dingtalk"])
        out = message(channel="dingtalk", subject=HOSTILE_TITLE, to_mobile="13800001111")
        robot("dingtalk", receiver, secret)(out)
    query = parse_qs(urlsplit(receiver.paths[0]).query)
    stamp = query["timestamp"][0]
    expected = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256)
    assert query["sign"][0] == base64.b64encode(expected.digest()).decode()
    assert abs(int(stamp) / 1000 - dt.datetime.now(dt.UTC).timestamp()) < 60
    body = posted(receiver)
    assert body["msgtype"] == "markdown"
    assert body["at"] == {"atMobiles": ["13800001111"], "isAtAll": False}
    text = body["markdown"]["text"]
    assert text.count("](") == 1 and f"[查看]({LINK})" in text
    assert "@all" not in text and text.endswith("@13800001111")


def test_feishu_posts_a_signed_card_with_a_button_back() -> None:
    secret = "fEiShUsEcReT123456"
    with running_receiver() as receiver:
        receiver.bodies.append(OK["feishu"])
        robot("feishu", receiver, secret)(message(channel="feishu", subject=HOSTILE_TITLE))
    body = posted(receiver)
    stamp = body["timestamp"]
    expected = hmac.new(f"{stamp}\n{secret}".encode(), b"", hashlib.sha256)
    assert body["sign"] == base64.b64encode(expected.digest()).decode()
    assert abs(int(stamp) - dt.datetime.now(dt.UTC).timestamp()) < 60
    card = body["card"]
    assert body["msg_type"] == "interactive"
    assert card["header"]["title"] == {"tag": "plain_text", "content": HOSTILE_TITLE}
    texts = [e["text"] for e in card["elements"] if e["tag"] == "div"]
    assert texts and all(t["tag"] == "plain_text" for t in texts)
    assert "状态：已批准" in texts[0]["content"]
    (button,) = card["elements"][-1]["actions"]
    assert button["url"] == LINK and button["text"]["content"] == "查看"


@pytest.mark.parametrize("channel", ["wecom", "dingtalk", "feishu"])
def test_a_robot_that_refuses_or_fails_makes_the_send_fail(channel: str) -> None:
    with running_receiver() as receiver:
        receiver.bodies.append(b'{"errcode":93000,"errmsg":"invalid webhook url","code":19001}')
        with pytest.raises(SendFailed, match="refused the message"):
            robot(channel, receiver)(message(channel=channel))
        receiver.statuses.append(500)
        with pytest.raises(SendFailed, match="HTTP 500"):
            robot(channel, receiver)(message(channel=channel))
        with pytest.raises(SendFailed, match="not JSON"):
            robot(channel, receiver)(message(channel=channel))  # "pong"
    assert len(receiver.received) == 3


def test_a_private_address_is_refused_unless_allowed() -> None:
    with running_receiver() as receiver:
        send = robot_sender("wecom", {"url": receiver.url})
        with pytest.raises(SendFailed, match="127.0.0.1.*private"):
            send(message(channel="wecom"))
    assert receiver.received == []
    with pytest.raises(SendFailed):
        robot_sender(
            "feishu", {"url": f"http://127.0.0.1:{closed_port()}/x", "allow_private": True}
        )(message(channel="feishu"))


def codes(channel: str, **settings: Any) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in check_robot_settings(channel, settings)]


def test_a_robots_set_up_is_checked_at_its_place() -> None:
    public = "https://8.8.8.8/cgi-bin/webhook/send?key=abc"
    assert codes("wecom", url=public) == []
    assert codes("dingtalk", url=public, secret="SEC" + "f" * 64) == []
    assert codes("feishu", url="", secret="") == [("/url", "url_required")]
    assert codes("feishu", url="http://8.8.8.8/hook") == [("/url", "robot_url_https")]
    assert codes("feishu", url="http://127.0.0.1:9/hook", allow_private=True) == []
    assert codes("dingtalk", url="https://127.0.0.1/robot") == [("/url", "private_address")]
    assert codes("wecom", url="ftp://8.8.8.8/x") == [("/url", "url_scheme")]
    assert codes("wecom", url=public, secret="whatever1") == [("/secret", "robot_secret_unused")]
    assert codes("feishu", url=public, secret="short") == [("/secret", "robot_secret_length")]
    assert codes("feishu", url=public, secret="has a space") == [("/secret", "robot_secret_length")]
    assert codes("slack", url=public) == [("/channel", "unknown_channel")]
