"""Starting a hall app: common options, the QApplication, theme, language, and a safety net.

Every app (`hall kiosk|counter|display|rating|manager`) is started the same way:

    def add_arguments(p): ui.app.add_common_arguments(p, default_device="kiosk-1"); ...
    def run(args): return ui.app.run_app(args, build_window, streams=("board",))

No traceback ever reaches a citizen's screen: an unexpected exception is logged
with its traceback and the app carries on (the window shows its own error line).
What a user can get wrong when starting one (an endpoint without tcp://, a device
without a key, no screen at all) is said in one line before any window, exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PyQt6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PyQt6.QtWidgets import QApplication, QWidget

from hall.cli import logs
from hall.net.keys import KeysError, client_keys
from hall.net.sockets import EndpointError, check_endpoint
from ui import i18n, theme
from ui.hublink import HubLink
from ui.model import HallModel

log = logging.getLogger("ui")

DEFAULT_ENDPOINT = "tcp://127.0.0.1:7700"


def add_common_arguments(p: argparse.ArgumentParser, *, default_device: str) -> None:
    """The start-up options every app has (issue 5: --device --keys --endpoint --fullscreen --screen)."""
    p.add_argument("--endpoint", default=DEFAULT_ENDPOINT, help="the hub's address")
    p.add_argument("--device", default=default_device, help="this device's id in the key registry")
    p.add_argument("--keys", default=None, help="folder with this device's CURVE keys")
    p.add_argument("--fullscreen", action="store_true", help="fill the screen (hall use)")
    p.add_argument("--screen", type=int, default=0, help="which screen to show on")
    p.add_argument("--lang", choices=i18n.LANGUAGES, default="zh", help="zh (default) or en")
    p.add_argument("--size", default="", help="window size WxH for testing, e.g. 1280x800")


def install_safety_net() -> None:
    """Log unexpected exceptions instead of dying or showing a traceback."""

    def hook(t: type[BaseException], e: BaseException, tb: TracebackType | None) -> None:
        log.error(
            "unexpected error (the app carries on):\n%s",
            "".join(traceback.format_exception(t, e, tb)),
        )

    sys.excepthook = hook


_QT_LEVEL = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def qt_message(kind: QtMsgType, context: QMessageLogContext, message: str | None) -> None:
    """Qt's own messages ("qt.qpa.xcb: could not connect …") as log lines of the `qt` logger
    (`qt.CATEGORY`), with the time, level and device like the app's own, instead of bare
    lines on stderr."""
    category = context.category or "default"
    name = "qt" if category == "default" else f"qt.{category.removeprefix('qt.')}"
    level = _QT_LEVEL.get(kind, logging.WARNING)
    if message and any(m in message for m in _NOT_A_FAULT):
        level = logging.DEBUG
    logging.getLogger(name).log(level, "%s", message or "")


#: Qt warnings that say nothing about the hall: the offscreen platform (demo, CI, screenshots)
#: says this of every top-level window it shows
_NOT_A_FAULT = ("does not support propagateSizeHints",)


NO_SCREEN = (
    "没有屏幕（未设置 DISPLAY 或 WAYLAND_DISPLAY），无屏幕运行请设 QT_QPA_PLATFORM=offscreen / "
    "no screen (neither DISPLAY nor WAYLAND_DISPLAY is set); QT_QPA_PLATFORM=offscreen runs "
    "it without one"
)


def screen_problem() -> str | None:
    """Why Qt would abort (core dump) for want of a screen, or None.

    On Linux Qt's default platform needs an X or Wayland display; a QT_QPA_PLATFORM the
    user set (offscreen, eglfs, linuxfb on a kiosk …) is theirs to answer for.
    """
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    wayland, display = os.environ.get("WAYLAND_DISPLAY"), os.environ.get("DISPLAY")
    if wayland:
        runtime = os.environ.get("XDG_RUNTIME_DIR", "")
        if _answers(wayland if os.path.isabs(wayland) else os.path.join(runtime, wayland)):
            return None
    if display:
        # A local X display is a socket; a kiosk started before its X server (a boot race
        # under systemd) made Qt abort with a core dump at every restart.
        m = re.fullmatch(r"(?:unix)?:(\d+)(?:\.\d+)?", display)
        if m is None:
            return None  # a remote display: Qt says what it finds
        x = f"/tmp/.X11-unix/X{m.group(1)}"
        if _answers(x) or _answers("\0" + x):  # the file, or Linux's abstract socket
            return None
        return (f"DISPLAY={display} 没有屏幕在运行（X 服务器未启动？）/ no X server answers at "
                f"DISPLAY={display} (not started yet?); QT_QPA_PLATFORM=offscreen runs it "
                "without one")  # fmt: skip
    if wayland:
        return (f"WAYLAND_DISPLAY={wayland} 没有屏幕在运行 / no Wayland compositor answers at "
                f"WAYLAND_DISPLAY={wayland}; QT_QPA_PLATFORM=offscreen runs it without one")  # fmt: skip
    return NO_SCREEN


def _answers(path: str) -> bool:
    """Does a Unix socket at `path` accept a connection?"""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        try:
            s.connect(path)
        except OSError:
            return False
    return True


def start_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the common options before anything starts, or None: the endpoint
    must be tcp://HOST:PORT and, with --keys, this device must have a key there."""
    try:
        check_endpoint(args.endpoint, "--endpoint")
        if args.keys is not None:
            client_keys(args.keys, args.device)
    except (EndpointError, KeysError) as e:
        return str(e)
    return screen_problem()


def application(
    argv: list[str] | None = None, lang: str = "zh", *, prog: str = "hall"
) -> QApplication:
    """The QApplication with the hall's theme and language (reuses one that exists).

    With no screen to show on, prints why (`screen_problem`) and exits with status 2
    rather than letting Qt abort the process.
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        if (problem := screen_problem()) is not None:
            print(f"{prog}: {problem}", file=sys.stderr)
            raise SystemExit(2)
        qInstallMessageHandler(qt_message)  # before Qt says anything (its platform plugin)
        app = QApplication(argv or [sys.argv[0]])
    theme.apply(app)
    i18n.set_language(lang)
    return app


def place(window: QWidget, args: argparse.Namespace) -> None:
    """Size, screen and full screen from the common options."""
    screens = QApplication.screens()
    if screens and 0 <= args.screen < len(screens):
        window.setScreen(screens[args.screen])
        window.move(screens[args.screen].geometry().topLeft())
    if args.size:
        w, _, h = args.size.partition("x")
        window.resize(int(w), int(h))
    if args.fullscreen:
        window.showFullScreen()
    else:
        window.show()


def connect(
    args: argparse.Namespace, streams: tuple[str, ...] = ("board",)
) -> tuple[HubLink, HallModel]:
    link = HubLink(args.endpoint, args.device, keys=args.keys, streams=streams)
    model = HallModel(link)
    return link, model


def run_app(
    args: argparse.Namespace,
    build: Callable[[HubLink, HallModel, argparse.Namespace], QWidget],
    *,
    streams: tuple[str, ...] = ("board",),
) -> int:
    """Create the app, connect to the hub, show the window, run the event loop.

    A start-up problem (`start_problem`) is one line on stderr and exit status 2.
    """
    prog = f"hall {getattr(args, 'command', None) or 'app'}"
    if (problem := start_problem(args)) is not None:
        print(f"{prog}: {problem}", file=sys.stderr)
        return 2
    install_safety_net()
    logs.set_device(args.device)  # every line of this app names its device
    app = application(lang=args.lang, prog=prog)
    link, model = connect(args, streams)
    window = build(link, model, args)
    place(window, args)
    quit_on_signals(app, window)
    QTimer.singleShot(0, link.start)
    rc = app.exec()
    link.stop()
    return rc


def quit_on_signals(app: QApplication, window: QWidget) -> None:
    """SIGTERM (systemd's stop, `kill`) and Ctrl-C close the app as its window would: the
    window's own close, the devices' threads stopped (aboutToQuit), the hub link closed,
    exit status 0 — not killed in the middle of printing a ticket. Python runs a signal
    handler only between its own bytecodes and Qt's event loop runs none, so a timer lets
    it in five times a second."""

    def handler(signum: int, frame: object) -> None:
        log.info("signal %d: closing", signum)
        window.close()
        app.quit()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    tick = QTimer(app)
    tick.timeout.connect(lambda: None)
    tick.start(200)
