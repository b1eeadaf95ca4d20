"""A minimal Socket.IO (v5, Engine.IO v4) client over one WebSocket, on asyncio.

Hundreds of python-socketio `Client`s in one process cost hundreds of threads fighting for
the GIL, and the benchmark would measure them rather than the server: this client keeps
every connection in one event loop and does only what the benchmark needs (RFC 6455
handshake with the session cookie and Origin, namespace connect, events, acks, heartbeat),
with a lean frame parser, so that one client process can receive well over 30,000
messages per second on one core.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
from collections.abc import Callable
from typing import Any

EventHandler = Callable[["SioClient", str, Any], None]
RawHandler = Callable[["SioClient", str], bool]


class SioError(RuntimeError):
    pass


def _frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame (RFC 6455 §5.2), FIN set."""
    length = len(payload)
    if length < 126:
        header = bytes((0x80 | opcode, 0x80 | length))
    elif length < 65536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + length.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + length.to_bytes(8, "big")
    mask = os.urandom(4)
    repeated = (mask * (length // 4 + 1))[:length]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
        length, "big") if length else b""
    return header + mask + masked


class SioClient:
    def __init__(self, host: str, port: int, *, headers: dict[str, str] | None = None,
                 on_event: EventHandler | None = None, on_raw: RawHandler | None = None,
                 index: int = 0):
        self.host, self.port, self.index = host, port, index
        self.headers = headers or {}
        self.on_event = on_event or (lambda client, name, data: None)
        self.on_raw = on_raw  # sees every event packet first; True = consumed
        self._acks: dict[int, asyncio.Future] = {}
        self._ack_ids = itertools.count(1)
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task | None = None
        self._connected: asyncio.Future | None = None
        self.closed = False

    async def connect(self, timeout: float = 10.0) -> None:
        self._connected = asyncio.get_running_loop().create_future()
        reader, self._writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = ["GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
                 f"Host: {self.host}:{self.port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}",
                 "Sec-WebSocket-Version: 13",
                 *(f"{name}: {value}" for name, value in self.headers.items())]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        if not head.startswith(b"HTTP/1.1 101"):
            status = head.split(b"\r\n", 1)[0].decode(errors="replace")
            raise SioError(f"WebSocket handshake refused: {status}")
        self._reader_task = asyncio.create_task(self._read_loop(reader))
        await asyncio.wait_for(asyncio.shield(self._connected), timeout)

    async def call(self, event: str, data: Any, timeout: float = 10.0) -> Any:
        """Emit `event` and wait for the server's ack (its first argument)."""
        if self.closed:
            raise SioError("connection closed")
        ack_id = next(self._ack_ids)
        future = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = future
        self._send(f"42{ack_id}" + json.dumps([event, data], separators=(",", ":")))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._acks.pop(ack_id, None)

    async def close(self) -> None:
        if self._writer is not None and not self.closed:
            self.closed = True
            try:
                self._send("41")
                self._writer.write(_frame(0x8, (1000).to_bytes(2, "big")))
                self._writer.close()
            except Exception:  # noqa: BLE001 - closing a connection that may be gone
                pass
        if self._reader_task is not None:
            self._reader_task.cancel()

    # -- internals -------------------------------------------------------------------------

    def _send(self, text: str) -> None:
        self._writer.write(_frame(0x1, text.encode()))

    async def _read_loop(self, reader: asyncio.StreamReader) -> None:
        buffer = bytearray()
        fragments: list[bytes] = []
        error: Exception = SioError("connection closed by the server")
        try:
            while True:
                data = await reader.read(262144)
                if not data:
                    return
                buffer += data
                pos, end = 0, len(buffer)
                while end - pos >= 2:
                    first, second = buffer[pos], buffer[pos + 1]
                    length, head = second & 0x7F, 2
                    if length == 126:
                        if end - pos < 4:
                            break
                        length, head = int.from_bytes(buffer[pos + 2:pos + 4], "big"), 4
                    elif length == 127:
                        if end - pos < 10:
                            break
                        length, head = int.from_bytes(buffer[pos + 2:pos + 10], "big"), 10
                    if end - pos < head + length:
                        break
                    payload = bytes(buffer[pos + head:pos + head + length])
                    pos += head + length
                    opcode = first & 0x0F
                    if opcode in (0x0, 0x1):
                        fragments.append(payload)
                        if first & 0x80:
                            self._on_packet(b"".join(fragments).decode())
                            fragments = []
                    elif opcode == 0x9:
                        self._writer.write(_frame(0xA, payload))
                    elif opcode == 0x8:
                        return
                del buffer[:pos]
        except (ConnectionError, OSError) as exc:
            error = SioError(str(exc))
        finally:
            self.closed = True
            for future in [self._connected, *self._acks.values()]:
                if future is not None and not future.done():
                    future.set_exception(error)

    def _on_packet(self, text: str) -> None:
        kind = text[:1]
        if kind == "4":  # Engine.IO message carrying a Socket.IO packet
            self._on_socketio(text)
        elif kind == "2":  # heartbeat
            self._send("3")
        elif kind == "0":  # Engine.IO open: connect to the default namespace
            self._send("40")
        elif kind == "1":
            self.closed = True

    def _on_socketio(self, text: str) -> None:
        kind = text[1:2]
        if kind == "2":
            if self.on_raw is not None and self.on_raw(self, text):
                return
            args = json.loads(text[text.index("["):])
            self.on_event(self, args[0], args[1] if len(args) > 1 else None)
        elif kind == "3":
            start = text.index("[")
            future = self._acks.get(int(text[2:start]))
            if future is not None and not future.done():
                args = json.loads(text[start:])
                future.set_result(args[0] if args else None)
        elif kind == "0":
            if not self._connected.done():
                self._connected.set_result(True)
        elif kind == "4" and not self._connected.done():
            self._connected.set_exception(SioError(f"connection refused: {text[2:]}"))
