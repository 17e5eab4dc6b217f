"""PostgreSQL, Redis and nginx from Debian's packages, run as plain local processes.

Stand-ins for the shared services of a scaled-out deployment, used by
`make cluster` (local_stack.cluster), the benchmark, the load test and
tests/scaled: each listens on a free loopback port, keeps its data in a
temporary folder that `stop()` removes, and is stopped by process id
(local_stack.processes). scripts/install_services.sh installs the packages.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from local_stack.processes import ServiceError, free_port, log_tail, start_process, stop_process, wait_ready

NGINX = Path("/usr/sbin/nginx")
REDIS_SERVER = Path("/usr/bin/redis-server")
INSTALL_HINT = "run scripts/install_services.sh (as root) to install PostgreSQL, Redis and nginx"

__all__ = ["INSTALL_HINT", "Nginx", "Postgres", "Redis", "ServiceError", "missing_services", "postgres_bin"]


def postgres_bin() -> Path:
    """The newest PostgreSQL server installed from Debian's packages."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[4]))
    if not found:
        raise ServiceError(f"PostgreSQL is not installed: {INSTALL_HINT}")
    return Path(found[-1]).parent


def missing_services() -> list[str]:
    missing = [] if glob.glob("/usr/lib/postgresql/*/bin/postgres") else ["postgresql"]
    missing += [
        name for name, path in (("redis-server", REDIS_SERVER), ("nginx", NGINX)) if not path.exists()
    ]
    return missing


@dataclass
class _Service:
    """A server on a free loopback port with a password, its data in a temporary folder."""

    port: int = field(default_factory=free_port)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    dir: Path | None = None
    process: subprocess.Popen | None = None
    stop_signal = signal.SIGTERM

    def stop(self) -> None:
        stop_process(self.process, self.stop_signal)
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Postgres(_Service):
    """A PostgreSQL server with one database, `rasa`, owned by user `rasa`."""

    # SIGINT is PostgreSQL's fast shutdown: roll back open transactions and exit.
    stop_signal = signal.SIGINT

    @property
    def url(self) -> str:
        return f"postgresql://rasa:{self.password}@127.0.0.1:{self.port}/rasa"

    @property
    def log(self) -> Path:
        assert self.dir is not None
        return self.dir / "postgres.log"

    def _owner(self) -> tuple[int | None, int | None]:
        # PostgreSQL refuses to run as root: run it as the `postgres` user that
        # Debian's package creates.
        if os.geteuid() != 0:
            return None, None
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as error:
            raise ServiceError(f"no `postgres` user to run PostgreSQL as: {INSTALL_HINT}") from error
        return owner.pw_uid, owner.pw_gid

    def start(self) -> Postgres:
        bindir = postgres_bin()
        uid, gid = self._owner()
        # Without root's supplementary groups when switching user.
        extra_groups: list[int] | None = [] if uid is not None else None
        # Its own folder under the system temp dir, which the `postgres` user can reach
        # (a pytest or mkdtemp folder of root's is mode 0700 all the way down).
        self.dir = Path(tempfile.mkdtemp(prefix="rasa-postgres-"))
        data = self.dir / "data"
        pwfile = self.dir / "pwfile"
        pwfile.write_text(self.password + "\n")
        if uid is not None and gid is not None:
            for path in (self.dir, pwfile):
                os.chown(path, uid, gid)
        with self.log.open("w") as log:
            initdb = subprocess.run(
                [
                    str(bindir / "initdb"),
                    "--pgdata",
                    str(data),
                    "--username",
                    "rasa",
                    f"--pwfile={pwfile}",
                    "--auth",
                    "scram-sha-256",
                    "--encoding",
                    "UTF8",
                    "--locale",
                    "C",
                    "--no-sync",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.dir,
                check=False,
                user=uid,
                group=gid,
                extra_groups=extra_groups,
            )
        pwfile.unlink()
        if initdb.returncode != 0:
            raise ServiceError(f"initdb failed; log:\n{log_tail(self.log)}")
        self._serve()
        return self

    def restart(self) -> Postgres:
        """Start the server again on its data folder and port, after its process was stopped
        (local_stack.processes.stop_process; `stop()` removes the folder)."""
        assert self.dir is not None, "start() first"
        self._serve()
        return self

    def _serve(self) -> None:
        assert self.dir is not None
        uid, gid = self._owner()
        extra_groups: list[int] | None = [] if uid is not None else None
        self.process = start_process(
            [
                str(postgres_bin() / "postgres"),
                "-D",
                str(self.dir / "data"),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={self.dir}",
            ],
            self.log,
            cwd=self.dir,
            env=None,
            append=True,
            user=uid,
            group=gid,
            extra_groups=extra_groups,
        )
        wait_ready("PostgreSQL", self.create_database, self.process, self.log, timeout=60, interval=0.2)

    def create_database(self, name: str = "rasa") -> bool:
        """Create the database `name` (owned by `rasa`) unless it is there."""
        import psycopg2

        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="rasa", password=self.password, dbname="postgres"
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return True


@dataclass
class Redis(_Service):
    """A Redis server that keeps nothing on disk and wants a password."""

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        if not REDIS_SERVER.exists():
            raise ServiceError(f"redis-server is not installed: {INSTALL_HINT}")
        self.dir = Path(tempfile.mkdtemp(prefix="rasa-redis-"))
        config = self.dir / "redis.conf"
        # In a file, not on the command line, so the password is not in `ps`.
        config.write_text(
            f"port {self.port}\nbind 127.0.0.1\nprotected-mode yes\ndir {self.dir}\n"
            f'save ""\nappendonly no\ndaemonize no\nrequirepass {self.password}\n'
        )
        config.chmod(0o600)
        log = self.dir / "redis.log"
        self.process = start_process([str(REDIS_SERVER), str(config)], log, cwd=self.dir, env=None)
        wait_ready("Redis", self._ping, self.process, log, timeout=30, interval=0.2)
        return self

    def _ping(self) -> bool:
        import redis

        return bool(redis.Redis.from_url(self.url, socket_timeout=2).ping())


@dataclass
class Nginx:
    """nginx balancing HTTP round-robin over `upstreams` ("127.0.0.1:5006", ...).

    socket.io (`/socket.io/`, the web chat widget) is the exception: its session
    lives in the server that opened it, and rasa-webchat starts with HTTP
    long-polling, whose every request must reach that server (another answers
    400). So socket.io requests go by the client's address (`hash $remote_addr`,
    consistent hashing: a server that leaves moves only its own clients), and
    the WebSocket upgrade is passed through. A client that lands on another
    server (its own left, or a new address) opens a new socket.io session there,
    and the widget's session_request with its stored session id carries the
    conversation on, from the shared tracker store.
    """

    upstreams: list[str]
    port: int = field(default_factory=free_port)
    # Upstreams taken out of the balancing (`drain`), as an Ingress controller drops a pod
    # from its endpoints before the pod stops.
    drained: set[str] = field(default_factory=set)
    dir: Path | None = None
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        assert self.dir is not None
        # max_fails/fail_timeout: a server that refuses a connection is left out
        # for 10 s (nginx's passive health check), and proxy_next_upstream sends that
        # request to the next server. A request that reached a server is never
        # sent twice: nginx retries POSTs only when nothing was sent.
        servers = "\n".join(
            f"    server {u} max_fails=1 fail_timeout=10s{' down' if u in self.drained else ''};"
            for u in self.upstreams
        )
        proxied = """      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
      proxy_next_upstream error timeout;
      # Which Rasa server answered: lets a client see the balancing.
      add_header X-Upstream $upstream_addr always;"""
        return f"""\
worker_processes 1;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log {self.dir}/access.log;
  client_body_temp_path {self.dir}/tmp/client_body;
  proxy_temp_path {self.dir}/tmp/proxy;
  fastcgi_temp_path {self.dir}/tmp/fastcgi;
  uwsgi_temp_path {self.dir}/tmp/uwsgi;
  scgi_temp_path {self.dir}/tmp/scgi;
  upstream rasa {{
{servers}
  }}
  # socket.io: one client, one server (see the class's docstring).
  upstream rasa_socketio {{
    hash $remote_addr consistent;
{servers}
  }}
  map $http_upgrade $connection_upgrade {{
    default upgrade;
    "" close;
  }}
  server {{
    listen 127.0.0.1:{self.port};
    location = /lb-health {{ return 200 "ok\\n"; }}
    location /socket.io/ {{
      proxy_pass http://rasa_socketio;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
{proxied}
    }}
    location / {{
      proxy_pass http://rasa;
{proxied}
    }}
  }}
}}
"""

    def start(self) -> Nginx:
        if not NGINX.exists():
            raise ServiceError(f"nginx is not installed: {INSTALL_HINT}")
        self.dir = Path(tempfile.mkdtemp(prefix="rasa-nginx-"))
        (self.dir / "tmp").mkdir()
        conf = self.dir / "nginx.conf"
        conf.write_text(self.config())
        log = self.dir / "error.log"
        # -e: nginx opens its built-in error log before it reads the config.
        self.process = start_process(
            [str(NGINX), "-p", str(self.dir), "-c", str(conf), "-e", str(log)],
            self.dir / "nginx.out",
            cwd=self.dir,
            env=None,
        )
        wait_ready("nginx", self._healthy, self.process, log, timeout=30, interval=0.2)
        return self

    def drain(self, upstream: str, drained: bool = True) -> None:
        """Take `upstream` out of the balancing (or, drained=False, put it back): the config
        rewritten and reloaded (SIGHUP); requests in progress finish where they are."""
        assert self.dir is not None and self.process is not None, "start() first"
        (self.drained.add if drained else self.drained.discard)(upstream)
        (self.dir / "nginx.conf").write_text(self.config())
        before = self._workers()
        self.process.send_signal(signal.SIGHUP)
        # Reloaded once a new worker (with the new config) runs; the old ones finish their requests.
        deadline = time.monotonic() + 10
        while not self._workers() - before:
            if time.monotonic() > deadline:
                raise ServiceError(f"nginx did not reload: {log_tail(self.dir / 'error.log')}")
            time.sleep(0.05)

    def _workers(self) -> set[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}

    def _healthy(self) -> bool:
        import urllib.request

        with urllib.request.urlopen(f"{self.base}/lb-health", timeout=2) as response:
            return response.status == 200

    def stop(self) -> None:
        stop_process(self.process)
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
