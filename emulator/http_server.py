"""A small threaded HTTP/1.1 server for WSGI apps, with keep-alive.

werkzeug's development server closes every connection (it cannot drain unread request bodies), so each
request pays a new TCP connection and a new thread. The fleet benchmarks send tens of thousands of requests,
which made that overhead larger than moto's own work. This server reads each request body in full before
calling the app and buffers each response, which makes connection reuse safe.
"""

from __future__ import annotations

import io
import sys
import traceback
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote_to_bytes

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _read_chunked(rfile: Any) -> bytes:
    body = bytearray()
    while True:
        size = int(rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return bytes(body)
        body += rfile.read(size)
        rfile.readline()


class WsgiRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sandbox"
    # TCP_NODELAY. http.server writes the headers, then the body, and on a keep-alive connection Nagle's algorithm
    # held the body back until the client's delayed ACK of the headers: 40 ms on every request.
    disable_nagle_algorithm = True
    app: WsgiApp

    def _environ(self, body: bytes) -> dict[str, Any]:
        path, _, query = self.path.partition("?")
        if "://" in path:  # absolute-form request target
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        environ: dict[str, Any] = {
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query,
            "RAW_URI": self.path,
            "REQUEST_URI": self.path,
            "REMOTE_ADDR": self.client_address[0],
            "SERVER_NAME": self.server.server_address[0],
            "SERVER_PORT": str(self.server.server_address[1]),
            "SERVER_PROTOCOL": self.request_version,
            "CONTENT_LENGTH": str(len(body)) if body else "",
        }
        for key, value in self.headers.items():
            name = key.upper().replace("-", "_")
            if name == "CONTENT_TYPE":
                environ[name] = value
            elif name not in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
                name = f"HTTP_{name}"
                environ[name] = f"{environ[name]},{value}" if name in environ else value
        return environ

    def _serve(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = _read_chunked(self.rfile)
        else:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            started[:] = [status, headers]
            return lambda _: None

        try:
            result = self.app(self._environ(body), start_response)
            try:
                payload = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
            status, headers = started
        except Exception:  # an answer, not a dropped connection the SDK would retry
            traceback.print_exc()
            status, headers = "500 Internal Server Error", [("Content-Type", "text/plain")]
            payload = b"Internal error in the AWS sandbox; see its log."
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason or HTTPStatus(int(code)).phrase)
        length = str(len(payload))
        for name, value in headers:
            lowered = name.lower()
            if lowered == "content-length" and self.command == "HEAD":
                length = value  # HEAD answers carry the length of the body a GET would return
            elif lowered not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _serve

    # One log line per request would flood the launcher's pipe during the 10,000-account benchmark.
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        pass


class WsgiServer(ThreadingHTTPServer):
    daemon_threads = True
    # Many SDK clients connect at once during benchmarks; the default backlog of 5 drops connections.
    request_queue_size = 1024


def make_server(host: str, port: int, app: WsgiApp) -> WsgiServer:
    handler = type("BoundHandler", (WsgiRequestHandler,), {"app": staticmethod(app)})
    return WsgiServer((host, port), handler)
