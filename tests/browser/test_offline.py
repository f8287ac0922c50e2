"""The suite runs offline: pytest-socket blocks every socket but loopback where allowed."""

import socket

import pytest
from labdriver import LOOPBACK
from pytest_socket import SocketBlockedError, SocketConnectBlockedError

pytestmark = pytest.mark.filterwarnings("ignore:A test tried to use socket:UserWarning")


def test_a_plain_test_cannot_open_an_internet_socket():
    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(SocketBlockedError):
        socket.getaddrinfo("pypi.org", 443)
    left, right = socket.socketpair()  # Unix sockets stay allowed (asyncio, Playwright's pipes)
    left.close()
    right.close()


@pytest.mark.allow_hosts(LOOPBACK)
def test_browser_tests_may_reach_127_0_0_1_only():
    # 127.0.0.2 is loopback too, so even an unguarded run sends nothing off this machine.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(SocketConnectBlockedError):
            sock.connect(("127.0.0.2", 9))
