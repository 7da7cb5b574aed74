"""Serving the gateway: uvicorn in this thread (`hall web`) or in a thread of its own
(tests, `hall demo`)."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from hall.web.app import Gateway, make_app
from hall.web.link import HubLink


class WebServer:
    """The hub link and the HTTP server on `host:port` (port 0: any free one)."""

    def __init__(
        self,
        endpoint: str,
        *,
        device: str = "web-1",
        keys: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 8080,
        offline_after: float = 3.0,
        log_level: str = "warning",
        **gateway: Any,
    ) -> None:
        self.link = HubLink(endpoint, device=device, keys=keys, offline_after=offline_after)
        self.app, self.gateway = make_app(self.link, **gateway)
        # log_config=None: uvicorn's lines go through the process's own logging (time,
        # level, journald's priority, ID numbers masked: hall.cli.logs), not the handlers
        # of its own it would otherwise install, which print them bare
        config = uvicorn.Config(self.app, host=host, port=port, log_level=log_level,
                                access_log=False, lifespan="on", log_config=None)  # fmt: skip
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def gw(self) -> Gateway:
        return self.gateway

    @property
    def url(self) -> str:
        """http://host:port once started (the port it got)."""
        sock = self.server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def run(self) -> None:
        """Serve until SIGINT/SIGTERM: uvicorn shuts down on them and then raises the
        signal again for the handler it found, which here only notes it: a clean exit."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: None)
        self.link.start()
        try:
            self.server.run()
        finally:
            self.link.stop()

    def start(self, timeout: float = 10.0) -> WebServer:
        """Serve in a daemon thread; return once it listens and follows the hub (or after
        `timeout` if the hub does not answer)."""
        self.link.start()
        self._thread = threading.Thread(target=self.server.run, name="web-http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the web gateway did not start")
            time.sleep(0.02)
        # the hub's layout and the board (a hub that is down: pages say so, and it may come)
        while not self.link.online and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self.link.stop()
