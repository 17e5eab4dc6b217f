"""PostgreSQL, Redis and nginx from Debian's packages, run as plain local processes.

Stand-ins for the shared services of a scaled-out deployment, used by
scripts/cluster and tests/scaled: each listens on a free loopback port, keeps its
data in a temporary folder that `stop()` removes, and is stopped by process id.
scripts/install_services.sh installs the packages.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

NGINX = Path("/usr/sbin/nginx")
REDIS_SERVER = Path("/usr/bin/redis-server")
INSTALL_HINT = "run scripts/install_services.sh (as root) to install PostgreSQL, Redis and nginx"


class ServiceError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could listen on `host`:`port` now.

    Binds as the servers do, with SO_REUSEADDR (Sanic, nginx, PostgreSQL, Redis
    and Python's http.server all set it), so a port whose last connection is
    still in TIME_WAIT (about a minute after a server on it stopped) counts as
    free, as it is for them; a port that a socket listens on does not. A plain
    bind would refuse both.
    """
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


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


def stop_process(process: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    """Stop a process started in its own session, and its children, by process id."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _wait(what: str, ready: object, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"{what} exited with {process.returncode}; log:\n{_tail(log)}")
        try:
            if callable(ready) and ready():
                return
        except Exception:  # not ready yet: refused, starting up, ...
            pass
        time.sleep(0.2)
    raise ServiceError(f"{what} not ready after {timeout:.0f} s; log:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"


@dataclass
class Postgres:
    """A PostgreSQL server with one database, `rasa`, owned by user `rasa`."""

    port: int = field(default_factory=free_port)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    dir: Path | None = None
    process: subprocess.Popen | None = None

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
            raise ServiceError(f"initdb failed; log:\n{_tail(self.log)}")
        self.process = subprocess.Popen(
            [
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={self.dir}",
            ],
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            cwd=self.dir,
            start_new_session=True,
            user=uid,
            group=gid,
            extra_groups=extra_groups,
        )
        _wait("PostgreSQL", self._create_database, self.process, self.log, timeout=60)
        return self

    def _create_database(self) -> bool:
        import psycopg2

        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="rasa", password=self.password, dbname="postgres"
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'rasa'")
                if cursor.fetchone() is None:
                    cursor.execute("CREATE DATABASE rasa")
        finally:
            connection.close()
        return True

    def stop(self) -> None:
        # SIGINT is PostgreSQL's fast shutdown: roll back open transactions and exit.
        stop_process(self.process, signal.SIGINT)
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Redis:
    """A Redis server that keeps nothing on disk and wants a password."""

    port: int = field(default_factory=free_port)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    dir: Path | None = None
    process: subprocess.Popen | None = None

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
        self.process = subprocess.Popen(
            [str(REDIS_SERVER), str(config)],
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            cwd=self.dir,
            start_new_session=True,
        )
        _wait("Redis", self._ping, self.process, log, timeout=30)
        return self

    def _ping(self) -> bool:
        import redis

        return bool(redis.Redis.from_url(self.url, socket_timeout=2).ping())

    def stop(self) -> None:
        stop_process(self.process)
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)


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
        servers = "\n".join(f"    server {u} max_fails=1 fail_timeout=10s;" for u in self.upstreams)
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
        self.process = subprocess.Popen(
            [str(NGINX), "-p", str(self.dir), "-c", str(conf), "-e", str(log)],
            stdout=(self.dir / "nginx.out").open("w"),
            stderr=subprocess.STDOUT,
            cwd=self.dir,
            start_new_session=True,
        )
        _wait("nginx", self._healthy, self.process, log, timeout=30)
        return self

    def _healthy(self) -> bool:
        import urllib.request

        with urllib.request.urlopen(f"{self.base}/lb-health", timeout=2) as response:
            return response.status == 200

    def stop(self) -> None:
        stop_process(self.process)
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
