"""The cluster's port check (local_stack.processes.port_is_free) tests what a server can bind.

After a server stops, the connections it closed stay in TIME_WAIT on its port
for about a minute. The servers bind with SO_REUSEADDR and start anyway; the
check must agree with them, and still refuse a port that something listens on.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Iterator

import pytest

from local_stack.cluster import busy_ports
from local_stack.processes import free_ports, port_is_free


def _listener(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    # As Sanic and nginx listen: SO_REUSEADDR set.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen()
    return sock


def _port_left_in_time_wait() -> int:
    """A port with no listener, whose last connection the server side closed: TIME_WAIT."""
    server = _listener()
    port = int(server.getsockname()[1])
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the server closes first, so its end (on `port`) waits
    client.recv(1)  # sees the server's FIN
    client.close()
    server.close()
    return port


@pytest.fixture
def time_wait_port() -> Iterator[int]:
    port = _port_left_in_time_wait()
    # The premise: a plain bind, as the check did before, is refused.
    with socket.socket() as plain, pytest.raises(OSError) as refused:
        plain.bind(("127.0.0.1", port))
    assert refused.value.errno == errno.EADDRINUSE
    yield port


def test_a_port_left_in_time_wait_is_free(time_wait_port: int) -> None:
    assert port_is_free(time_wait_port)
    assert port_is_free(time_wait_port, "0.0.0.0")


def test_a_server_can_in_fact_listen_on_a_port_in_time_wait(time_wait_port: int) -> None:
    async def listen() -> None:
        # asyncio's create_server, which Sanic runs on, with its defaults.
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", time_wait_port)
        server.close()
        await server.wait_closed()

    asyncio.run(listen())


def test_a_listening_port_is_refused() -> None:
    with _listener() as server:
        port = int(server.getsockname()[1])
        assert not port_is_free(port)
        assert not port_is_free(port, "0.0.0.0")
    with _listener("0.0.0.0") as server:
        port = int(server.getsockname()[1])
        assert not port_is_free(port)
    assert port_is_free(port)


def test_the_cluster_refuses_only_ports_that_are_listened_on(time_wait_port: int) -> None:
    with _listener() as server:
        listened = int(server.getsockname()[1])
        busy = busy_ports(time_wait_port, [listened])
    assert listened in busy
    assert time_wait_port not in busy


def test_free_ports_are_different_and_free() -> None:
    # One at a time, the kernel may hand out a port it has just handed back: two
    # servers given "free" ports then fight over one (seen in the container tests).
    for _ in range(200):
        ports = free_ports(4)
        assert len(set(ports)) == 4
        assert all(port_is_free(port) for port in ports)
