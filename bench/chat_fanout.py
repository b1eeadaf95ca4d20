"""Chat fan-out benchmark: N members in one channel, M messages, send→receive latency.

    python bench/chat_fanout.py --clients 200 --messages 1000

Starts the application itself (embedded default: SQLite in a temporary directory, one
process, no Redis; `--server`, `--db`, `--redis` change that), creates N members and one
channel through the application's services, connects N logged-in Socket.IO clients that
`chat:join` the channel, and has `--senders` of them send M messages over `chat:send`. Each
sender works in a closed loop: it sends its next message once the previous one was
acknowledged and reached every other member, so at most `--senders` messages are in flight
and the latency is not a queue growing without end. Latency is measured from the `chat:send`
to each arrival of the `chat:message` (matched by client_id), for every recipient.

In the same run, a bare python-socketio broadcast server (bench/bare_server.py, same server
and async mode, same machine) does the same fan-out, and the application's throughput is
printed as a ratio of that baseline. The last line reads
`ratio=<x> p50_ms=<x> p99_ms=<x> msgs_per_s=<x>` (the application's figures).

Everything is bounded in time (`--timeout`), talks to 127.0.0.1 only and stops the servers
it started, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.servers import (  # noqa: E402
    HOST,
    MODES,
    ServerProcess,
    create_pg_database,
    drop_pg_database,
    flask_cli,
    free_port,
    server_command,
    server_env,
    session_cookie,
)
from bench.sioclient import SioClient  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
CHAT_MESSAGE = '42["chat:message",'
CLIENT_ID = re.compile(r'"client_id": ?"([^"]+)"')


@dataclass
class Result:
    name: str
    clients: int
    messages: int
    expected: int = 0
    delivered: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    @property
    def msgs_per_s(self) -> float:
        return self.delivered / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    def line(self) -> str:
        return (f"{self.name}: delivered={self.delivered}/{self.expected} "
                f"in {self.elapsed:.2f} s  msgs_per_s={self.msgs_per_s:.0f}  "
                f"p50_ms={self.percentile(50):.1f}  p90_ms={self.percentile(90):.1f}  "
                f"p99_ms={self.percentile(99):.1f}  max_ms={self.percentile(100):.1f}"
                + (f"  errors={len(self.errors)} (first: {self.errors[0]})"
                   if self.errors else "")
                + f"\n  {self.name}: cpu during the measure: server {self.server_cpu:.1f} s, "
                  f"clients {self.client_cpu:.1f} s (of {self.elapsed:.1f} s x 2 cores)")


# -- the load ------------------------------------------------------------------------------


async def fanout(name: str, server: ServerProcess, cookies: list[str], channel_id: int,
                 messages: int, senders: int, warmup: int, deadline: float,
                 watchers: int | None = None, connect_at_once: int = 5) -> Result:
    """Connect one client per cookie, join the channel, send, measure, disconnect.

    The first `watchers` clients (default: all) `chat:join` the channel; the others stay
    connected elsewhere in the application (they get badges, not messages)."""
    clients_n = watchers or len(cookies)
    result = Result(name, clients_n, messages)
    sent_at: dict[str, float] = {}
    sender_of: dict[str, int] = {}
    remaining: dict[str, int] = {}
    done: dict[str, asyncio.Event] = {}
    measuring = {"on": False, "last": 0.0}

    def on_raw(client: SioClient, text: str) -> bool:
        """`chat:message` packets, read without decoding all their JSON (the client must
        stay much cheaper than the server it measures)."""
        if not text.startswith(CHAT_MESSAGE):
            return False
        now = time.perf_counter()
        match = CLIENT_ID.search(text)
        client_id = match[1] if match else None
        if client_id not in sent_at or sender_of[client_id] == client.index:
            return True
        remaining[client_id] -= 1
        if measuring["on"]:
            result.latencies.append(now - sent_at[client_id])
            result.delivered += 1
            measuring["last"] = now
        if remaining[client_id] == 0:
            done[client_id].set()
        return True

    origin = server.url
    clients = [SioClient(HOST, server.port, index=i, on_raw=on_raw,
                         headers={"Cookie": f"session={cookie}", "Origin": origin})
               for i, cookie in enumerate(cookies)]
    gate = asyncio.Semaphore(connect_at_once)

    async def connect(client: SioClient) -> None:
        async with gate:
            await client.connect(timeout=20)
            if client.index >= clients_n:
                return
            ack = await client.call("chat:join", {"channel_id": channel_id}, timeout=20)
            if not ack or not ack.get("ok"):
                raise RuntimeError(f"chat:join refused: {ack}")

    started = time.perf_counter()
    try:
        await asyncio.wait_for(asyncio.gather(*(connect(c) for c in clients)),
                               timeout=max(5.0, deadline - time.monotonic()))
        print(f"  {name}: {len(clients)} clients connected, {clients_n} joined in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        tag = secrets.token_hex(4)

        async def send_one(sender: int, n: int) -> None:
            client_id = f"bench-{tag}-{sender}-{n:06d}"
            sender_of[client_id] = sender
            remaining[client_id] = clients_n - 1
            done[client_id] = asyncio.Event()
            sent_at[client_id] = time.perf_counter()
            body = f"Message {n} de l'expéditeur {sender} : le point sur le projet de tiers-lieu."
            ack = await clients[sender].call(
                "chat:send", {"channel_id": channel_id, "body": body, "client_id": client_id},
                timeout=15)
            if not ack or not ack.get("ok"):
                result.errors.append(f"chat:send {client_id}: {ack}")
                return
            try:
                await asyncio.wait_for(done[client_id].wait(), timeout=15)
            except TimeoutError:
                result.errors.append(f"{client_id}: {remaining[client_id]} recipients "
                                     f"still waiting after 15 s")

        async def sender_loop(sender: int, numbers: range) -> None:
            for n in numbers:
                if time.monotonic() > deadline:
                    result.errors.append("deadline reached: sending stopped")
                    return
                await send_one(sender, n)

        # Warm-up (not measured): first requests fill caches on both sides.
        await asyncio.gather(*(sender_loop(s, range(s, warmup, senders))
                               for s in range(senders)))
        measuring["on"] = True
        result.expected = messages * (clients_n - 1)
        t0 = time.perf_counter()
        measuring["last"] = t0
        cpu0 = (time.process_time(), server.cpu_seconds())
        await asyncio.wait_for(
            asyncio.gather(*(sender_loop(s, range(warmup + s, warmup + messages, senders))
                             for s in range(senders))),
            timeout=max(5.0, deadline - time.monotonic()))
        result.elapsed = measuring["last"] - t0
        result.client_cpu = time.process_time() - cpu0[0]
        result.server_cpu = server.cpu_seconds() - cpu0[1]
    except TimeoutError:
        result.errors.append("phase timed out")
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    return result


# -- servers and data ----------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="chat-fanout-"))
        self.servers: list[ServerProcess] = []
        self.pg_database: str | None = None
        self.secret = secrets.token_urlsafe(48)

    def cleanup(self) -> None:
        for server in self.servers:
            server.stop()
        if self.pg_database:
            try:
                drop_pg_database(self.args.pg_url, self.pg_database)
            except Exception as error:  # noqa: BLE001 - report, keep cleaning
                print(f"could not drop {self.pg_database}: {error}", file=sys.stderr)
        if not self.args.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def start(self, name: str, *, bare: bool, extra_env: dict[str, str]) -> ServerProcess:
        port = free_port()
        env = server_env(self.args.server, port, extra_env)
        server = ServerProcess(name, server_command(self.args.server, port, bare=bare), env,
                               port, self.workdir / f"{name}.log")
        self.servers.append(server)
        return server.start(timeout=60)

    def app_environment(self) -> dict[str, str]:
        if self.args.db == "postgres":
            self.pg_database = f"bench_fanout_{os.getpid()}"
            url = create_pg_database(self.args.pg_url, self.pg_database)
        else:
            url = f"sqlite:///{self.workdir / 'bench.sqlite3'}"
        return {
            "FLASK_CONFIG": "production", "SECRET_KEY": self.secret, "DATABASE_URL": url,
            "REDIS_URL": self.args.redis or "", "UPLOAD_DIR": str(self.workdir / "uploads"),
            # The benchmark sends far faster than a member types: lift the per-member limit.
            "CHAT_RATE_LIMIT": "1000000 per minute",
        }

    def create_members(self, env: dict[str, str]) -> tuple[list[str], int]:
        """N members and one channel they all belong to, through the application's services."""
        flask_cli(["db", "upgrade"], {**server_env(self.args.server, 0), **env})
        from app import create_app
        from app.db import transaction
        from app.extensions import db

        app = create_app("production", {
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": self.secret,
            "SOCKETIO_MESSAGE_QUEUE": None, "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://", "UPLOAD_DIR": env["UPLOAD_DIR"]})
        with app.app_context():
            users = []
            from app.accounts.services import do_create_user
            with transaction():
                for i in range(self.args.clients):
                    users.append(do_create_user(f"banc{i}@exemple.fr", f"Membre {i}", None))
            channel_id = create_channel(users)
            cookies = [session_cookie(self.secret, user.get_id()) for user in users]
            db.session.remove()
            db.engine.dispose()
        return cookies, channel_id


def create_channel(users) -> int:
    """One channel that every benchmark member belongs to (chat services)."""
    try:
        from app.chat import services as chat
    except ImportError as error:
        raise SystemExit("the chat back end (app/chat) is not there: use --baseline-only") \
            from error
    from app.db import transaction

    owner, others = users[0], users[1:]
    with transaction():
        channel = chat.check_create_channel(owner, name="Banc d'essai", kind="public")
        for user in others:
            chat.do_add_member(channel, user, announce=False)
    return channel.id


def run(args) -> int:
    bench = Bench(args)
    watchdog = threading.Timer(args.timeout, _timed_out, args=(bench,))
    watchdog.daemon = True
    watchdog.start()
    deadline_for = lambda: time.monotonic() + args.phase_timeout  # noqa: E731
    results: list[Result] = []
    print(f"chat fan-out: server={args.server} clients={args.clients} "
          f"messages={args.messages} senders={args.senders} db={args.db} "
          f"redis={'yes' if args.redis else 'no'} cpus={os.cpu_count()} "
          f"loadavg={os.getloadavg()[0]:.2f}", flush=True)
    try:
        cookies = ["bare"] * args.clients
        bare = bench.start("bare", bare=True,
                           extra_env={"REDIS_URL": "", "BARE_REDIS_URL": args.redis})
        results.append(asyncio.run(fanout(
            "bare", bare, cookies, 1, args.messages, args.senders, args.warmup,
            deadline_for(), args.watchers, args.connect_at_once)))
        bare.stop()
        print(results[-1].line(), flush=True)
        if not args.baseline_only:
            env = bench.app_environment()
            t0 = time.perf_counter()
            cookies, channel_id = bench.create_members(env)
            print(f"  setup: {args.clients} members and a channel in "
                  f"{time.perf_counter() - t0:.1f} s", flush=True)
            ours = bench.start("app", bare=False, extra_env=env)
            results.append(asyncio.run(fanout(
                "app", ours, cookies, channel_id, args.messages, args.senders,
                args.warmup, deadline_for(), args.watchers, args.connect_at_once)))
            if args.profile:
                print(f"  server log: {ours.log_path}")
            ours.stop()
            print(results[-1].line(), flush=True)
    finally:
        watchdog.cancel()
        bench.cleanup()
    base, ours = results[0], results[-1]
    ratio = ours.msgs_per_s / base.msgs_per_s if base.msgs_per_s else 0.0
    failed = any(r.errors or r.delivered < r.expected for r in results)
    if failed:
        print("!! some messages were not delivered or acknowledged (see errors above)")
    print(f"ratio={ratio:.2f} p50_ms={ours.percentile(50):.1f} "
          f"p99_ms={ours.percentile(99):.1f} msgs_per_s={ours.msgs_per_s:.0f}", flush=True)
    return 1 if failed else 0


def _timed_out(bench: Bench) -> None:
    print(f"!! benchmark still running after {bench.args.timeout} s: stopping", flush=True)
    bench.cleanup()
    os._exit(2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chat fan-out benchmark (see module doc).")
    parser.add_argument("--clients", type=int, default=200, help="members connected (200)")
    parser.add_argument("--messages", type=int, default=1000, help="messages measured (1000)")
    parser.add_argument("--senders", type=int, default=4, help="members sending (4)")
    parser.add_argument("--watchers", type=int, default=None,
                        help="clients that join the channel (default: all); the others are "
                             "online elsewhere and receive unread badges")
    parser.add_argument("--connect-at-once", type=int, default=5,
                        help="clients connecting and joining at the same time (5; the "
                             "benchmark measures fan-out, not a connection storm)")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured first messages")
    parser.add_argument("--server", choices=MODES, default="werkzeug",
                        help="werkzeug: the embedded `make run` server (default); "
                             "gevent / threading: gunicorn as `make serve` runs it")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG),
                        help="PostgreSQL server for --db postgres (a database is created "
                             "and dropped)")
    parser.add_argument("--redis", default="", help="REDIS_URL for the application "
                        "(message queue), e.g. redis://127.0.0.1:6379/14")
    parser.add_argument("--baseline-only", action="store_true",
                        help="measure the bare python-socketio server only")
    parser.add_argument("--timeout", type=float, default=900, help="hard limit of the run (s)")
    parser.add_argument("--phase-timeout", type=float, default=300,
                        help="limit of each measured phase (s)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--profile", action="store_true", help="print the server log paths")
    args = parser.parse_args(argv)
    watchers = args.watchers or args.clients
    if args.clients < 2 or args.senders < 1 or not args.senders < watchers <= args.clients:
        parser.error("need at least 2 clients and 1 ≤ senders < watchers ≤ clients")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
