"""`hall web` against a real hub: the ticket's JSON and its live page follow the counter's
calls, scan-to-rate takes one rating, the hub's silence leaves pages stale and read-only."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from hall.client import HubClient
from hall.server.hub import Hub
from hall.web.app import RateLimit
from hall.web.server import WebServer
from hall.wire import protocol as P

CARD = P.Card(id_number="11010519491231002X", name="张三")


def wait_for(what: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


def api(web: WebServer, token: str) -> dict[str, Any]:
    r = httpx.get(f"{web.url}/api/t/{token}")
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


class Stream:
    """An SSE connection read on a thread: the `data:` messages as they come."""

    def __init__(self, url: str) -> None:
        self.messages: list[dict[str, Any]] = []
        self._t = threading.Thread(target=self._read, args=(url,), daemon=True)
        self._stop = False
        self._t.start()

    def _read(self, url: str) -> None:
        with httpx.stream("GET", url, timeout=30) as r:
            for line in r.iter_lines():
                if self._stop:
                    return
                if line.startswith("data: "):
                    self.messages.append(json.loads(line[6:]))

    def states(self) -> list[str]:
        return [m["state"] for m in self.messages]

    def close(self) -> None:
        self._stop = True


def test_the_json_follows_the_ticket_through_the_day(
    web: WebServer, kiosk: HubClient, manager: HubClient
) -> None:
    tokens = [kiosk.issue("G")["ticket"]["token"] for _ in range(5)]
    last = api(web, tokens[4])
    assert set(last) >= {"number", "queue", "state", "ahead", "wait_min", "window"}
    assert (last["number"], last["queue"], last["state"]) == ("A005", "G", "waiting")
    assert last["ahead"] == 4 and last["window"] is None and not last["stale"]
    lo, hi = last["wait_min"]
    assert 0 <= lo < hi
    manager.call_next(1)
    assert api(web, tokens[4])["ahead"] == 3
    first = api(web, tokens[0])
    assert (first["state"], first["window"], first["ahead"]) == ("called", 1, None)
    manager.start(1)
    assert api(web, tokens[0])["state"] == "serving"
    manager.finish(1)
    assert api(web, tokens[0])["state"] == "finished"
    manager.call_next(1)
    manager.no_show(1)
    assert api(web, tokens[1])["state"] == "no_show"
    manager.call_next(1)
    manager.park(1)
    assert api(web, tokens[2])["state"] == "parked"
    manager.call_next(2)
    manager.transfer(2, to_queue="M")
    moved = api(web, tokens[3])
    assert (moved["state"], moved["queue"], moved["ahead"]) == ("transferred", "M", 0)


def test_unknown_and_malformed_tokens_are_not_found(web: WebServer, kiosk: HubClient) -> None:
    token = kiosk.issue("G")["ticket"]["token"]
    wrong = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for t in (wrong, "short", "x" * 65, "a" * 20 + "%00", "../../etc/passwd"):
        r = httpx.get(f"{web.url}/api/t/{t}")
        assert r.status_code == 404, t
        assert token not in r.text
    r = httpx.get(f"{web.url}/t/{wrong}")
    assert r.status_code == 404 and "未找到该号码" in r.text


def test_the_page_follows_the_calls_live(
    web: WebServer, kiosk: HubClient, manager: HubClient
) -> None:
    tokens = [kiosk.issue("G")["ticket"]["token"] for _ in range(6)]
    s = Stream(f"{web.url}/api/t/{tokens[5]}/events")
    try:
        wait_for(lambda: s.messages)
        assert s.messages[0]["ticket"]["ahead"] == 5
        assert "快到您了" not in s.messages[0]["html"]
        for n in (1, 2):
            manager.call_next(n)
        wait_for(lambda: s.messages[-1]["ticket"]["ahead"] == 3)
        assert "快到您了" in s.messages[-1]["html"]  # nearly your turn: 3 ahead
        for n in (1, 2, 1, 2):  # A003, A004, A005 and then ours
            manager.finish(n)
            manager.call_next(n)
        called = wait_for(lambda: [m for m in s.messages if m["state"] == "called"])
        window = called[0]["ticket"]["window"]
        assert f"请到 {window} 号窗口" in called[0]["html"]
        assert s.states()[0] == "waiting" and "called" in s.states()
    finally:
        s.close()


def test_scan_to_rate_takes_one_rating(
    web: WebServer, hall_hub: Hub, kiosk: HubClient, manager: HubClient
) -> None:
    token = kiosk.issue("G")["ticket"]["token"]
    ticket_id = next(iter(hall_hub.engine.tickets))
    url = f"{web.url}/api/t/{token}/rating"
    r = httpx.post(url, json={"level": 5})
    assert r.status_code == 409 and r.json()["error"] == "not_rateable"  # still waiting
    manager.call_next(1)
    manager.start(1)
    manager.finish(1)
    assert httpx.post(url, json={"level": 9}).status_code == 400
    assert httpx.post(url, json={"level": "5"}).status_code == 400
    assert httpx.post(url, content=b"not json").status_code == 400
    r = httpx.post(url, json={"level": 1, "reasons": ["态度"]})
    assert r.status_code == 200 and r.json() == {"rated": True, "level": 1, "follow_up": True}
    again = httpx.post(url, json={"level": 5})
    assert again.status_code == 409 and again.json()["error"] == "already_rated"
    # tied to ticket, window and clerk as the pad's, with the same follow-up case
    case = hall_hub.engine.cases[f"FU-{ticket_id}"]
    assert (case.window, case.clerk, case.level, case.reasons) == (1, "S001", 1, ["态度"])
    assert wait_for(lambda: api(web, token)["rated"])
    # a ticket rated at the pad first: the phone is told it is done
    other = kiosk.issue("G")["ticket"]["token"]
    manager.call_next(1)
    manager.finish(1)
    with HubClient(hall_hub.endpoint, device="rating-1") as pad:
        pad.rate(4)
    r = httpx.post(f"{web.url}/api/t/{other}/rating", json={"level": 5})
    assert r.status_code == 409 and r.json()["error"] == "already_rated"


def test_the_rating_form_works_without_javascript(
    web: WebServer, kiosk: HubClient, manager: HubClient
) -> None:
    token = kiosk.issue("G")["ticket"]["token"]
    manager.call_next(1)
    manager.finish(1)
    page = httpx.get(f"{web.url}/t/{token}").text
    assert 'name="level"' in page and "非常满意" in page
    r = httpx.post(f"{web.url}/t/{token}/rating?lang=en", content=b"level=4",
                   headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == f"/t/{token}?lang=en"
    done = httpx.get(f"{web.url}/t/{token}?lang=en").text
    assert "Thank you for your rating" in done and 'name="level"' not in done
    r = httpx.post(f"{web.url}/t/{token}/rating", content=b"level=5",
                   headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert r.status_code == 409 and "已评价" in r.text


def test_ratings_are_limited_per_address(hall_hub: Hub, kiosk: HubClient) -> None:
    s = WebServer(hall_hub.endpoint, port=0, ratings_per_minute=3).start()
    try:
        token = kiosk.issue("G")["ticket"]["token"]
        codes = [httpx.post(f"{s.url}/api/t/{token}/rating", json={"level": 5}).status_code
                 for _ in range(5)]  # fmt: skip
        assert codes == [409, 409, 409, 429, 429]
    finally:
        s.stop()
    limit = RateLimit(2, per=60.0)
    assert [limit.allow("a", t) for t in (0.0, 1.0, 2.0)] == [True, True, False]
    assert limit.allow("b", 2.0) and limit.allow("a", 61.0)


def test_a_silent_hub_leaves_the_last_state_marked_stale(
    web: WebServer, hall_hub: Hub, kiosk: HubClient, manager: HubClient
) -> None:
    tokens = [kiosk.issue("G")["ticket"]["token"] for _ in range(2)]
    manager.call_next(1)
    s = Stream(f"{web.url}/api/t/{tokens[1]}/events")
    try:
        wait_for(lambda: s.messages)
        before = api(web, tokens[1])
        assert web.link.online
        hall_hub.stop()
        wait_for(lambda: not web.link.online, 8.0)
        after = api(web, tokens[1])
        assert after["stale"] and {**after, "stale": False} == before
        assert httpx.get(f"{web.url}/t/{tokens[1]}").status_code == 200
        assert "最后已知状态" in httpx.get(f"{web.url}/t/{tokens[1]}").text
        r = httpx.post(f"{web.url}/api/t/{tokens[1]}/rating", json={"level": 5})
        assert r.status_code == 503
        assert httpx.get(f"{web.url}/api/t/{tokens[0]}").status_code == 503  # never seen
        assert "最后已知状态" in httpx.get(f"{web.url}/board/1F").text
        wait_for(lambda: s.messages[-1]["ticket"]["stale"])
    finally:
        s.close()


def test_no_person_data_and_no_token_on_any_page(
    web: WebServer, hall_hub: Hub, kiosk: HubClient, manager: HubClient
) -> None:
    with_card = kiosk.issue("M", card=CARD)["ticket"]
    plain = kiosk.issue("G")["ticket"]
    manager.call_next(1)
    wait_for(lambda: web.link.board["tickets"])
    pages = [httpx.get(f"{web.url}{p}").text for p in (
        f"/t/{with_card['token']}", f"/t/{with_card['token']}?lang=en",
        f"/api/t/{with_card['token']}", "/board/1F", "/board/2F", "/board/1F?lang=en",
    )]  # fmt: skip
    for html in pages:
        assert not re.search(r"\d{17}[\dXx]", html)
        assert "张" not in html and "1231002X" not in html
        assert plain["token"] not in html
    board = json.dumps(web.link.board, ensure_ascii=False)
    assert with_card["token"] not in board and plain["token"] not in board


def test_a_crowd_of_lookups_is_one_request_to_the_hub(
    web: WebServer, hall_hub: Hub, kiosk: HubClient
) -> None:
    """The hub allows one device a burst of 200 requests; 400 phones opening their page
    at once are answered all the same (their lookups go to the hub together)."""
    import asyncio

    tokens = [kiosk.issue("G")["ticket"]["token"] for _ in range(200)]
    with HubClient(hall_hub.endpoint, device="kiosk-2") as other:  # (a burst each)
        tokens += [other.issue("M")["ticket"]["token"] for _ in range(200)]

    async def crowd() -> list[int]:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=400)) as c:
            rs = await asyncio.gather(*(c.get(f"{web.url}/api/t/{t}") for t in tokens))
        return [r.status_code for r in rs if r.json().get("stale") is False]

    assert asyncio.run(crowd()) == [200] * 400


def _with(text: str, needle: str) -> str | None:
    return text if needle in text else None


def test_a_call_to_another_floor_names_it_on_the_ticket_page_and_both_boards(
    web: WebServer, kiosk: HubClient, manager: HubClient
) -> None:
    """A G citizen waits on 1F; window 5 is on 2F: the page says 请到二楼 5 号窗口 and the
    call shows on the 1F board (where the citizen sits) as well as the 2F one."""
    manager.open_window(5)
    manager.sign_in(5, staff_no="S005", name="办事员5")
    token = kiosk.issue("G")["ticket"]["token"]
    manager.call_next(5)
    wait_for(lambda: api(web, token)["state"] == "called")
    page = httpx.get(f"{web.url}/t/{token}").text
    assert "请到二楼 5 号窗口" in page
    assert "Please go to window 5, 2nd floor" in httpx.get(f"{web.url}/t/{token}?lang=en").text
    for floor in ("1F", "2F"):
        board = wait_for(lambda f=floor: _with(httpx.get(f"{web.url}/board/{f}").text, "A001"))
        assert "请 A001 号到二楼 5 号窗口" in board
    assert "A001" not in httpx.get(f"{web.url}/board/3F").text
    # a call on the citizen's own floor: no floor in it
    kiosk.issue("G")
    manager.call_next(1)
    wait_for(lambda: "A002" in httpx.get(f"{web.url}/board/1F").text)
    assert "请 A002 号到 1 号窗口" in httpx.get(f"{web.url}/board/1F").text
