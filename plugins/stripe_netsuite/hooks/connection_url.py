"""The base URL a connection points at: its host (scheme optional, port from the port field), or a default."""

from __future__ import annotations


def base_url(connection, default: str) -> str:
    host = (connection.host or "").rstrip("/")
    if not host:
        return default
    if "://" not in host:
        host = f"https://{host}"
    if connection.port and host.count(":") < 2:
        host = f"{host}:{connection.port}"
    return host
