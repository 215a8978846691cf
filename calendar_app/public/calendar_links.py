"""One-click links to other calendars and to sharing: data in, URLs out (no request, no database).

Google Calendar and Outlook take a single event through their "template" addresses: a one-off activity and
each single date go that way. A series goes as a subscription to its own .ics feed, so that every date and
every later change arrives (their template addresses cannot say "except the cancelled dates").
"""
from datetime import date, datetime
from urllib.parse import urlencode

GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
OUTLOOK_COMPOSE = "https://outlook.live.com/calendar/0/deeplink/compose"
OUTLOOK_SUBSCRIBE = "https://outlook.live.com/calendar/0/addfromweb"
FACEBOOK_SHARE = "https://www.facebook.com/sharer/sharer.php"
ZALO_SHARE = "https://zalo.me/share"
#: template addresses carry the text in the URL: keep the details short enough for every browser
DETAILS_CHARS = 400


def _details(description: str | None, page_url: str) -> str:
    text = " ".join((description or "").split())
    if len(text) > DETAILS_CHARS:
        text = text[:DETAILS_CHARS].rsplit(" ", 1)[0] + "…"
    return f"{text}\n\n{page_url}" if text else page_url


def google_event(title: str, start: datetime | date, end: datetime | date, all_day: bool, *, location: str = "",
                 description: str | None = None, page_url: str) -> str:
    """Google Calendar's "add event" page; `start`/`end` naive UTC, or for an all-day event the local first day
    and the day after the last."""
    if all_day:
        dates = f"{start:%Y%m%d}/{end:%Y%m%d}"
    else:
        dates = f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"
    return f"{GOOGLE_TEMPLATE}?" + urlencode({"action": "TEMPLATE", "text": title, "dates": dates,
                                               "details": _details(description, page_url), "location": location})


def outlook_event(title: str, start: datetime | date, end: datetime | date, all_day: bool, *, location: str = "",
                  description: str | None = None, page_url: str) -> str:
    """Outlook on the web's "new event" page, for the same values as google_event."""
    if all_day:
        times = {"startdt": f"{start:%Y-%m-%d}", "enddt": f"{end:%Y-%m-%d}", "allday": "true"}
    else:
        times = {"startdt": f"{start:%Y-%m-%dT%H:%M:%SZ}", "enddt": f"{end:%Y-%m-%dT%H:%M:%SZ}"}
    return f"{OUTLOOK_COMPOSE}?" + urlencode({"path": "/calendar/action/compose", "rru": "addevent",
                                               "subject": title, **times,
                                               "body": _details(description, page_url), "location": location})


def google_subscribe(webcal_url: str) -> str:
    return f"{GOOGLE_TEMPLATE}?" + urlencode({"cid": webcal_url})


def outlook_subscribe(https_url: str, name: str) -> str:
    return f"{OUTLOOK_SUBSCRIBE}?" + urlencode({"url": https_url, "name": name})


def share_links(page_url: str) -> dict[str, str]:
    """Zalo and Facebook share pages for a public page (plain links: no third-party script on our pages)."""
    return {"zalo": f"{ZALO_SHARE}?" + urlencode({"url": page_url}),
            "facebook": f"{FACEBOOK_SHARE}?" + urlencode({"u": page_url})}
