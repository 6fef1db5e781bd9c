"""The listening sockets `safefeed serve --workers N` gives each server process."""

from __future__ import annotations

import asyncio
import socket

from safefeed.api import processes


async def accepted_nodelay(sock: socket.socket) -> int:
    """TCP_NODELAY on a connection asyncio accepted from `sock`, as uvicorn serves it."""
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            peer = transport.get_extra_info("socket")
            accepted.set_result(peer.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
    try:
        _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        value = await asyncio.wait_for(accepted, 10)
        writer.close()
        return value
    finally:
        server.close()


def test_connections_to_a_server_process_send_without_nagle_delay() -> None:
    # With Nagle on, a keep-alive response's body waited ~40 ms for the ACK of its headers:
    # every page after the first on a connection took 48 ms instead of 5.
    sock = processes.listening_socket("127.0.0.1", 0)
    assert asyncio.run(accepted_nodelay(sock)) != 0


def test_processes_may_listen_on_one_port_together() -> None:
    first = processes.listening_socket("127.0.0.1", 0)
    port = first.getsockname()[1]
    with first, processes.listening_socket("127.0.0.1", port) as second:
        assert second.getsockname()[1] == port
