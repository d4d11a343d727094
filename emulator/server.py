"""Entry point of the local AWS sandbox: moto's server app with the project's extension, on 127.0.0.1.

Usage: python3 emulator/server.py [--port N]   (0 or no port: the OS picks a free one)

Prints one line `{"ready": true, "port": N}` on stdout once it accepts connections. Exits when stdin
closes, so the sandbox never outlives the process that started it, and on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402

import moto_ext  # noqa: E402
from http_server import make_server  # noqa: E402
from moto_ext import sandbox_api  # noqa: E402
from moto_ext.gate import RequestGate  # noqa: E402


def build_app() -> Any:
    moto_ext.install()
    moto_app = RequestGate(DomainDispatcherApplication(create_backend_app))

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO", "").startswith(sandbox_api.PREFIX):
            return sandbox_api.handle(environ, start_response)
        return moto_app(environ, start_response)

    return app


def _exit_when_stdin_closes() -> None:
    while sys.stdin.buffer.read(4096):
        pass
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--keep-alive-without-stdin", action="store_true", help="do not exit when stdin closes")
    args = parser.parse_args()

    server = make_server("127.0.0.1", args.port, build_app())
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    if not args.keep_alive_without_stdin:
        threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    print(json.dumps({"ready": True, "port": server.server_port}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
