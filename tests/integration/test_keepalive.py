"""No dropped keep-alive connection (issue 24): after every hostile request the live gunicorn server either says
``Connection: close`` (and closes) or keeps the connection usable, so a keep-alive client (http.client, one socket)
can send its next, good request on it. The hostile requests are the soak's (bench/soak.py), plus bodies larger than
gunicorn drains (an oversize body refused with 413 before it is read, sent whole or chunked) and a request line
gunicorn cannot parse."""

from __future__ import annotations

import http.client
import socket
import sys
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench/ is not an installed package

from bench import soak  # noqa: E402

GOOD = "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})


def hostile() -> list[soak.Request]:
    direct = {"Content-Type": "application/sparql-query"}
    return soak.hostile_requests() + [
        soak.Request("hostile", "oversize body, refused unread", "POST", "/sparql", direct, b"#" * 3_000_000),
        soak.Request(
            "hostile",
            "body a little over the drain",
            "POST",
            "/sparql",
            {"Content-Type": "image/png"},
            b"\x89" * 200_000,
        ),
        soak.Request(
            "hostile",
            "oversize form",
            "POST",
            "/sparql",
            {"Content-Type": "application/x-www-form-urlencoded"},
            b"query=" + b"x" * 2_000_000,
        ),
        soak.Request("hostile", "oversize body on a page", "POST", "/search", direct, b"#" * 1_500_000),
    ]


def good_after(connection: http.client.HTTPConnection, name: str) -> None:
    """The good request on the same connection: it answers, on the same socket unless the server said close."""
    sock = connection.sock
    try:
        connection.request("GET", GOOD, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as exc:
        pytest.fail(f"the connection was dropped after {name!r} without Connection: close: {exc!r}")
    assert response.status == 200 and b"boolean" in body, (name, response.status, body[:200])
    assert sock is None or connection.sock in (sock, None), name  # a kept connection was reused, not reopened


@pytest.mark.parametrize("request_", hostile(), ids=lambda r: r.name)
def test_a_good_request_follows_each_hostile_one_on_the_same_connection(live_server, request_):
    address = urllib.parse.urlsplit(live_server)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        connection.request("GET", "/health")  # an open, kept-alive connection first
        assert connection.getresponse().read() and connection.sock is not None
        connection.request(request_.method, request_.target, body=request_.body, headers=request_.headers)
        response = connection.getresponse()
        response.read()
        assert response.status < 500, (request_.name, response.status)
        if response.will_close:
            # the server closes: it must have said so (HTTP/1.1 keeps the connection otherwise)
            assert (response.headers.get("Connection") or "").lower() == "close", request_.name
        good_after(connection, request_.name)
    finally:
        connection.close()


def test_a_bad_request_line_is_answered_with_connection_close(live_server):
    address = urllib.parse.urlsplit(live_server)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(b"GARBAGE\x01 / HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):  # the server closes after its answer: recv ends
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    assert head.startswith("http/1.1 400") and "connection: close" in head, head
