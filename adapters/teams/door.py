"""Teams requests at the door: where they come from (local mode), then the activity's shape.

Without an app id (`CONDUCTBOT_TEAMS=1`, for trying the bot on one machine) a request is taken only
when it reached a loopback address from a loopback address and carries no proxy header: behind a
reverse proxy on the same host every request would otherwise look local. Then the body must be UTF-8
JSON, not too deep, without lone surrogates, an activity whose fields have the types the adapter
reads; otherwise 400 with one line in the log.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from aiohttp import web

from adapters.common.door import BadRequest, fields, parse_json, utf8

FORWARDED = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP")


def loopback(address: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and IPv4-mapped loopback addresses."""
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool((mapped or ip).is_loopback)


def local_refusal(request: web.Request) -> str | None:
    """Why a request is not local (None when it is): peer, the address it reached, proxy headers."""
    if not loopback(request.remote):
        return "only local requests are accepted without MicrosoftAppId"
    sock = request.transport.get_extra_info("sockname") if request.transport else None
    if not sock or not loopback(str(sock[0])):
        return "without MicrosoftAppId only the loopback interface is served"
    if any(h in request.headers for h in FORWARDED):
        return "forwarded requests are not accepted without MicrosoftAppId"
    return None


def check(raw: bytes) -> dict[str, Any]:
    """The activity as JSON, once it is shaped as the Bot Framework sends it; else BadRequest."""
    body = parse_json(utf8(raw))
    fields(body, "activity", type=str, id=str, name=str, serviceUrl=str, channelId=str, text=str, locale=str)
    fields(body, "activity", replyToId=str, textFormat=str, conversation=dict, recipient=dict, channelData=dict)
    fields(body, "activity", entities=list, membersAdded=list, attachments=list)
    fields(body, "activity", **{"from": dict})
    if not isinstance(body.get("type"), str) or not body["type"]:
        raise BadRequest("an activity without a type")
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        raise BadRequest("an activity without a conversation")
    if not isinstance(body.get("serviceUrl"), str) or not body["serviceUrl"]:
        raise BadRequest("an activity without a serviceUrl")
    fields(conversation, "activity.conversation", conversationType=str, tenantId=str, isGroup=bool)
    fields(body.get("from") or {}, "activity.from", id=str, name=str, aadObjectId=str)
    fields(body.get("recipient") or {}, "activity.recipient", id=str, name=str)
    fields(body.get("channelData") or {}, "activity.channelData", tenant=dict)
    for member in body.get("membersAdded") or []:
        fields(member, "activity.membersAdded[]", id=str)
    for entity in body.get("entities") or []:
        fields(entity, "activity.entities[]", type=str, text=str, mentioned=dict)
    value = body.get("value")
    if isinstance(value, dict):
        fields(value, "activity.value", choice=str, text=str, input=str, data=dict)
        if isinstance(value.get("data"), dict):
            fields(value["data"], "activity.value.data", choice=str, text=str, input=str, open=str, t=str)
    return body
