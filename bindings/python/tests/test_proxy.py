"""``proxy_from_env=True``: the environment's proxy, as curl picks it, through a recording
CONNECT proxy; without it, the environment is never read."""

from __future__ import annotations

import select
import socket
import threading
from typing import Iterator, List

import pytest

import droplet_action as da
from conftest import TOKEN, Mock

VARIABLES = ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy",
             "ALL_PROXY", "no_proxy", "NO_PROXY"]


class ConnectProxy:
    """A CONNECT proxy on 127.0.0.1 that records each tunnel's target and forwards bytes."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.targets: List[str] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            target = head.split(b" ")[1].decode()
            self.targets.append(target)
            host, port = target.rsplit(":", 1)
            with socket.create_connection((host, int(port))) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                peers = {client: upstream, upstream: client}
                while True:
                    readable, _, _ = select.select(list(peers), [], [], 10)
                    if not readable:
                        return
                    for side in readable:
                        data = side.recv(65536)
                        if not data:
                            return
                        peers[side].sendall(data)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[ConnectProxy]:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    server = ConnectProxy()
    yield server
    server.close()


def get(mock: Mock, **settings: bool) -> int:
    with da.Client(TOKEN, base_url=mock.url, **settings) as client:
        return client.get(3164444, 36804636).id or 0


def test_the_environments_proxy_carries_the_calls(
    mock: Mock, proxy: ConnectProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", proxy.url)
    assert get(mock, proxy_from_env=True) == 36804636
    assert proxy.targets == [f"127.0.0.1:{mock.port}"]
    # Without the switch the environment is never read.
    assert get(mock) == 36804636
    assert proxy.targets == [f"127.0.0.1:{mock.port}"]


@pytest.mark.parametrize(
    ("variables", "tunnels"),
    [
        ({"ALL_PROXY": "PROXY"}, 1),
        ({"HTTP_PROXY": "PROXY"}, 0),
        ({"https_proxy": "PROXY"}, 0),
        ({"http_proxy": "PROXY", "no_proxy": "127.0.0.0/8"}, 0),
        ({"http_proxy": "PROXY", "NO_PROXY": "*"}, 0),
        ({"http_proxy": "PROXY", "NO_PROXY": "localhost, 127.0.0.2"}, 1),
        ({"http_proxy": "PROXY", "no_proxy": "", "NO_PROXY": "127.0.0.1"}, 0),
    ],
)
def test_which_variables_are_read_as_curl_reads_them(
    mock: Mock,
    proxy: ConnectProxy,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    tunnels: int,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, proxy.url if value == "PROXY" else value)
    assert get(mock, proxy_from_env=True) == 36804636
    assert len(proxy.targets) == tunnels


def test_a_malformed_proxy_in_the_environment_is_refused_naming_the_variable(
    mock: Mock, proxy: ConnectProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("all_proxy", "ftp://me:s3cret@127.0.0.1:21")
    with pytest.raises(da.InvalidArgumentError) as caught:
        get(mock, proxy_from_env=True)
    assert str(caught.value) == (
        "build: invalid argument: all_proxy: invalid proxy ftp://***@127.0.0.1:21: the scheme "
        "must be http, socks4, socks4a, socks5 or socks5h"
    )


def test_proxy_and_proxy_from_env_exclude_each_other(mock: Mock) -> None:
    with pytest.raises(da.InvalidArgumentError) as caught:
        da.Client(TOKEN, base_url=mock.url, proxy="http://127.0.0.1:1", proxy_from_env=True)
    assert str(caught.value) == "proxy and proxy_from_env=True exclude each other"
