"""What the job tests share: a tiny SMTP server, mail and RQ settings."""

from __future__ import annotations

import email
import os
import socket
import threading
import uuid

REDIS_URL = os.environ.get("TEST_REDIS_URL")


class SmtpServer:
    """A tiny SMTP server on 127.0.0.1 in a thread, keeping what it receives. Each session
    waits `delay` seconds before its greeting (a slow or hung mail server)."""

    def __init__(self, port: int = 0, delay: float = 0.0) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.delay = delay
        self.messages: list[email.message.Message] = []
        self.connections = 0
        self.received = threading.Event()
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._session, args=(conn, self.delay), daemon=True).start()

    def _session(self, conn: socket.socket, delay: float) -> None:
        try:
            with conn:
                conn.settimeout(30)
                if delay and self.stopped.wait(delay):
                    return
                stream = conn.makefile("rb")
                conn.sendall(b"220 test ESMTP\r\n")
                while line := stream.readline():
                    command = line.strip().upper()
                    if command == b"DATA":
                        conn.sendall(b"354 go ahead\r\n")
                        data = b""
                        while (chunk := stream.readline()) not in (b".\r\n", b""):
                            data += chunk
                        self.messages.append(email.message_from_bytes(data))
                        conn.sendall(b"250 queued\r\n")
                        self.received.set()
                    elif command == b"QUIT":
                        conn.sendall(b"221 bye\r\n")
                        return
                    else:  # EHLO, MAIL FROM, RCPT TO, RSET, NOOP
                        conn.sendall(b"250 ok\r\n")
        except OSError:
            return

    def subjects(self) -> list[str]:
        return [str(email.header.make_header(email.header.decode_header(m["Subject"])))
                for m in self.messages]

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()


def free_port() -> int:
    """A port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_settings(port: int, **more) -> dict:
    return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
            "MAIL_USE_TLS": False, "MAIL_USE_SSL": False, **more}


def rq_settings(tmp_path, port: int, name: str, **more) -> dict:
    """An app whose jobs go to a queue of its own in the test Redis, mail to `port`."""
    return {"JOBS_SYNC": False, "REDIS_URL": REDIS_URL, "JOBS_RETRY_INTERVALS": (0, 0),
            "JOBS_QUEUE": f"test-{name}-{uuid.uuid4().hex}",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / f'{name}.db'}",
            **smtp_settings(port, **more)}
