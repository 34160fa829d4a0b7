"""Serving an App: foreground with clean signal handling, or on a background thread."""

from __future__ import annotations

import signal
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sandbox_kit.http import App, Request, Response, json_response


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def _handler_for(app: App) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "sandbox/1.0"

        def setup(self):
            super().setup()
            # Headers and body go out in separate writes; without this, each response waits
            # for a delayed ACK (~40 ms per request on Linux).
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format, *args):  # noqa: A002 - stdlib signature
            return  # quiet: tests and the demo read their own output

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            host = f"{self.server.server_address[0]}:{self.server.server_address[1]}"
            request = Request.build(self.command, self.path, dict(self.headers.items()), body, host)
            try:
                response = app.dispatch(request)
            except Exception as exc:  # a sandbox bug must surface as a 500, not a hung client
                traceback.print_exc(file=sys.stderr)
                response = json_response({"error": f"sandbox internal error: {exc!r}"}, 500)
            self._send(response)

        def _send(self, response: Response) -> None:
            if response.drop_connection:
                self.close_connection = True
                try:
                    self.connection.shutdown(2)
                except OSError:
                    pass
                return
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    return Handler


class BackgroundServer:
    """An app served on a daemon thread; ``url`` is where it listens."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server = _Server((host, port), _handler_for(app))
        self.host, self.port = self._server.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"sandbox:{self.port}", daemon=True)

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.app.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def start_background(app: App, host: str = "127.0.0.1", port: int = 0) -> BackgroundServer:
    return BackgroundServer(app, host, port).start()


def serve(app: App, host: str, port: int, name: str) -> int:
    """Serve in the foreground until SIGTERM or SIGINT; print one line saying where."""
    server = BackgroundServer(app, host, port)
    signals: list[int] = []

    # The handler only records the signal: it runs in the main thread between two bytecodes, and
    # setting a threading.Event there deadlocked when the signal landed while the main thread held
    # that Event's lock in Event.wait() (the sandbox then never stopped).
    def _stop(signum, frame):
        signals.append(signum)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server.start()
    print(f"{name} listening on {server.url}", flush=True)
    while not signals:
        time.sleep(0.2)
    server.stop()
    return 0
