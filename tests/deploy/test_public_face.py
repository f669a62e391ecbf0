"""The public face: nginx and the Kubernetes ingress route only the customer channels.

The nginx test runs the real nginx with the generated configuration in front of a stand-in Rasa that
answers every path (so a 404 can only come from nginx refusing to route it).
"""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests
import yaml

from deploy import nginx
from deploy.settings import ScaledSettings, load
from devstack.ports import accepts_connections, free_block
from devstack.processes import start_and_wait

ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"


class _AnyPath(http.server.BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps({"upstream": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


def _settings(state: Path, **changes: object) -> ScaledSettings:
    """The settings `deploy.scaled up` would use (built by deploy.settings.load, whatever fields it grows)."""
    env = {"RASA_API_TOKEN": "t" * 20, "SCALED_MODEL": "model.tar.gz"}
    return replace(load(env=env, base_port=free_block([0, 1]), state_dir=state), **changes)


@pytest.fixture(scope="module")
def upstream() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AnyPath)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def _run_nginx(s: ScaledSettings, upstream: int) -> subprocess.Popen:
    s.run_dir.mkdir(parents=True, exist_ok=True)
    s.log_dir.mkdir(parents=True, exist_ok=True)
    conf = nginx.write(s, [upstream], [upstream])
    prefix = str(s.state_dir / "nginx")
    command = [NGINX, "-c", str(conf), "-p", prefix, "-g", "daemon off;"]
    return start_and_wait(command, lambda: accepts_connections(s.ports.nginx), name="nginx", timeout=10)


@pytest.fixture
def public_face(tmp_path: Path, upstream: int, request: pytest.FixtureRequest) -> Iterator[str]:
    s = _settings(tmp_path, **getattr(request, "param", {}))
    process = _run_nginx(s, upstream)
    yield f"http://127.0.0.1:{s.ports.nginx}"
    process.terminate()
    process.wait(10)


def _routed(url: str, method: str = "POST") -> bool:
    response = requests.request(method, url, json={"sender": "U4af4980629", "message": "hi"}, timeout=5)
    return response.status_code == 200 and "upstream" in response.json()


def test_only_customer_channels_are_public(public_face: str) -> None:
    assert _routed(f"{public_face}/socket.io/?EIO=4&transport=polling", "GET")
    assert _routed(f"{public_face}/webhooks/line/webhook")
    assert _routed(f"{public_face}/", "GET")  # health check
    # REST (client-chosen sender: could name a LINE user's id) and the HTTP API are not routed.
    assert not _routed(f"{public_face}/webhooks/rest/webhook")
    assert not _routed(f"{public_face}/conversations/line:U4af4980629/tracker", "GET")
    assert not _routed(f"{public_face}/conversations/line:U4af4980629/messages")
    assert not _routed(f"{public_face}/model/parse")
    response = requests.post(f"{public_face}/webhooks/rest/webhook", json={"sender": "x", "message": "y"}, timeout=5)
    assert response.status_code == 404 and response.json()["error"] == "not_found"


@pytest.mark.parametrize("public_face", [{"public_rest": True}], indirect=True)
def test_rest_is_public_only_when_a_setting_says_so(public_face: str) -> None:
    assert _routed(f"{public_face}/webhooks/rest/webhook")
    assert not _routed(f"{public_face}/conversations/x/tracker", "GET")


def test_kubernetes_ingress_routes_only_customer_channels() -> None:
    values = yaml.safe_load((ROOT / "deploy" / "kubernetes" / "values.yaml").read_text())
    ingress = values["ingress"]
    paths = [ingress["path"]] + [p["path"] for p in ingress.get("extraPaths") or []]
    assert sorted(paths) == ["/socket.io/", "/webhooks/line/webhook"]
    channels = values["applicationSettings"]["credentials"]["additionalChannelCredentials"]
    assert "socketio" not in channels and "rest" not in channels  # Rasa's own: client-chosen sessions / senders
    assert "channels.socketio.WebChatInput" in channels


def _socketio_status(public_face: str, origin: str | None) -> int:
    headers = {"Origin": origin} if origin else {}
    url = f"{public_face}/socket.io/?EIO=4&transport=polling"
    return requests.get(url, headers=headers, timeout=5).status_code


@pytest.mark.parametrize("public_face", [{"web_origins": ("https://support.ocn.ne.jp",)}], indirect=True)
def test_socketio_only_from_the_help_site_or_nginx_own_origin(public_face: str) -> None:
    """A foreign page cannot open the chat in its visitor's browser (no CORS for WebSockets)."""
    assert _socketio_status(public_face, "https://support.ocn.ne.jp") == 200
    assert _socketio_status(public_face, public_face) == 200  # a page served by nginx itself
    assert _socketio_status(public_face, None) == 200  # not a browser page (apps, monitoring)
    assert _socketio_status(public_face, "https://evil.example") == 403
    assert _socketio_status(public_face, "https://support.ocn.ne.jp.evil.example") == 403
    assert _socketio_status(public_face, "http://127.0.0.1:1") == 403


def test_kubernetes_values_allow_only_the_help_site_and_keep_the_token_off_the_command_line() -> None:
    """(The token part is also main's; the origins are this test's point.)"""
    values = yaml.safe_load((ROOT / "deploy" / "kubernetes" / "values.yaml").read_text())
    env = {item["name"]: item for item in values["extraEnv"]}
    assert env["WEB_ORIGINS"]["value"] == "https://support.ocn.ne.jp"
    assert env["RASA_API_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == "rasa-token"
    args = values["args"]
    assert "--auth-token" not in " ".join(args) and "*" not in args
    assert args[args.index("--cors") + 1 :] == ["https://support.ocn.ne.jp"]
    assert values["applicationSettings"]["cors"] == "https://support.ocn.ne.jp"


def test_kubernetes_runs_the_retention_job_hourly_with_the_release_image_and_secrets() -> None:
    values = yaml.safe_load((ROOT / "deploy" / "kubernetes" / "values.yaml").read_text())
    cron = yaml.safe_load((ROOT / "deploy" / "kubernetes" / "retention-cronjob.yaml").read_text())
    assert cron["kind"] == "CronJob" and cron["spec"]["schedule"].split()[1:] == ["*", "*", "*", "*"]
    container = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["python", "-m", "bot_server", "retention"]
    assert container["image"].split(":")[0] == values["image"]["repository"]
    env = {item["name"]: item for item in container["env"]}
    assert env["RETENTION_DAYS"]["value"] == "90"
    assert "secretKeyRef" in env["RETENTION_AUDIT_KEY"]["valueFrom"]
    host = values["postgresql"]["external"]["host"]
    assert f"@{host}:" in env["TRACKER_STORE_URL"]["value"] and f"@{host}:" in env["CONSOLE_STORE_URL"]["value"]


def test_kubernetes_retention_job_keeps_passwords_out_of_urls_and_uses_each_stores_role() -> None:
    """Review 3 (low): the job built postgresql://rasa:$(DB_PASSWORD)@... for both stores: a password in a
    URL, and one role for the tracker's and the console's store, unlike the scaled mode."""
    cron = yaml.safe_load((ROOT / "deploy" / "kubernetes" / "retention-cronjob.yaml").read_text())
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    env = {item["name"]: item for item in container["env"]}
    urls = {name: env[name]["value"] for name in ("TRACKER_STORE_URL", "CONSOLE_STORE_URL")}
    for name, url in urls.items():
        assert "$(" not in url and ":" not in url.partition("://")[2].partition("@")[0], name  # user only
    users = {name: url.partition("://")[2].partition("@")[0] for name, url in urls.items()}
    # The scaled mode's roles (deploy/settings.py: SCALED_PG_USER, SCALED_CONSOLE_PG_USER defaults).
    assert users == {"TRACKER_STORE_URL": "rasa", "CONSOLE_STORE_URL": "ocn_console"}
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert env["PGPASSFILE"]["value"].startswith(mounts["pgpass"] + "/")
    copy = pod["initContainers"][0]
    assert copy["command"][:3] == ["install", "-m", "0600"]  # libpq refuses a group-readable password file
    secret = next(v for v in pod["volumes"] if v["name"] == "pgpass-secret")["secret"]
    assert secret["items"] == [{"key": "retention-pgpass", "path": "pgpass"}]
    assert not [item for item in container["env"] if "secretKeyRef" in str(item) and "password" in str(item)]


def test_kubernetes_values_put_no_password_into_a_url() -> None:
    """Review (low): WEB_SESSION_STORE_URL carried the Redis password; URLs end up in logs."""
    values = yaml.safe_load((ROOT / "deploy" / "kubernetes" / "values.yaml").read_text())
    env = {item["name"]: item for item in values["extraEnv"]}
    for item in env.values():
        value = str(item.get("value", ""))
        assert "://:" not in value and "$(" not in value and "@" not in value.partition("://")[2], item["name"]
    assert env["WEB_SESSION_STORE_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == "redis-password"


def test_kubernetes_ingress_needs_no_snippet_annotations_and_rasa_checks_the_origin() -> None:
    """Review 3, N5: the Origin configuration-snippet needed allow-snippet-annotations, which the controller
    values do not (and should not: any Ingress author could inject nginx configuration) set; such an
    Ingress is rejected. The Origin is Rasa's to check (WEB_ORIGINS), so no snippet is used."""
    values = yaml.safe_load((ROOT / "deploy" / "kubernetes" / "values.yaml").read_text())
    controller = yaml.safe_load((ROOT / "deploy" / "kubernetes" / "ingress-nginx-values.yaml").read_text())
    annotations = values["ingress"]["annotations"]
    assert not [name for name in annotations if name.endswith("-snippet")]
    config = (controller.get("controller") or {}).get("config") or {}
    assert str(config.get("allow-snippet-annotations", "false")).lower() == "false"
    env = {item["name"]: item for item in values["extraEnv"]}
    assert env["WEB_ORIGINS"]["value"] == "https://support.ocn.ne.jp"
