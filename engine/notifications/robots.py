"""Group chat robots: WeCom (企业微信), DingTalk (钉钉) and Feishu/Lark (飞书) custom robots,
each posting a message in its documented format with a link back to the record.

- WeCom: a markdown message ending in a link; when the recipient gave a mobile number, a
  text message instead, since only text messages can @mention by number
  (`mentioned_mobile_list`). WeCom robots are not signed: the key is in the URL.
- DingTalk: a markdown message with `at.atMobiles` (never `isAtAll`); with a secret, the URL
  carries `timestamp` (ms) and `sign` = base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")).
- Feishu: an interactive card whose texts are `plain_text` and whose button opens the link;
  with a secret, the body carries `timestamp` (s) and `sign` =
  base64(HMAC-SHA256(key="<timestamp>\\n<secret>", message="")).

What users wrote (a title, a comment) cannot become a link, a heading or an @all: markdown's
characters are swapped for their full-width look-alikes and every "@" for "＠". Bodies are
built with json.dumps. The URL is checked before every post as a webhook's is (public
addresses only unless `allow_private`), the connection goes to the checked address and no
redirect is followed (engine/webhooks/delivery.py `send`). A robot answers HTTP 200 with
`errcode` (or `code`) 0 when it took the message; anything else is SendFailed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from engine.errors import Problem
from engine.notifications.outgoing import Outgoing, Sender, SendFailed
from engine.webhooks.delivery import send
from engine.webhooks.targets import UnsafeTarget, check_url

ROBOTS = ("wecom", "dingtalk", "feishu")
SECRET_LENGTH = (8, 200)
OPEN: dict[str, str] = {"en": "Open", "zh-CN": "查看"}
USER_AGENT = "Formwork-Notifications/1"
# markdown's (and HTML's) structure characters → look-alikes a renderer reads as plain text
INERT = str.maketrans({
    "\\": "＼", "`": "｀", "*": "＊", "_": "＿", "[": "［", "]": "］", "(": "（", ")": "）",
    "<": "＜", ">": "＞", "#": "＃", "~": "～", "|": "｜", "!": "！", "&": "＆", "@": "＠",
})  # fmt: skip
WECOM_TEXT_BYTES, WECOM_MARKDOWN_BYTES, DINGTALK_BYTES, FEISHU_BYTES = 2000, 4000, 15000, 20000


def inert(text: str) -> str:
    """`text` shown as it reads, whatever markdown, HTML or @mention it carries."""
    return text.translate(INERT)


def inert_lines(text: str) -> list[str]:
    """The lines of a message's text made inert, keeping its own "> " quote marks."""
    return [
        "> " + inert(line[2:]) if line.startswith("> ") else inert(line)
        for line in text.strip().splitlines()
    ]


def cut(text: str, limit: int) -> str:
    """`text` within `limit` UTF-8 bytes (a robot refuses longer messages), cut at a character."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", "ignore") + "…"


def _body(outgoing: Outgoing, limit: int) -> str:
    """The message's facts: its text without the headline, which the robot shows as a title."""
    lines = outgoing.text.strip().splitlines()
    return cut(
        "\n".join(lines[1:]) if lines and lines[0] == outgoing.subject else outgoing.text, limit
    )


def wecom_payload(outgoing: Outgoing) -> dict[str, Any]:
    if outgoing.to_mobile:
        content = f"{outgoing.subject}\n{_body(outgoing, WECOM_TEXT_BYTES // 2)}".strip()
        content = cut(content.replace("@", "＠"), WECOM_TEXT_BYTES - 300) + f"\n{outgoing.link}"
        text = {"content": content, "mentioned_mobile_list": [outgoing.to_mobile]}
        return {"msgtype": "text", "text": text}
    lines = inert_lines(_body(outgoing, WECOM_MARKDOWN_BYTES // 2))
    content = "\n".join([f"**{inert(outgoing.subject)}**", *lines])
    content = cut(content, WECOM_MARKDOWN_BYTES - 300)
    content += f"\n[{OPEN.get(outgoing.language, OPEN['en'])}]({outgoing.link})"
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_payload(outgoing: Outgoing) -> dict[str, Any]:
    lines = [line for line in inert_lines(_body(outgoing, DINGTALK_BYTES)) if line.strip()]
    text = "\n\n".join([f"#### {inert(outgoing.subject)}", *lines])
    text += f"\n\n[{OPEN.get(outgoing.language, OPEN['en'])}]({outgoing.link})"
    mobiles = [outgoing.to_mobile] if outgoing.to_mobile else []
    if mobiles:  # DingTalk highlights the @ only when the number is in the text too
        text += f"\n\n@{outgoing.to_mobile}"
    return {
        "msgtype": "markdown",
        "markdown": {"title": outgoing.subject.replace("@", "＠"), "text": text},
        "at": {"atMobiles": mobiles, "isAtAll": False},
    }


def feishu_payload(outgoing: Outgoing) -> dict[str, Any]:
    button = {
        "tag": "button",
        "text": {"tag": "plain_text", "content": OPEN.get(outgoing.language, OPEN["en"])},
        "type": "primary",
        "url": outgoing.link,
    }
    elements: list[dict[str, Any]] = []
    body = _body(outgoing, FEISHU_BYTES).strip()
    if body:
        elements.append({"tag": "div", "text": {"tag": "plain_text", "content": body}})
    elements.append({"tag": "action", "actions": [button]})
    header = {"title": {"tag": "plain_text", "content": outgoing.subject}, "template": "blue"}
    card = {"config": {"wide_screen_mode": True}, "header": header, "elements": elements}
    return {"msg_type": "interactive", "card": card}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature (before URL-encoding): HMAC-SHA256 keyed by the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: HMAC-SHA256 keyed by "<timestamp>\\n<secret>" over nothing."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def _signed(
    channel: str, url: str, payload: dict[str, Any], secret: str
) -> tuple[str, dict[str, Any]]:
    """The URL and body of a post, signed when the robot has a secret."""
    if not secret:
        return url, payload
    if channel == "dingtalk":
        stamp = int(time.time() * 1000)
        joiner = "&" if urlsplit(url).query else "?"
        sign = quote(dingtalk_sign(secret, stamp), safe="")
        return f"{url}{joiner}timestamp={stamp}&sign={sign}", payload
    if channel == "feishu":
        stamp = int(time.time())
        return url, {"timestamp": str(stamp), "sign": feishu_sign(secret, stamp), **payload}
    return url, payload


def _accepted(channel: str, status: int | None, body: str) -> None:
    """Nothing when the robot took the message; SendFailed saying what it answered otherwise."""
    if status is None or not 200 <= status < 300:
        raise SendFailed(f"{channel} answered HTTP {status}: {body[:200]}")
    try:
        answer = json.loads(body)
    except ValueError:
        raise SendFailed(f"{channel} answered something that is not JSON: {body[:200]}") from None
    if not isinstance(answer, dict):
        raise SendFailed(f"{channel} answered an unexpected JSON value: {body[:200]}")
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode")))
    if code != 0:
        said = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        raise SendFailed(f"{channel} refused the message: {code} {said}"[:300])


PAYLOADS: dict[str, Callable[[Outgoing], dict[str, Any]]] = {
    "wecom": wecom_payload,
    "dingtalk": dingtalk_payload,
    "feishu": feishu_payload,
}


def robot_sender(channel: str, settings: Mapping[str, Any]) -> Sender:
    """The sender of one robot as the administrator set it up (url, secret, allow_private)."""
    if channel not in PAYLOADS:
        raise ValueError(f"{channel!r} is not a robot; the robots are {', '.join(ROBOTS)}")
    url = str(settings.get("url") or "")
    secret = str(settings.get("secret") or "")
    allow_private = bool(settings.get("allow_private"))

    def post(outgoing: Outgoing) -> None:
        if not url:
            raise SendFailed(f"the {channel} robot has no URL")
        target, payload = _signed(channel, url, PAYLOADS[channel](outgoing), secret)
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
        answer = send(target, body, headers, allow_private)
        if answer.refusal is not None and answer.refusal.code == "private_address":
            host, address = answer.refusal.params.get("host"), answer.refusal.params.get("address")
            raise SendFailed(
                f"refused: {host} is {address}, a private address; "
                f"the {channel} robot may send there only when private addresses are allowed"
            )
        if answer.status is None:
            raise SendFailed(f"{channel}: {answer.error or 'no answer'}"[:300])
        _accepted(channel, answer.status, answer.body)

    return post


def check_robot_settings(channel: str, settings: Mapping[str, Any]) -> list[Problem]:
    """Every problem of a robot's set-up, at its place: the URL, then the secret."""
    if channel not in PAYLOADS:
        return [
            Problem("/channel", "unknown_channel", {"value": channel, "values": ", ".join(ROBOTS)})
        ]
    url = str(settings.get("url") or "").strip()
    secret = str(settings.get("secret") or "")
    allow_private = bool(settings.get("allow_private"))
    problems: list[Problem] = []
    if not url:
        problems.append(Problem("/url", "url_required"))
    elif urlsplit(url).scheme == "http" and not allow_private:
        problems.append(Problem("/url", "robot_url_https"))
    else:
        try:
            check_url(url, allow_private=allow_private)
        except UnsafeTarget as error:
            problems.append(Problem("/url", error.code, error.params))
    low, high = SECRET_LENGTH
    if secret and channel == "wecom":
        problems.append(Problem("/secret", "robot_secret_unused"))
    elif secret and (not low <= len(secret) <= high or any(c.isspace() for c in secret)):
        problems.append(Problem("/secret", "robot_secret_length", {"low": low, "high": high}))
    return problems
