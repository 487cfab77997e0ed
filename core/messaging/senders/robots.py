"""Group robots: WeChat Work (企业微信群机器人) and DingTalk (钉钉自定义机器人), their documented message formats.

WeChat Work: ``POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY`` with
``{"msgtype": "text", "text": {"content": …, "mentioned_mobile_list": ["@all"]}}``, answered
``{"errcode": 0, "errmsg": "ok"}``; 45009 is its rate limit (20 messages a minute per robot).

DingTalk: ``POST https://oapi.dingtalk.com/robot/send?access_token=TOKEN[&timestamp=T&sign=S]`` with
``{"msgtype": "text", "text": {"content": …}, "at": {"isAtAll": false}}``; with a signing secret, T is the time in
milliseconds and S = urlencode(base64(HMAC-SHA256(secret, f"{T}\\n{secret}"))), checked by DingTalk within an hour.
130101 is its rate limit; 310000 a failed security check (keyword, signature or address).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus, urlencode, urlsplit, urlunsplit

from core.messaging.senders import Refused, Unavailable
from core.messaging.senders.http import answer_json, post_json
from core.messaging.texts import robot_text

RETRY_ERRCODES = {-1, 45009, 130101}  # system busy; WeChat Work and DingTalk rate limits


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode({k: v for k, v in params.items() if v})]))
    return urlunsplit(parts._replace(query=query))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` query value (already URL-encoded, as its documentation builds it)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def _check(body: bytes) -> str:
    answer = answer_json(body)
    if answer is None:
        raise Refused(f"not a robot's answer: {body[:200].decode('utf-8', 'replace')}")
    code = answer.get("errcode", 0)
    if code in (0, "0"):
        return str(answer.get("errmsg") or "ok")
    reason = f"errcode {code}: {answer.get('errmsg', '')}"
    if code in RETRY_ERRCODES:
        raise Unavailable(reason)
    raise Refused(reason)


def send_wecom(channel, delivery) -> str:
    text: dict = {"content": robot_text(delivery)}
    if channel.mention_all:
        text["mentioned_mobile_list"] = ["@all"]
    url = with_query(channel.url, key=channel.token)
    return _check(post_json(url, {"msgtype": "text", "text": text}, channel.timeout))


def send_dingtalk(channel, delivery) -> str:
    payload = {
        "msgtype": "text",
        "text": {"content": robot_text(delivery)},
        "at": {"atMobiles": [], "isAtAll": bool(channel.mention_all)},
    }
    url = with_query(channel.url, access_token=channel.token)
    if channel.secret:
        timestamp = int(time.time() * 1000)
        # The sign is URL-encoded already: appended as is, not encoded a second time.
        url = f"{with_query(url, timestamp=str(timestamp))}&sign={dingtalk_sign(channel.secret, timestamp)}"
    return _check(post_json(url, payload, channel.timeout))
