"""A scripted OpenAI-compatible chat-completions server on loopback, for testing the generative mode."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Script:
    """What the server does next: reply with text, fail with a status, or stall before replying."""

    replies: list[str] = field(default_factory=list)
    status: int = 200
    delay_s: float = 0.0


class FakeChatServer:
    """Serve POST /v1/chat/completions from a script and record every request body."""

    def __init__(self):
        self.script = Script()
        self.requests: list[dict] = []
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """Return the loopback port the server listens on."""
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """Return the base URL an OpenAI client takes."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> "FakeChatServer":
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release any stalled request."""
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def reply(self, *texts: str) -> None:
        """Answer the next requests with these texts, in order (the last one repeats)."""
        self.script = Script(replies=list(texts))

    def fail(self, status: int = 500) -> None:
        """Answer every request with this HTTP error status."""
        self.script = Script(status=status)

    def stall(self, seconds: float, text: str = "Too late.") -> None:
        """Wait this long before answering, to trip the client's timeout."""
        self.script = Script(replies=[text], delay_s=seconds)

    def messages(self, index: int = -1) -> list[dict]:
        """Return the chat messages of one recorded request."""
        return self.requests[index]["messages"]

    def _next_text(self) -> str:
        replies = self.script.replies or [""]
        return replies.pop(0) if len(replies) > 1 else replies[0]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                """Keep the test output quiet."""

            def do_POST(self) -> None:
                """Record the request, then follow the script."""
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": f"no route {self.path}"}})
                server.requests.append(body)
                script = server.script
                if script.delay_s:
                    server._stop.wait(script.delay_s)
                if script.status != 200:
                    return self._send(script.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                text = server._next_text()
                if body.get("stream"):
                    return self._stream(body, text)
                self._send(200, _completion(body, text))

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left, as the slow mode intends

            def _stream(self, body: dict, text: str) -> None:
                # Some clients stream by default; one content chunk then a stop chunk is enough.
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for delta, finish in (({"role": "assistant", "content": text}, None), ({}, "stop")):
                    chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
                             "model": body.get("model", "test"),
                             "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")

        return Handler


def _completion(body: dict, text: str) -> dict:
    """Return a chat.completion object carrying this text."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "test"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
