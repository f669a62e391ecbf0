"""The help-page server (`python -m web`) without a browser: config.js, headers, static files."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message

import pytest
from web_support import ROOT

from actions.links import DEEP_LINKS
from actions.settings import VERIFIED_HELP_PAGE_URL
from devstack.ports import free_ports
from devstack.processes import wait_healthy
from web.server import STATIC, ChatConfig, _hostname, make_server


@pytest.fixture
def serve() -> Iterator:
    servers = []

    def start(config: ChatConfig) -> str:
        server = make_server("127.0.0.1", 0, config)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def get(url: str, headers=None) -> tuple[int, Message, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, ""


def test_config_points_the_widget_at_rasa_on_the_same_host(serve) -> None:
    base = serve(ChatConfig(rasa_port=5105))
    status, headers, body = get(base + "/config.js", {"Host": "localhost:8080"})
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert '"socketUrl": null' in body and '"rasaPort": 5105' in body and '"socketPath": "/socket.io/"' in body
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "connect-src 'self' http://localhost:5105 ws://localhost:5105" in csp


def test_config_same_origin_and_explicit_url(serve) -> None:
    _, headers, body = get(serve(ChatConfig(socket_url="same-origin")) + "/config.js")
    assert '"socketUrl": "same-origin"' in body
    assert "connect-src 'self';" in headers["Content-Security-Policy"]
    _, headers, body = get(serve(ChatConfig(socket_url="https://chat.example.jp/ignored/path")) + "/config.js")
    assert '"socketUrl": "https://chat.example.jp"' in body
    assert "wss://chat.example.jp" in headers["Content-Security-Policy"]
    with pytest.raises(ValueError):
        ChatConfig(socket_url="javascript:alert(1)")


def test_a_hostile_host_header_cannot_change_the_policy(serve) -> None:
    base = serve(ChatConfig(rasa_port=5105))
    _, headers, _ = get(base + "/", {"Host": "evil.example; script-src *"})
    assert "script-src *" not in headers["Content-Security-Policy"]
    assert _hostname("[::1]:8080") == "[::1]"
    assert _hostname("127.0.0.1:8080") == "127.0.0.1"
    assert _hostname("a b") is None


def test_static_files_only(serve) -> None:
    base = serve(ChatConfig())
    status, headers, body = get(base + "/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert get(base + "/vendor/")[0] == 404  # no directory listings
    assert get(base + "/../server.py")[0] == 404
    assert get(base + "/%2e%2e/server.py")[0] == 404


def test_the_page_references_only_local_files() -> None:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in html and "<noscript>" in html
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert not [r for r in refs if r.startswith(("http:", "https:", "//"))], "links come from actions/links.py"
    local = [r for r in refs if not r.startswith(("{{link:", "#", "data:", "./"))]
    assert local, refs
    for ref in local:
        assert "//" not in ref, f"external resource {ref}"
        if ref not in ("config.js", "vendor/socket.io.min.js"):  # generated / copied by `make web-deps`
            assert (STATIC / ref).is_file(), ref
    assert not re.search(r"<script>(?!</script>)|style=", html), "inline scripts/styles are blocked by the CSP"


def test_python_m_web_serves_the_page() -> None:
    (port,) = free_ports(1)
    process = subprocess.Popen(
        [sys.executable, "-m", "web", "--host", "127.0.0.1", "--port", str(port), "--rasa-port", "5999"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/config.js"
        wait_healthy(url, name="python -m web", timeout=10, alive=lambda: process.poll() is None)
        status, _, body = get(url)
        assert status == 200 and '"rasaPort": 5999' in body
    finally:
        process.terminate()
        assert process.wait(10) == 0


def test_the_page_links_only_to_the_verified_help_page_until_deep_links_are_set(serve, monkeypatch) -> None:
    for deep in DEEP_LINKS.values():
        monkeypatch.delenv(deep.variable, raising=False)
    monkeypatch.delenv("OCN_HELP_PAGE_URL", raising=False)
    base = serve(ChatConfig())
    _, _, page = get(base + "/")
    links = set(re.findall(r'href="(https?://[^"]+)"', page))
    assert links == {VERIFIED_HELP_PAGE_URL}
    assert "{{link:" not in page

    reset = "https://operator-checked.example/reset"
    monkeypatch.setenv(DEEP_LINKS["forgot_ocn_id_password"].variable, reset)
    _, _, page = get(base + "/index.html")
    assert f'href="{reset}"' in page and VERIFIED_HELP_PAGE_URL in page


def test_the_web_npm_packages_are_pinned_exactly_and_axe_is_installed_from_the_lock() -> None:
    """socket.io-client (the page) and axe-core (the accessibility tests) at one exact version each in
    package.json and package-lock.json, so `npm ci` (make web-deps) installs what the tests ran with."""
    import json

    package = json.loads((ROOT / "web" / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "web" / "package-lock.json").read_text(encoding="utf-8"))
    pins = {**package.get("dependencies", {}), **package.get("devDependencies", {})}
    assert set(pins) == {"socket.io-client", "axe-core"}
    for name, version in pins.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} {version} is not an exact version"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    installed = json.loads((ROOT / "web" / "node_modules" / "axe-core" / "package.json").read_text(encoding="utf-8"))
    assert installed["version"] == pins["axe-core"], "run `make web-deps`"
