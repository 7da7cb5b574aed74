"""The gateway's pages in a real headless Chromium (Debian's `chromium`, driven by Playwright):
the ticket page waiting, called and rating as the counter works, the English switch, the
browser board following the calls. Screenshots go to the test's folder (and to
$HALL_WEB_SHOTS when set, to look at)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hall.client import HubClient
from hall.web.server import WebServer

CHROMIUM = "/usr/bin/chromium"
# ./dev.sh installs it; only a developer who set up by hand may lack it (never CI)
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed",
)

#: every element with text of its own, and its computed font size
FONT_SIZES = """() => [...document.querySelectorAll('body *')]
  .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .filter(e => e.offsetParent !== null)
  .map(e => [e.tagName, parseFloat(getComputedStyle(e).fontSize), e.textContent.trim()])"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                              locale="zh-CN", is_mobile=True, has_touch=True)  # fmt: skip
    page = ctx.new_page()
    page.set_default_timeout(8000)
    yield page
    ctx.close()


def shot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    out = os.environ.get("HALL_WEB_SHOTS")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(out) / path.name)
    assert path.stat().st_size > 5_000  # a real picture, not an empty page
    return path


def small_text(page: Any) -> list[Any]:
    return [x for x in page.evaluate(FONT_SIZES) if x[1] < 16]


def test_the_ticket_page_waits_is_called_and_rates(
    phone: Any, web: WebServer, kiosk: HubClient, manager: HubClient, tmp_path: Path
) -> None:
    tokens = [kiosk.issue("G")["ticket"]["token"] for _ in range(5)]
    phone.goto(f"{web.url}/t/{tokens[4]}")
    assert phone.inner_text("#number") == "A005"
    assert phone.inner_text("#ahead") == "前面还有 4 人"
    assert phone.locator("#near").count() == 0
    assert small_text(phone) == []
    shot(phone, tmp_path, "ticket-waiting")
    manager.call_next(1)  # the page follows without a reload
    phone.wait_for_selector("#near")
    assert phone.inner_text("#ahead") == "前面还有 3 人"
    shot(phone, tmp_path, "ticket-nearly")
    for _ in range(4):
        manager.finish(1)
        manager.call_next(1)
    phone.wait_for_selector("#go")
    assert phone.inner_text("#go") == "请到 1 号窗口"
    assert phone.get_attribute("#live", "data-state") == "called"
    shot(phone, tmp_path, "ticket-called")
    manager.start(1)
    manager.finish(1)
    phone.wait_for_selector("form#rate")
    assert small_text(phone) == []
    shot(phone, tmp_path, "ticket-rate")
    phone.check("input[name=level][value='2']")
    phone.check("input[name=reasons][value='效率']")
    phone.click("input[type=submit]")
    phone.wait_for_selector("#thanks")
    assert phone.locator("form#rate").count() == 0
    shot(phone, tmp_path, "ticket-rated")


def test_the_english_switch(
    phone: Any, web: WebServer, kiosk: HubClient, manager: HubClient, tmp_path: Path
) -> None:
    token = kiosk.issue("G")["ticket"]["token"]
    manager.call_next(2)
    phone.goto(f"{web.url}/t/{token}")
    assert phone.inner_text("#go") == "请到 2 号窗口"
    phone.click("#lang")
    phone.wait_for_selector("text=Please go to window 2")
    assert phone.evaluate("document.documentElement.lang") == "en"
    assert "General" in phone.inner_text("main")
    shot(phone, tmp_path, "ticket-called-en")
    phone.click("#lang")
    phone.wait_for_selector("text=请到 2 号窗口")


def test_the_browser_board_follows_the_calls(
    browser: Any, web: WebServer, kiosk: HubClient, manager: HubClient, tmp_path: Path
) -> None:
    for _ in range(3):
        kiosk.issue("G")
    tv = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        tv.goto(f"{web.url}/board/1F")
        tv.wait_for_selector("#windows")
        assert tv.inner_text("#call") == "欢迎光临"
        manager.call_next(1)
        tv.wait_for_selector("text=请 A001 号到 1 号窗口")
        manager.call_next(2)
        tv.wait_for_selector("text=请 A002 号到 2 号窗口")
        assert "A001" in tv.inner_text("#recent")
        tv.wait_for_selector("#queues >> text=1 人等候")  # the next heartbeat's figures
        assert small_text(tv) == []
        shot(tv, tmp_path, "board-1F")
        tv.goto(f"{web.url}/board/1F?lang=en")
        assert "Number A002, please go to window 2" in tv.inner_text("#call")
        shot(tv, tmp_path, "board-1F-en")
    finally:
        tv.close()
