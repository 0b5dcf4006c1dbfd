"""Fake Telegram Bot API server (aiohttp in its own thread + event loop) for end-to-end tests.

The real PTB ``Application`` talks to it over HTTP: ``ApplicationBuilder().token(server.token)
.base_url(server.base_url).base_file_url(server.base_file_url)``. Drivers (``send_text``,
``send_document``, ``press_button``) queue updates for getUpdates; every successful call the bot
makes is recorded in ``server.sent``. Inside PTB's event loop use ``await server.async_wait_for(...)``:
the sync ``wait_for`` blocks its thread and would starve the bot. Example: test_server_smoke.py.
"""
from __future__ import annotations

import asyncio
import copy
import html
import json
import re
import socket
import threading
import time
from collections import deque
from typing import Any, Callable

from aiohttp import web

# PTB 22 always POSTs x-www-form-urlencoded (multipart/form-data when uploading) and every value is a
# string: str values as-is, everything else json.dumps'ed (5 -> "5", True -> "true", dicts -> "{...}").
# So "123" may be text or a number: decode by parameter name, never by guessing.
JSON_KEYS = {"reply_markup", "entities", "caption_entities", "commands", "allowed_updates", "scope",
             "link_preview_options", "reply_parameters", "media"}
INT_KEYS = {"chat_id", "message_id", "offset", "limit", "user_id", "from_chat_id", "message_thread_id",
            "cache_time", "reply_to_message_id"}
TEXT_KEYS = {"text", "caption", "data", "url", "description", "query", "callback_query_id", "file_id",
             "parse_mode", "action", "inline_message_id", "language_code", "document"}
METHODS = ["getMe", "getUpdates", "deleteWebhook", "setWebhook", "getWebhookInfo", "setMyCommands",
           "getMyCommands", "sendMessage", "editMessageText", "editMessageReplyMarkup", "deleteMessage",
           "answerCallbackQuery", "sendChatAction", "sendDocument", "getFile", "logOut", "close"]
MESSAGE_METHODS = {"sendMessage", "sendDocument"}
RATE_LIMITED = {"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup"}
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
             "pre", "blockquote", "tg-emoji"}
DEFAULT_GROUP_ID, DEFAULT_SUPERGROUP_ID = -4000000001, -1001000000001


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after

    def response(self) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.json_response(body, status=self.status)


def _u16(s: str) -> int:  # Telegram counts offsets, lengths and limits in UTF-16 code units
    return len(s.encode("utf-16-le")) // 2


def _render(text: str, parse_mode: str | None, limit: int = 4096) -> str:
    """Reject what Telegram rejects (bad markup, too long); return the plain text Telegram stores."""
    mode, err = (parse_mode or "").lower(), "Bad Request: can't parse entities: "
    if mode == "html":
        stack: list[str] = []
        for m in re.finditer(r"<(/?)([^\s>/]*)[^>]*>|<", text):
            where, tag = f"at byte offset {len(text[:m.start()].encode())}", (m.group(2) or "").lower()
            if tag not in HTML_TAGS:
                raise ApiError(400, f"{err}Unsupported start tag \"{tag}\" {where}")
            if not m.group(1):
                stack.append(tag)
            elif not stack or stack.pop() != tag:
                raise ApiError(400, f"{err}Unmatched end tag {where}, expected \"</{tag}>\"")
        if stack:
            raise ApiError(400, f"{err}Can't find end tag corresponding to start tag \"{stack[-1]}\"")
        text = html.unescape(re.sub(r"<[^>]*>", "", text))
    elif mode == "markdownv2":
        plain = re.sub(r"```.*?```|`[^`]*`|\]\((?:\\.|[^)\\])*\)", "", text, flags=re.S)
        if m := re.search(r"(?<!\\)(?:\\\\)*([#+\-={}.!])", plain):
            raise ApiError(400, f"{err}Character '{m.group(1)}' is reserved and must be escaped with the "
                                "preceding '\\'")
        text = re.sub(r"\\(.)", r"\1", re.sub(r"[*_~|]", "", text))
    if _u16(text) > limit:
        raise ApiError(400, "Bad Request: message is too long" if limit == 4096
                       else "Bad Request: message caption is too long")
    return text


class BotApiServer:
    def __init__(self, token: str = "123:ABC", bot_username: str = "carewise_test_bot"):
        self.token, self.bot_username, self.port = token, bot_username, None
        self.bot_user = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Carewise",
                         "username": bot_username}
        self._lock = self._cond = threading.Condition(threading.RLock())
        self._thread: threading.Thread | None = None
        self.clear()

    def clear(self) -> None:
        """Forget recordings, queued updates, files, messages, commands and injected faults."""
        with self._lock:
            self.sent: list[dict] = []       # successful calls of every method but getUpdates
            self.requests: list[dict] = []   # the same plus failed calls ("error" set)
            self.callback_answers: list[dict] = []
            self.unknown_methods: list[str] = []
            self.rejected_429 = 0            # every 429 answered (rate limit or fail(...))
            self.files: dict[str, dict] = {}     # file_id -> metadata incl. "data" bytes
            self.messages: dict[int, dict] = {}  # message_id (one global counter) -> current Message
            self.commands: list[dict] | None = None
            self.webhook_url = ""
            self._updates: list[dict] = []
            self._next = {"update": 1, "message": 1, "file": 1, "callback": 1}
            self._faults: list[dict] = []
            self._delays: list[dict] = []
            self._blocked: dict[str, ApiError] = {}
            self._rate, self._window = None, deque()
            self._allowed_updates: list[str] | None = None

    # ---------------------------------------------------------------- lifecycle
    base_url = property(lambda self: f"http://127.0.0.1:{self.port}/bot")
    base_file_url = property(lambda self: f"http://127.0.0.1:{self.port}/file/bot")

    def start(self) -> "BotApiServer":
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # like asyncio: port reusable at once
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        ready, errors = threading.Event(), []

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()
            try:
                self._wakeup, self._closing = asyncio.Event(), asyncio.Event()
                app = web.Application(client_max_size=64 * 1024 * 1024)
                app.router.add_route("*", "/{tail:.*}", self._handle)
                self._runner = web.AppRunner(app, shutdown_timeout=2.0, access_log=None)
                loop.run_until_complete(self._runner.setup())
                loop.run_until_complete(web.SockSite(self._runner, sock).start())
            except BaseException as exc:  # pragma: no cover
                errors.append(exc)
                return
            finally:
                ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name=f"fake-botapi-{self.port}", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        if not self._thread:
            return

        async def shutdown() -> None:
            self._closing.set()  # ends pending long polls and delays
            self._wakeup.set()
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(15)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = None

    def __enter__(self) -> "BotApiServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---------------------------------------------------------------- fault injection
    def fail(self, method: str, status: int, description: str, retry_after: int | None = None,
             times: int | None = 1, chat_id: int | str | None = None) -> None:
        """The next `times` calls (None = forever) of `method` (to `chat_id` if given) get this error."""
        with self._lock:
            self._faults.append({"method": method, "times": times, "chat_id": chat_id,
                                 "error": ApiError(status, description, retry_after)})

    def block(self, chat_id: int | str) -> None:
        with self._lock:
            self._blocked[str(chat_id)] = ApiError(403, "Forbidden: bot was blocked by the user")

    def chat_not_found(self, chat_id: int | str) -> None:
        with self._lock:
            self._blocked[str(chat_id)] = ApiError(400, "Bad Request: chat not found")

    def delay(self, method: str, seconds: float, times: int | None = 1) -> None:
        """Answer late. Like Telegram, the call still takes effect (and is recorded) even if the client
        gave up with TimedOut meanwhile."""
        with self._lock:
            self._delays.append({"method": method, "seconds": seconds, "times": times, "chat_id": None})

    def rate_limit(self, per_second: float | None) -> None:
        with self._lock:
            self._rate, self._window = per_second, deque()

    # ---------------------------------------------------------------- inspection
    def calls(self, method: str, include_failed: bool = False) -> list[dict]:
        with self._lock:
            return [c for c in (self.requests if include_failed else self.sent) if c["method"] == method]

    def messages_to(self, chat_id: int | str) -> list[dict]:
        with self._lock:
            return [c for c in self.sent if c["method"] in MESSAGE_METHODS and str(c["chat_id"]) == str(chat_id)]

    def wait_for(self, predicate: Callable[[dict], Any], timeout: float = 10, since: int = 0) -> dict:
        """Block until a record in `sent[since:]` satisfies predicate and return it."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not (hit := next((c for c in self.sent[since:] if predicate(c)), None)):
                if (remaining := deadline - time.monotonic()) <= 0:
                    raise AssertionError(f"no matching Bot API call within {timeout}s.\n{self.dump()}")
                self._cond.wait(remaining)
            return hit

    def wait_for_messages(self, chat_id: int | str, n: int, timeout: float = 10) -> list[dict]:
        """Block until at least n messages went to chat_id; return them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(msgs := self.messages_to(chat_id)) < n:
                if (remaining := deadline - time.monotonic()) <= 0:
                    raise AssertionError(f"expected {n} messages to {chat_id} within {timeout}s, got "
                                         f"{len(msgs)}.\n{self.dump()}")
                self._cond.wait(remaining)
            return msgs

    async def async_wait_for(self, predicate: Callable[[dict], Any], timeout: float = 10,
                             since: int = 0) -> dict:
        return await asyncio.to_thread(self.wait_for, predicate, timeout, since)

    async def async_wait_for_messages(self, chat_id: int | str, n: int, timeout: float = 10) -> list[dict]:
        return await asyncio.to_thread(self.wait_for_messages, chat_id, n, timeout)

    def dump(self) -> str:
        with self._lock:
            lines = [f"  {c['method']} chat={c['chat_id']} msg={c['message_id']} text={c['text']!r:.120}"
                     + (f"  ERROR {c['error']}" if c["error"] else "") for c in self.requests]
            return (f"Bot API calls so far ({len(self._updates)} updates not fetched yet):\n"
                    + ("\n".join(lines) or "  (none)"))

    # ---------------------------------------------------------------- test drivers
    def _bump(self, key: str) -> int:
        with self._lock:
            self._next[key] += 1
            return self._next[key] - 1

    def _queue(self, kind: str, obj: dict) -> dict:
        with self._lock:
            update = {"update_id": self._bump("update"), kind: obj}
            self._updates.append(update)
            if self._thread:
                self._loop.call_soon_threadsafe(self._wakeup.set)
            return copy.deepcopy(update)

    @staticmethod
    def _user(user_id: int, first_name: str = "Sam") -> dict:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}

    @staticmethod
    def _chat(chat_id: int | str, chat_type: str | None = None, first_name: str = "Sam") -> dict:
        if chat_type not in (None, "private"):  # user side: groups get negative ids
            chat_id = -abs(chat_id) if chat_id else DEFAULT_GROUP_ID if chat_type == "group" else DEFAULT_SUPERGROUP_ID
        chat_id = int(chat_id) if re.fullmatch(r"-?\d+", str(chat_id)) else chat_id
        chat_type = chat_type or ("private" if isinstance(chat_id, int) and chat_id > 0 else "supergroup")
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": first_name}
        return {"id": chat_id, "type": chat_type, "title": "Carewise test group"}

    def _new_message(self, chat: dict, sender: dict, reply_to: int | None = None, **fields: Any) -> dict:
        with self._lock:
            if reply_to is not None and (orig := self.messages.get(int(reply_to))):
                fields["reply_to_message"] = {k: v for k, v in orig.items() if k != "reply_to_message"}
            msg = {"message_id": self._bump("message"), "date": int(time.time()), "chat": chat,
                   "from": sender, **{k: v for k, v in fields.items() if v is not None}}
            self.messages[msg["message_id"]] = msg
            return copy.deepcopy(msg)

    def send_text(self, user_id: int, text: str, chat_id: int | None = None, chat_type: str = "private",
                  first_name: str = "Sam", reply_to_message_id: int | None = None) -> dict:
        entities = []
        if cmd := re.match(r"/[A-Za-z0-9_]{1,32}(@\w+)?", text):
            entities.append({"type": "bot_command", "offset": 0, "length": _u16(cmd.group(0))})
        for m in re.finditer("@" + re.escape(self.bot_username) + r"\b", text, re.I):
            if not (cmd and m.start() < cmd.end()):
                entities.append({"type": "mention", "offset": _u16(text[:m.start()]), "length": _u16(m.group(0))})
        chat = self._chat(chat_id or (user_id if chat_type == "private" else None), chat_type, first_name)
        return self._queue("message", self._new_message(chat, self._user(user_id, first_name), reply_to_message_id,
                                                        text=text, entities=entities or None))

    def _store_file(self, data: bytes, file_name: str | None, mime_type: str | None) -> dict:
        n = self._bump("file")
        ext = file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else "bin"
        meta = {"file_id": f"BQACAgIAAxkBAAI{n:06d}", "file_unique_id": f"AgAD{n:04d}", "file_size": len(data),
                "file_path": f"documents/file_{n}.{ext}", "file_name": file_name, "mime_type": mime_type,
                "data": bytes(data)}
        with self._lock:
            self.files[meta["file_id"]] = meta
        return meta

    @staticmethod
    def _document(meta: dict) -> dict:
        keys = ("file_id", "file_unique_id", "file_name", "mime_type", "file_size")
        return {k: meta[k] for k in keys if meta[k] is not None}

    def send_document(self, user_id: int, data: bytes, file_name: str, mime_type: str,
                      chat_id: int | None = None, caption: str | None = None) -> dict:
        meta = self._store_file(data, file_name, mime_type)
        chat = self._chat(chat_id or user_id, "supergroup" if chat_id and chat_id < 0 else "private")
        return self._queue("message", self._new_message(chat, self._user(user_id), document=self._document(meta),
                                                        caption=caption))

    def press_button(self, user_id: int, message: dict | int, data: str) -> dict:
        """`message`: a record from `sent`, a Message dict or a message_id; its current version is used."""
        mid = message if isinstance(message, int) else message["message_id"]
        with self._lock:
            msg = self.messages.get(mid) or (message.get("result") or message if isinstance(message, dict) else None)
            if msg is None:
                raise KeyError(f"message {mid} unknown to the fake Bot API")
            return self._queue("callback_query", {"id": f"cbq{self._bump('callback')}", "from": self._user(user_id),
                                                  "message": copy.deepcopy(msg), "data": data,
                                                  "chat_instance": f"ci{msg['chat']['id']}"})

    # ---------------------------------------------------------------- HTTP
    async def _params(self, request: web.Request) -> dict:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body and request.content_type == "application/json":
            params.update(await request.json() or {})
        elif request.can_read_body:
            for key, value in (await request.post()).items():
                params[key] = value if not isinstance(value, web.FileField) else {
                    "data": value.file.read(), "filename": value.filename, "content_type": value.content_type}
        for key, value in params.items():
            if not isinstance(value, str):
                continue
            if key in JSON_KEYS:
                params[key] = json.loads(value)
            elif key in INT_KEYS and re.fullmatch(r"-?\d+", value):
                params[key] = int(value)
            elif key == "timeout":
                params[key] = float(value)
            elif value in ("true", "false") and key not in TEXT_KEYS:
                params[key] = value == "true"
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path.startswith("/file/bot"):
            token, _, file_path = request.path[len("/file/bot"):].partition("/")
            with self._lock:
                meta = next((f for f in self.files.values() if f["file_path"] == file_path), None)
            if token != self.token or meta is None:
                return ApiError(404, "Not Found").response()
            return web.Response(body=meta["data"], content_type="application/octet-stream")
        m = re.fullmatch(r"/bot([^/]*)/([A-Za-z]+)", request.path)
        if not m or m.group(1) != self.token:
            return ApiError(401, "Unauthorized").response() if m else ApiError(404, "Not Found").response()
        method = next((name for name in METHODS if name.lower() == m.group(2).lower()), None)
        if method is None:
            with self._cond:
                self.unknown_methods.append(m.group(2))
                self._cond.notify_all()
            return ApiError(404, "Not Found: method not found").response()
        try:
            params = await self._params(request)
            if method == "getUpdates":
                return web.json_response({"ok": True, "result": await self._get_updates(params)})
        except ValueError as exc:
            return ApiError(400, f"Bad Request: can't parse parameters: {exc}").response()
        except ApiError as err:
            return err.response()
        chat_id = params.get("chat_id")
        record = {"method": method, "chat_id": chat_id, "text": params.get("text", params.get("caption")),
                  "parse_mode": params.get("parse_mode"), "reply_markup": params.get("reply_markup"),
                  "message_id": params.get("message_id"), "time": time.monotonic(), "error": None, "result": None,
                  "params": {k: v for k, v in params.items() if not (isinstance(v, dict) and "content_type" in v)}}
        with self._lock:
            delay = self._take(self._delays, method, chat_id)
        if delay:
            try:
                await asyncio.wait_for(self._closing.wait(), delay["seconds"])
            except asyncio.TimeoutError:
                pass
        with self._cond:
            try:
                if fault := self._take(self._faults, method, chat_id):
                    raise fault["error"]
                if chat_id is not None and str(chat_id) in self._blocked:
                    raise self._blocked[str(chat_id)]
                if method in RATE_LIMITED and self._rate:
                    now = time.monotonic()
                    while self._window and now - self._window[0] >= 1.0:
                        self._window.popleft()
                    if len(self._window) >= self._rate:
                        raise ApiError(429, "Too Many Requests: retry after 1", 1)
                    self._window.append(now)
                record["result"] = getattr(self, "_m_" + method)(params, record)
                self.sent.append(record)
                return web.json_response({"ok": True, "result": record["result"]})
            except ApiError as err:
                self.rejected_429 += err.status == 429
                record["error"] = f"{err.status} {err.description}"
                return err.response()
            finally:
                self.requests.append(record)
                self._cond.notify_all()

    @staticmethod
    def _take(rules: list[dict], method: str, chat_id: Any) -> dict | None:
        for rule in rules:
            if rule["method"] == method and (rule["chat_id"] is None or str(rule["chat_id"]) == str(chat_id)):
                if rule["times"] is not None:
                    rule["times"] -= 1
                    if rule["times"] <= 0:
                        rules.remove(rule)
                return rule
        return None

    async def _get_updates(self, params: dict) -> list[dict]:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset, limit = params.get("offset"), int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        if "allowed_updates" in params:
            self._allowed_updates = params["allowed_updates"] or None
        while True:
            with self._lock:
                if offset is not None and offset > 0:  # confirms (drops) every update before offset
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._allowed_updates:
                    self._updates = [u for u in self._updates if set(u) - {"update_id"} <= set(self._allowed_updates)]
                batch = self._updates[offset:] if offset is not None and offset < 0 else self._updates
                if batch or self._closing.is_set():
                    return copy.deepcopy(batch[:limit])
            self._wakeup.clear()  # safe: drivers set it via call_soon_threadsafe, so after this line
            if (remaining := deadline - time.monotonic()) <= 0:
                return []
            try:
                await asyncio.wait_for(self._wakeup.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    # ---------------------------------------------------------------- Bot API methods
    # Each gets (params, record), runs under the state lock and returns the "result".
    def _m_getMe(self, p, r):
        return {**self.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    def _m_deleteWebhook(self, p, r):
        self.webhook_url, self._updates = "", [] if p.get("drop_pending_updates") else self._updates
        return True

    def _m_setWebhook(self, p, r):
        self.webhook_url = p.get("url", "")
        return True

    def _m_getWebhookInfo(self, p, r):
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    def _m_setMyCommands(self, p, r):
        self.commands = p.get("commands") or []
        return True

    _m_getMyCommands = lambda self, p, r: self.commands or []  # noqa: E731
    _m_logOut = _m_close = _m_sendChatAction = lambda self, p, r: True  # noqa: E731
    _m_editMessageText = lambda self, p, r: self._edit(p, text=True)  # noqa: E731
    _m_editMessageReplyMarkup = lambda self, p, r: self._edit(p, text=False)  # noqa: E731

    def _bot_message(self, p: dict, record: dict, **fields: Any) -> dict:
        if "chat_id" not in p:
            raise ApiError(400, "Bad Request: chat_id is empty")
        markup = p.get("reply_markup")  # Telegram echoes only inline keyboards back
        reply_to = (p.get("reply_parameters") or {}).get("message_id", p.get("reply_to_message_id"))
        msg = self._new_message(self._chat(p["chat_id"]), self.bot_user, reply_to, **fields,
                                reply_markup=markup if markup and "inline_keyboard" in markup else None)
        record["message_id"] = msg["message_id"]
        return msg

    def _m_sendMessage(self, p, r):
        if not str(p.get("text", "")).strip():
            raise ApiError(400, "Bad Request: message text is empty")
        return self._bot_message(p, r, text=_render(p["text"], p.get("parse_mode")))

    def _m_sendDocument(self, p, r):
        doc = p.get("document")
        if isinstance(doc, dict):
            meta = self._store_file(doc["data"], doc["filename"], doc["content_type"])
        elif doc in self.files:
            meta = self.files[doc]
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        caption = _render(p["caption"], p.get("parse_mode"), 1024) if p.get("caption") else None
        r.update(document=self._document(meta), document_bytes=meta["data"])
        return self._bot_message(p, r, document=self._document(meta), caption=caption)

    def _edit(self, p: dict, text: bool) -> dict | bool:
        if p.get("inline_message_id"):
            return True
        msg = self.messages.get(p.get("message_id"))
        if msg is None or str(msg["chat"]["id"]) != str(p.get("chat_id")):
            raise ApiError(400, "Bad Request: message to edit not found")
        new = {k: v for k, v in msg.items() if k != "reply_markup"}
        if text:
            new["text"] = _render(p.get("text", ""), p.get("parse_mode"))
        if p.get("reply_markup") and "inline_keyboard" in p["reply_markup"]:
            new["reply_markup"] = p["reply_markup"]
        if new.get("text") == msg.get("text") and new.get("reply_markup") == msg.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                "markup are exactly the same as a current content and reply markup of the message")
        self.messages[msg["message_id"]] = {**new, "edit_date": int(time.time())}
        return copy.deepcopy(self.messages[msg["message_id"]])

    def _m_deleteMessage(self, p, r):
        if self.messages.pop(p.get("message_id"), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _m_answerCallbackQuery(self, p, r):
        self.callback_answers.append({k: p.get(k) for k in ("callback_query_id", "text", "show_alert", "url")})
        return True

    def _m_getFile(self, p, r):
        if (meta := self.files.get(p.get("file_id"))) is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {k: meta[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}
