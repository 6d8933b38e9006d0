"""Push bodies as each courier sends them (docs/domain.md §3), signed with the given secret."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode
from xml.sax.saxutils import quoteattr

from ingest.couriers.auth import aftership_signature, kuaidi100_sign, zto_digest
from ingest.couriers.config import ZtoPushFormat

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class Push:
    """One HTTP push: where it goes (path below the receiver), its body and headers."""

    channel: str
    path: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Scan:
    """One scan in courier-neutral terms; each builder writes it in its courier's words."""

    waybill_no: str
    time_text: str  # as the courier writes it (China time, or a checkpoint's local time)
    code: str  # the courier's native code for it
    text: str
    location: str = ""
    event_id: str = ""  # SF route id


def kuaidi100(
    salt: str, waybill_no: str, com: str, state: str, scans: list[Scan], *, status: str = "polling"
) -> Push:
    """A Kuaidi100 push with `resultv2`: every event has its own `statusCode`; newest first."""
    data = [
        {
            "context": scan.text,
            "time": scan.time_text,
            "ftime": scan.time_text,
            "status": "",
            "areaCode": None,
            "areaName": scan.location or None,
            "statusCode": scan.code,
        }
        for scan in sorted(scans, key=lambda scan: scan.time_text, reverse=True)
    ]
    param = json.dumps(
        {
            "status": status,
            "billstatus": "got",
            "message": "",
            "lastResult": {
                "message": "ok",
                "state": state,
                "status": "200",
                "condition": "F00",
                "ischeck": "1" if state.startswith("3") else "0",
                "com": com,
                "nu": waybill_no,
                "data": data,
            },
        },
        ensure_ascii=False,
    )
    body = urlencode({"param": param, "sign": kuaidi100_sign(param, salt)}).encode("ascii")
    return Push("kuaidi100", "/push/kuaidi100", body, {"content-type": FORM})


def _sf_route(scan: Scan) -> dict[str, str]:
    return {
        "id": scan.event_id or uuid.uuid4().hex,
        "mailno": scan.waybill_no,
        "orderid": f"OS{scan.waybill_no}",
        "acceptTime": scan.time_text,
        "acceptAddress": scan.location,
        "remark": scan.text,
        "opCode": scan.code,
    }


def sf_json(token: str, scans: list[Scan]) -> Push:
    body = json.dumps(
        {"Body": {"WaybillRoute": [_sf_route(scan) for scan in scans]}}, ensure_ascii=False
    )
    return Push("sf", f"/push/sf/{token}", body.encode("utf-8"), {"content-type": JSON})


def sf_xml_form(token: str, scans: list[Scan]) -> Push:
    """SF's form mode: a field `content` holding URL-encoded XML."""
    routes = "".join(
        "<WaybillRoute "
        + " ".join(f"{name}={quoteattr(value)}" for name, value in _sf_route(scan).items())
        + "/>"
        for scan in scans
    )
    xml = f'<Request service="RoutePushService" lang="zh-CN"><Body>{routes}</Body></Request>'
    body = ("content=" + quote(quote(xml, safe=""), safe="")).encode("ascii")
    return Push("sf", f"/push/sf/{token}", body, {"content-type": FORM})


def zto(
    key: str, scans: list[Scan], *, form: ZtoPushFormat | None = None, company_id: str = ""
) -> Push:
    form = form or ZtoPushFormat()
    data = json.dumps(
        [
            {
                "billCode": scan.waybill_no,
                "action": scan.code,
                "actionTime": scan.time_text,
                "desc": scan.text,
                "facilityName": scan.location,
            }
            for scan in scans
        ],
        ensure_ascii=False,
    )
    fields = {form.data_field: data, form.company_field: company_id, "msg_type": "Traces"}
    provisional = urlencode(fields).encode("ascii")
    if form.digest_rule == "base64(md5(body+key))":
        raise ValueError("a body-digest rule cannot be put in the body it signs; sign data instead")
    fields[form.digest_field] = zto_digest(form.digest_rule, data=data, body=provisional, key=key)
    return Push("zto", "/push/zto", urlencode(fields).encode("ascii"), {"content-type": FORM})


def aftership(
    secret: str, tracking_number: str, slug: str, tag: str, scans: list[Scan], *, event_id: str = ""
) -> Push:
    """An AfterShip-style webhook; each scan's code is `Tag_Subtag` or a bare tag."""
    checkpoints = []
    for scan in scans:
        scan_tag, _, subtag = scan.code.partition("_")
        checkpoints.append(
            {
                "checkpoint_time": scan.time_text,
                "tag": scan_tag,
                "subtag": scan.code if subtag else None,
                "message": scan.text,
                "location": scan.location,
                "country_iso3": "CHN",
            }
        )
    document = {
        "event": "tracking_update",
        "event_id": event_id or str(uuid.uuid4()),
        "is_tracking_first_tag": False,
        "msg": {
            "tracking_number": tracking_number,
            "slug": slug,
            "tag": tag,
            "checkpoints": checkpoints,
        },
        "ts": 1796000000,
    }
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    headers = {
        "content-type": JSON,
        "aftership-hmac-sha256": aftership_signature(body, secret),
        "as-webhook-version": "2023-10",
    }
    return Push("aftership", "/push/aftership", body, headers)
