"""A free TCP port on loopback, for processes started side by side (benchmarks, tests)."""

from __future__ import annotations

import socket

__all__ = ["free_port"]


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now (bound, then released: another process may take it)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
