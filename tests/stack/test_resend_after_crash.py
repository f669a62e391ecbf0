"""Rasa crashes while a procedure runs; the customer's client sends the same message again (same
message_id) to the restarted server: the procedure is not run a second time (issue 21 item 8).

Rasa stores a turn only at its end, so after the crash the conversation does not have the message
and the restarted server handles it again from the same state. What keeps the reset link from being
sent twice is the Idempotency-Key of the account call, which comes from the client's message id
(channels/resends.py → actions/conversation_state.py turn_key). A proxy in front of the account
sandbox holds the procedure call until Rasa has been killed, and records the keys."""

from __future__ import annotations

import http.server
import os
import signal
import threading
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from devstack.config import ROOT
from devstack.ports import free_port
from devstack.processes import spawn, wait_healthy
from tests.support.stack import RunningStack, new_sender, start_stack, texts

TARO = {"number": "N123456789", "phone": "090-1234-5678"}
HOLD_SECONDS = 60.0


class _Proxy(http.server.BaseHTTPRequestHandler):
    target = ""
    procedure_arrived = threading.Event()
    release = threading.Event()
    procedure_keys: list[str] = []

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.command == "POST" and self.path.startswith("/v1/procedures/"):
            _Proxy.procedure_keys.append(self.headers.get("Idempotency-Key", ""))
            _Proxy.procedure_arrived.set()
            _Proxy.release.wait(HOLD_SECONDS)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        request = urllib.request.Request(_Proxy.target + self.path, body or None, headers, method=self.command)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, answer, kind = response.status, response.read(), response.headers.get("Content-Type")
        except urllib.error.HTTPError as error:
            status, answer, kind = error.code, error.read(), error.headers.get("Content-Type")
        self.send_response(status)
        self.send_header("Content-Type", kind or "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = _forward

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def proxied_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    port = free_port()
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    running = start_stack(tmp_path_factory.mktemp("crash"), extra_env={"ACCOUNT_API_URL": f"http://127.0.0.1:{port}"})
    _Proxy.target = running.account_api_url
    yield running
    _Proxy.release.set()
    running.stop()
    proxy.shutdown()


def kill_rasa(stack: RunningStack) -> None:
    process = stack.service("rasa").process
    assert process is not None
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def restart_rasa(stack: RunningStack) -> None:
    rasa = stack.service("rasa")
    rasa.process = spawn(rasa.command, env=stack.env, cwd=ROOT, log_path=rasa.log_path)
    process = rasa.process
    wait_healthy(rasa.health_url, name="rasa", timeout=180, alive=lambda: process.poll() is None, interval=0.5)


def reset_links(stack: RunningStack) -> int:
    return sum("password-reset" in m.get("body", "") for m in stack.outbox(TARO["phone"]))


def test_a_message_resent_after_a_crash_sends_one_reset_link(proxied_stack: RunningStack) -> None:
    stack, sender = proxied_stack, new_sender()
    stack.say(sender, '/start_procedure{"procedure": "reset_ocn_password"}', message_id=f"{sender}-1", timeout=60)
    assert "確認コード" in texts(stack.say(sender, TARO["number"], message_id=f"{sender}-2", timeout=60))
    code = stack.latest_code(TARO["phone"])
    assert code and "よろしいですか" in texts(stack.say(sender, code, message_id=f"{sender}-3", timeout=60))
    links_before = reset_links(stack)

    with ThreadPoolExecutor(1) as pool:
        lost = pool.submit(stack.say, sender, "はい", 60, f"{sender}-4")  # its answer never comes
        assert _Proxy.procedure_arrived.wait(60), "the procedure call did not reach the account API"
        kill_rasa(stack)  # before the turn is stored
        _Proxy.release.set()  # the account API now carries out the first call: one link sent
        with pytest.raises(requests.RequestException):
            lost.result(60)
    restart_rasa(stack)

    done = stack.say(sender, "はい", message_id=f"{sender}-4", timeout=60)  # the client sends its message again
    assert "再設定用のリンクをお送りしました" in texts(done)
    assert reset_links(stack) == links_before + 1
    assert len(_Proxy.procedure_keys) == 2 and len(set(_Proxy.procedure_keys)) == 1
