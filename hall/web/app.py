"""`hall web`'s HTTP side: a Starlette app over the hub link (hall.web.link).

Routes (DESIGN.md §8):

- ``GET /t/{token}`` the ticket page, live over ``GET /api/t/{token}/events`` (SSE);
  ``GET /api/t/{token}`` the same as JSON; ``POST /api/t/{token}/rating`` (JSON) and
  ``POST /t/{token}/rating`` (the page's form) rate a finished ticket once.
- ``GET /board/{floor}`` a floor's board for any browser, live over ``/board/{floor}/events``.

The gateway keeps nothing of its own but what the hub said last (the board it follows,
the status of the tickets phones are watching) and, per client address, how many
ratings it sent lately (a rate limit). When the hub is silent every page keeps the last
state, marked stale, and what would change the hall is refused with 503.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from datetime import time as day_time
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from hall.client import HubClient, HubUnavailable
from hall.core import errors as E
from hall.core import events as EV
from hall.core.idnumber import InvalidIdNumber, validate
from hall.web import pages
from hall.web.link import Change, HubLink
from hall.wire import protocol as P

log = logging.getLogger("hall.web")
T = TypeVar("T")

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
CHUNK = P.MAX_TOKENS  # tokens per ticket_status request (the protocol's limit)
BATCH_WAIT = 0.02  # seconds lookups are gathered into one ticket_status request
KEEPALIVE = 15.0  # seconds between SSE comments on a quiet stream (proxies close idle ones)
REFRESH_EVERY = 15.0  # seconds: wait estimates move with the clock, not only with events
REMEMBERED = 20_000  # ticket statuses kept for pages while the hub is silent
MAX_STREAMS = 5_000  # open SSE connections at once
CONFLICT = {"not_rateable", "already_rated", "bad_state"}
BOOKING_CONFLICT = {"slot_full", "booking_exists"}
CODE = re.compile(r"^[A-Za-z0-9 -]{8,12}$")


class RateLimit:
    """At most `n` actions per `per` seconds for each client address."""

    def __init__(self, n: int, per: float = 60.0) -> None:
        self.n, self.per = n, per
        self._seen: dict[str, deque[float]] = {}

    def allow(self, who: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if len(self._seen) > 10_000:  # forget addresses that went quiet
            self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] < self.per}
        q = self._seen.setdefault(who, deque())
        while q and now - q[0] >= self.per:
            q.popleft()
        if len(q) >= self.n:
            return False
        q.append(now)
        return True


def _lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "zh"


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


class Gateway:
    """The hub link, the phones and boards watching, and the routes."""

    def __init__(
        self, link: HubLink, *, ratings_per_minute: int = 10, bookings_per_minute: int = 10
    ) -> None:
        self.link = link
        self.rating_limit = RateLimit(ratings_per_minute)
        self.booking_limit = RateLimit(bookings_per_minute)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.watchers: dict[str, set[asyncio.Queue[tuple[dict[str, Any] | None, bool]]]] = {}
        self.boards: set[asyncio.Queue[bool]] = set()
        self.last: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.recent: dict[str, deque[dict[str, Any]]] = {}  # floor -> latest calls first
        self._dirty = False
        self._refreshing: asyncio.Task[None] | None = None
        self._refreshed = 0.0
        self._lookups: dict[str, list[asyncio.Future[dict[str, Any] | None]]] = {}
        self._batching: asyncio.Task[None] | None = None
        self.streams = 0

    # ------------------------------------------------------------ the app

    def app(self) -> Starlette:
        @asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            self.loop = asyncio.get_running_loop()
            self.link.on_change = self._from_link
            if not self.link._threads:
                self.link.start()
            try:
                yield
            finally:
                self.link.on_change = lambda c: None

        routes = [
            Route("/", self.home),
            Route("/t/{token}", self.ticket_page),
            Route("/t/{token}/rating", self.rate_form, methods=["POST"]),
            Route("/api/t/{token}", self.api_ticket),
            Route("/api/t/{token}/events", self.ticket_events),
            Route("/api/t/{token}/rating", self.api_rate, methods=["POST"]),
            Route("/book", self.book_page, methods=["GET", "POST"]),
            Route("/api/slots", self.api_slots),
            Route("/api/bookings", self.api_book, methods=["POST"]),
            Route("/api/bookings/{code}", self.api_cancel, methods=["DELETE"]),
            Route("/board/{floor}", self.board_page),
            Route("/board/{floor}/events", self.board_events),
            Route("/healthz", self.health),
        ]
        return Starlette(routes=routes, lifespan=lifespan)

    @property
    def layout(self) -> dict[str, Any]:
        return self.link.layout

    # ------------------------------------------------------------ the hub's news

    def _from_link(self, change: Change) -> None:
        """Called on the link's thread: hand over to the event loop."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._changed, change)

    def _changed(self, change: Change) -> None:
        for ev in change.events:
            if isinstance(ev.data, EV.CALLS):
                # on the window's floor and the floor its citizen waits on (the boards' floor
                # rule); "floor" names the window's floor when the citizen must change floors
                wf, qf = str(ev.data.floor), str(ev.data.queue_floor or ev.data.floor)
                call = {"number": ev.data.ticket["number"], "window": ev.data.window,
                        "floor": wf if wf != qf else ""}  # fmt: skip
                for f in dict.fromkeys((wf, qf)):
                    self.recent.setdefault(f, deque(maxlen=8)).appendleft(call)
        for board in self.boards:
            board.put_nowait(True)
        if change.online is False:  # pages keep the last state, marked stale
            for token, qs in self.watchers.items():
                for q in qs:
                    q.put_nowait((self.last.get(token), True))
            return
        now = time.monotonic()
        if change.events or change.online or now - self._refreshed > REFRESH_EVERY:
            self._poke()

    def _poke(self) -> None:
        """Ask the hub how every watched ticket stands, once more after a running round."""
        self._dirty = True
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.get_running_loop().create_task(self._refresh())

    async def _refresh(self) -> None:
        """One round for a burst of events (a transfer is two, a call with a no-show two)."""
        await asyncio.sleep(0.01)
        while self._dirty:
            self._dirty = False
            self._refreshed = time.monotonic()
            tokens = list(self.watchers)
            for i in range(0, len(tokens), CHUNK):
                try:
                    res = await self._ask(HubClient.ticket_status, tokens[i : i + CHUNK])
                except HubUnavailable:
                    return  # the link says when it is back
                except E.HallError:  # rate_limited: the hub is busy with us; again shortly
                    await asyncio.sleep(0.5)
                    self._dirty = True
                    break
                for token, status in res["tickets"].items():
                    if status != self.last.get(token):
                        self._remember(token, status)
                        for q in self.watchers.get(token, ()):
                            q.put_nowait((status, False))

    def _remember(self, token: str, status: dict[str, Any] | None) -> None:
        if status is None:
            self.last.pop(token, None)
            return
        self.last[token] = status
        self.last.move_to_end(token)
        while len(self.last) > REMEMBERED:
            self.last.popitem(last=False)

    async def _ask(self, method: Callable[..., T], *args: Any, **kw: Any) -> T:
        """The value of HubClient `method` run on the link's sender thread."""
        return await asyncio.wrap_future(self.link.call(method, *args, **kw))

    async def status(self, token: str) -> tuple[dict[str, Any] | None, bool]:
        """(the ticket's status, stale?): from the hub, or the last known when it is silent.
        Lookups arriving within `BATCH_WAIT` go to the hub as one request: the hub allows a
        device (the gateway is one) about a hundred requests a second."""
        if self.link.online:
            loop = asyncio.get_running_loop()
            f: asyncio.Future[dict[str, Any] | None] = loop.create_future()
            self._lookups.setdefault(token, []).append(f)
            if self._batching is None or self._batching.done():
                self._batching = loop.create_task(self._lookup_batch())
            try:
                status = await f
            except (HubUnavailable, E.HallError):
                pass  # away, or busy: what it said last
            else:
                return status, False
        return self.last.get(token), True

    async def _lookup_batch(self) -> None:
        await asyncio.sleep(BATCH_WAIT)
        while self._lookups:
            tokens = list(self._lookups)[:CHUNK]
            waiting = {t: self._lookups.pop(t) for t in tokens}
            try:
                res = await self._ask(HubClient.ticket_status, tokens)
            except Exception as e:  # each lookup gets it
                for fs in waiting.values():
                    for f in fs:
                        if not f.done():
                            f.set_exception(e)
                continue
            for t, fs in waiting.items():
                status = res["tickets"].get(t)
                self._remember(t, status)
                for f in fs:
                    if not f.done():
                        f.set_result(status)

    # ------------------------------------------------------------ tickets

    async def home(self, request: Request) -> Response:
        lang = _lang(request)
        return HTMLResponse(pages.message_page(
            self.layout, "请扫描号票上的二维码查看排队进度", "Scan the QR code on your ticket",
            lang=lang, switch=f"/?lang={'zh' if lang == 'en' else 'en'}",
        ))  # fmt: skip

    async def health(self, request: Request) -> Response:
        return JSONResponse({"hub": "online" if self.link.online else "stale",
                             "streams": self.streams})  # fmt: skip

    def _not_found(self, request: Request, token: str) -> Response:
        lang = _lang(request)
        return HTMLResponse(pages.message_page(
            self.layout, "未找到该号码（号票仅当天有效）", "No such ticket (a ticket is valid on its day only)",
            lang=lang, switch=f"/t/{token}?lang={'zh' if lang == 'en' else 'en'}",
        ), status_code=404)  # fmt: skip

    async def _lookup(self, token: str) -> tuple[dict[str, Any] | None, bool] | None:
        """The status, or None when the token cannot be one or the hub cannot answer."""
        if not TOKEN.match(token):
            return (None, False)
        status, stale = await self.status(token)
        if status is None and stale:
            return None  # hub silent, never seen: unknown
        return status, stale

    async def ticket_page(self, request: Request, note: str = "", code: int = 200) -> Response:
        token = request.path_params["token"]
        lang = _lang(request)
        found = await self._lookup(token)
        if found is None:
            return self._hub_away(request)
        status, stale = found
        if status is None:
            return self._not_found(request, token)
        inner = pages.ticket_status_html(self.layout, status, lang=lang, token=token,
                                         stale=stale, note=note)  # fmt: skip
        html = pages.ticket_page(self.layout, inner, status["state"], token=token, lang=lang)
        return HTMLResponse(html, status_code=code, headers={"Cache-Control": "no-store"})

    def _hub_away(self, request: Request) -> Response:
        lang = _lang(request)
        return HTMLResponse(pages.message_page(
            self.layout, "系统暂时无法连接，请稍后再试或留意现场叫号",
            "The hall cannot be reached just now; try again soon or watch the hall board",
            lang=lang, switch=f"{request.url.path}?lang={'zh' if lang == 'en' else 'en'}",
        ), status_code=503)  # fmt: skip

    async def _found(self, token: str) -> tuple[dict[str, Any], bool] | JSONResponse:
        """The ticket's status and staleness for a JSON route, or the JSON error to send."""
        found = await self._lookup(token)
        if found is None:
            return JSONResponse({"error": "hub_unavailable"}, status_code=503)
        status, stale = found
        if status is None:
            return JSONResponse({"error": "no_such_ticket"}, status_code=404)
        return status, stale

    async def api_ticket(self, request: Request) -> Response:
        found = await self._found(request.path_params["token"])
        if isinstance(found, JSONResponse):
            return found
        status, stale = found
        return JSONResponse(pages.ticket_json(self.layout, status, stale),
                            headers={"Cache-Control": "no-store"})  # fmt: skip

    async def ticket_events(self, request: Request) -> Response:
        token = request.path_params["token"]
        lang = _lang(request)
        found = await self._found(token)
        if isinstance(found, JSONResponse):
            return found
        status, stale = found
        if self.streams >= MAX_STREAMS:
            return JSONResponse({"error": "busy"}, status_code=503)
        q: asyncio.Queue[tuple[dict[str, Any] | None, bool]] = asyncio.Queue()
        self.watchers.setdefault(token, set()).add(q)
        self.streams += 1

        def render(s: dict[str, Any], stale: bool) -> str:
            inner = pages.ticket_status_html(self.layout, s, lang=lang, token=token, stale=stale)
            data = {"state": s["state"], "html": inner,
                    "ticket": pages.ticket_json(self.layout, s, stale)}  # fmt: skip
            return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

        async def stream() -> AsyncIterator[str]:
            try:
                yield render(status, stale)
                shown = status
                while True:
                    try:
                        s, old = await asyncio.wait_for(q.get(), KEEPALIVE)
                    except TimeoutError:
                        yield ": keepalive\n\n"
                        continue
                    if s is None:  # the day ended: the ticket is gone
                        s = shown
                    shown = s
                    yield render(s, old)
            finally:
                self.streams -= 1
                qs = self.watchers.get(token)
                if qs is not None:
                    qs.discard(q)
                    if not qs:
                        del self.watchers[token]

        return _sse(stream())

    # ------------------------------------------------------------ ratings

    async def _rate(
        self, request: Request, token: str, level: Any, reasons: Any
    ) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) of one rating from a phone."""
        if not TOKEN.match(token):
            return 404, {"error": "no_such_ticket"}
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
            return 400, {"error": "bad_request", "message": "level: 1 to 5"}
        if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
            return 400, {"error": "bad_request", "message": "reasons: a list of strings"}
        if not self.rating_limit.allow(_client(request)):
            return 429, {"error": "too_many", "message": "请稍后再试 / try again later"}
        if not self.link.online:
            return 503, {"error": "hub_unavailable"}
        try:
            value = await self._ask(HubClient.rate_by_token, token, level, reasons=reasons)
        except HubUnavailable:
            return 503, {"error": "hub_unavailable"}
        except E.HallError as err:
            code = 409 if err.code in CONFLICT else 404 if err.code == "no_such_ticket" else 400
            return code, {"error": err.code, "message": err.message,
                          "message_en": err.message_en}  # fmt: skip
        self._poke()  # the page says thank you
        return 200, {"rated": True, "level": value["level"], "follow_up": bool(value.get("case"))}

    async def api_rate(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return JSONResponse({"error": "bad_request", "message": "JSON body"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "bad_request", "message": "JSON object"}, status_code=400)
        code, out = await self._rate(request, request.path_params["token"], body.get("level"),
                                     body.get("reasons", []))  # fmt: skip
        return JSONResponse(out, status_code=code)

    async def rate_form(self, request: Request) -> Response:
        token = request.path_params["token"]
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        try:
            level: Any = int(form.get("level", [""])[0])
        except ValueError:
            level = None
        code, _ = await self._rate(request, token, level, form.get("reasons", []))
        if code == 200:
            return RedirectResponse(f"/t/{token}?lang={_lang(request)}", status_code=303)
        if code == 404:
            return self._not_found(request, token)
        lang = _lang(request)
        note = {
            400: ("请选择评价等级", "Please choose a level"),
            409: ("该号码已评价或尚不能评价", "Already rated, or not yet finished"),
            429: ("提交过于频繁，请稍后再试", "Too many tries; please wait a minute"),
            503: ("系统暂时无法连接，请稍后再试", "The hall cannot be reached; try again soon"),
        }[code]
        return await self.ticket_page(request, note=note[1] if lang == "en" else note[0],
                                      code=code)  # fmt: skip

    # ------------------------------------------------------------ booking

    def _today(self) -> date:
        try:
            return datetime.fromisoformat(self.link.at).date()
        except ValueError:
            return date.today()

    def _days(self) -> tuple[date, date]:
        days = int(self.layout.get("web", {}).get("booking_days", 7))
        today = self._today()
        return today, today + timedelta(days=days)

    async def _slots(self, queue: Any, day: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(queue, str) or not isinstance(day, str):
            return 400, {"error": "bad_request", "message": "queue and date (YYYY-MM-DD)"}
        try:
            d = date.fromisoformat(day)
        except ValueError:
            return 400, {"error": "bad_request", "message": "date: YYYY-MM-DD"}
        if not self.link.online:
            return 503, {"error": "hub_unavailable"}
        try:
            value = await self._ask(HubClient.booking_slots, queue, d)
        except HubUnavailable:
            return 503, {"error": "hub_unavailable"}
        except E.HallError as err:
            return 400, _refusal(err)
        return 200, value

    async def api_slots(self, request: Request) -> Response:
        q = request.query_params
        code, out = await self._slots(q.get("queue"), q.get("date"))
        return JSONResponse(out, status_code=code)

    async def _book(self, request: Request, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) of one booking. The ID number goes to the hub (which keeps
        only its keyed hash) and nowhere else: never into a reply, a page or the log."""
        queue, day, slot = body.get("queue"), body.get("date"), body.get("slot")
        idn, name = body.get("id_number"), body.get("name", "")
        if not all(isinstance(x, str) for x in (queue, day, slot, idn, name)):
            return 400, {"error": "bad_request",
                         "message": "queue, date, slot, id_number, name: strings"}  # fmt: skip
        assert isinstance(day, str) and isinstance(slot, str) and isinstance(idn, str)
        assert isinstance(name, str) and isinstance(queue, str)
        try:
            when = datetime.combine(date.fromisoformat(day), day_time.fromisoformat(slot))
            P.local_slot(when)  # "10:00+08:00": the hall's local time has none
        except ValueError:
            return 400, {"error": "bad_request", "message": "date YYYY-MM-DD, slot HH:MM"}
        try:
            validate(idn)
        except InvalidIdNumber:
            return 400, {"error": "bad_id_number", "message": "身份证号码有误，请核对",
                         "message_en": "The ID number is not valid"}  # fmt: skip
        if len(name) > 30:
            return 400, {"error": "bad_request", "message": "name: at most 30 characters"}
        if not self.booking_limit.allow(_client(request)):
            return 429, {"error": "too_many", "message": "请稍后再试 / try again later"}
        if not self.link.online:
            return 503, {"error": "hub_unavailable"}
        try:
            value = await self._ask(
                HubClient.book_online, P.Card(id_number=idn, name=name), queue, when
            )
        except HubUnavailable:
            return 503, {"error": "hub_unavailable"}
        except E.HallError as err:
            return (409 if err.code in BOOKING_CONFLICT else 400), _refusal(err)
        return 200, {"code": value["code"], "slot": value["slot"], "queue": value["queue"]}

    async def api_book(self, request: Request) -> Response:
        body = await _json_object(request)
        if body is None:
            return JSONResponse({"error": "bad_request", "message": "a JSON object"}, 400)
        code, out = await self._book(request, body)
        return JSONResponse(out, status_code=code)

    async def api_cancel(self, request: Request) -> Response:
        code = request.path_params["code"]
        if not CODE.match(code):
            return JSONResponse({"error": "no_booking"}, status_code=404)
        if not self.booking_limit.allow(_client(request)):
            return JSONResponse({"error": "too_many"}, status_code=429)
        if not self.link.online:
            return JSONResponse({"error": "hub_unavailable"}, status_code=503)
        try:
            value = await self._ask(HubClient.cancel_booking, code)
        except HubUnavailable:
            return JSONResponse({"error": "hub_unavailable"}, status_code=503)
        except E.HallError as err:
            status = 404 if err.code == "no_booking" else 409
            return JSONResponse(_refusal(err), status_code=status)
        return JSONResponse(value)

    async def book_page(self, request: Request) -> Response:
        lang = _lang(request)
        first, last = self._days()
        switch_q = {k: v for k, v in request.query_params.items() if k != "lang"}
        other = "zh" if lang == "en" else "en"
        switch = "/book?" + urlencode({**switch_q, "lang": other})
        title = pages._name(self.layout, lang) or "一窗"
        queues = pages.bookable(self.layout)
        if request.method == "POST":
            form = {k: v[0] for k, v in
                    parse_qs((await request.body()).decode("utf-8", "replace")).items()}  # fmt: skip
            code, out = await self._book(request, form)
            if code == 200:
                html = pages.booked_html(self.layout, lang=lang, code=out["code"],
                                         queue=out["queue"], slot=out["slot"])  # fmt: skip
                return HTMLResponse(pages.page(title, html, lang=lang, switch=switch),
                                    headers={"Cache-Control": "no-store"})  # fmt: skip
            note = str(out.get("message_en" if lang == "en" else "message") or out["error"])
            queue, day = form.get("queue", ""), form.get("date", "")
        else:
            code, note = 200, ""
            queue = request.query_params.get("queue") or (queues[0]["id"] if queues else "")
            day = request.query_params.get("date", "")
        slots = None
        if day:
            scode, sout = await self._slots(queue, day)
            if scode == 200:
                slots = sout["slots"]
            elif not note:
                note = str(sout.get("message") or sout["error"])
        body = pages.booking_form(
            self.layout, lang=lang, queue=queue, day=day or (first + timedelta(days=1)).isoformat(),
            days=(first.isoformat(), last.isoformat()), slots=slots, note=note,
        )  # fmt: skip
        return HTMLResponse(pages.page(title, body, lang=lang, switch=switch), status_code=code,
                            headers={"Cache-Control": "no-store"})  # fmt: skip

    # ------------------------------------------------------------ the board

    def _floor_known(self, floor: str) -> bool:
        return any(f["id"] == floor for f in self.layout.get("floors", []))

    def _board_inner(self, floor: str, lang: str) -> str:
        return pages.board_html(
            self.layout, self.link.board, self.link.queues, self.recent.get(floor, ()),
            floor=floor, lang=lang, stale=not self.link.online, at=self.link.at,
        )  # fmt: skip

    async def board_page(self, request: Request) -> Response:
        floor = request.path_params["floor"]
        lang = _lang(request)
        if not self._floor_known(floor):
            return HTMLResponse(pages.message_page(self.layout, "没有该楼层", "No such floor",
                                lang=lang, switch="/"), status_code=404)  # fmt: skip
        html = pages.board_page(self.layout, self._board_inner(floor, lang), floor=floor,
                                lang=lang)  # fmt: skip
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def board_events(self, request: Request) -> Response:
        floor = request.path_params["floor"]
        lang = _lang(request)
        if not self._floor_known(floor):
            return JSONResponse({"error": "no_such_floor"}, status_code=404)
        if self.streams >= MAX_STREAMS:
            return JSONResponse({"error": "busy"}, status_code=503)
        q: asyncio.Queue[bool] = asyncio.Queue()
        self.boards.add(q)
        self.streams += 1

        async def stream() -> AsyncIterator[str]:
            try:
                shown = ""
                while True:
                    inner = self._board_inner(floor, lang)
                    if inner != shown:
                        shown = inner
                        yield f"data: {json.dumps({'html': inner}, ensure_ascii=False)}\n\n"
                    try:
                        await asyncio.wait_for(q.get(), KEEPALIVE)
                    except TimeoutError:
                        yield ": keepalive\n\n"
                    while not q.empty():  # a burst of changes: one render
                        q.get_nowait()
            finally:
                self.streams -= 1
                self.boards.discard(q)

        return _sse(stream())


def _refusal(err: E.HallError) -> dict[str, Any]:
    return {"error": err.code, "message": err.message, "message_en": err.message_en}


async def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _sse(body: AsyncIterator[str]) -> Response:
    return StreamingResponse(body, media_type="text/event-stream", headers={
        "Cache-Control": "no-store", "X-Accel-Buffering": "no",
    })  # fmt: skip


def make_app(link: HubLink, **kw: Any) -> tuple[Starlette, Gateway]:
    gw = Gateway(link, **kw)
    return gw.app(), gw
