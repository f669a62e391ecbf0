"""The client address the per-client rate limit keys on, with the Kubernetes values (deploy/kubernetes/
values.yaml) against the header shapes ingress-nginx really sends: it appends the peer it saw to
X-Forwarded-For, after whatever the client sent ("<client's own>, <client>"), and an internal load
balancer in front of it adds one more hop. Customers must stay apart, and none may pass for 127.0.0.1."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from sanic.compat import Header

from bot_server import client_address, rate_limit

VALUES = Path(__file__).resolve().parents[1] / "deploy" / "kubernetes" / "values.yaml"
INGRESS_VALUES = VALUES.with_name("ingress-nginx-values.yaml")
CUSTOMER_A, CUSTOMER_B = "198.51.100.7", "203.0.113.9"
# Ingress controller pod addresses of common pod networks: flannel, Calico, AWS VPC CNI, GKE, IPv6.
INGRESS_PODS = ["10.244.1.17", "192.168.41.3", "172.31.20.5", "10.8.0.12", "fd00:10:244::1a"]


@pytest.fixture
def kubernetes_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Rasa pods' rate-limit settings exactly as values.yaml sets them."""
    for name in ("RATE_LIMIT_TRUSTED_PROXIES", "RATE_LIMIT_EXEMPT_CLIENTS"):
        monkeypatch.delenv(name, raising=False)
    for variable in yaml.safe_load(VALUES.read_text(encoding="utf-8"))["extraEnv"]:
        if variable["name"].startswith("RATE_LIMIT_") and "value" in variable:
            monkeypatch.setenv(variable["name"], variable["value"])


def limited_as(peer: str, *forwarded_lines: str) -> tuple[str, bool]:
    """(the address a request is counted under, whether it escapes the per-client limit)."""
    request = SimpleNamespace(ip=peer, headers=Header([("X-Forwarded-For", line) for line in forwarded_lines]))
    ip = client_address.request_ip(request)  # type: ignore[arg-type]
    return ip, rate_limit.client_is_exempt(ip)


@pytest.mark.parametrize("ingress", INGRESS_PODS)
def test_customers_behind_the_ingress_keep_their_own_addresses(kubernetes_env: None, ingress: str) -> None:
    assert limited_as(ingress, CUSTOMER_A) == (CUSTOMER_A, False)
    assert limited_as(ingress, CUSTOMER_B) == (CUSTOMER_B, False)
    # an internal load balancer in front of the ingress: "client, lb"
    assert limited_as(ingress, f"{CUSTOMER_A}, 10.0.3.4") == (CUSTOMER_A, False)


def test_the_ingress_controller_appends_the_customer_it_saw() -> None:
    """Review N5: the values above assume ingress-nginx appends its peer to X-Forwarded-For and that the
    peer is the customer. Its controller values say so (ingress-nginx ConfigMap docs)."""
    controller = yaml.safe_load(INGRESS_VALUES.read_text(encoding="utf-8"))["controller"]
    config = controller["config"]
    assert config["compute-full-forwarded-for"] == "true" and config["use-forwarded-headers"] == "true"
    assert controller["service"]["externalTrafficPolicy"] == "Local"  # no SNAT to a (trusted) node address
    real_ip_sources = [ipaddress.ip_network(n.strip()) for n in config["proxy-real-ip-cidr"].split(",")]
    for customer in (CUSTOMER_A, CUSTOMER_B, "2001:db8::5"):  # nginx itself never takes a customer's word
        ip = ipaddress.ip_address(customer)
        assert not any(ip.version == net.version and ip in net for net in real_ip_sources)


@pytest.mark.parametrize("ingress", INGRESS_PODS)
@pytest.mark.parametrize("customer", [CUSTOMER_A, "2001:db8:4c1:77::5"])
def test_a_single_hop_header_is_the_customer_the_ingress_appended(
    kubernetes_env: None, ingress: str, customer: str
) -> None:
    """The customer sent no X-Forwarded-For: the one hop is the address ingress-nginx appended."""
    assert limited_as(ingress, customer) == (customer, False)


@pytest.mark.parametrize("ingress", INGRESS_PODS)
@pytest.mark.parametrize("forged", ["127.0.0.1", "::1", "10.244.1.17", "unknown", f"{CUSTOMER_B}, 127.0.0.1"])
def test_a_forged_forwarded_for_changes_nothing(kubernetes_env: None, ingress: str, forged: str) -> None:
    assert limited_as(ingress, f"{forged}, {CUSTOMER_A}") == (CUSTOMER_A, False)
    # a proxy that adds its own header line instead of appending: the client's line comes first
    assert limited_as(ingress, forged, CUSTOMER_A) == (CUSTOMER_A, False)


def test_an_internal_client_cannot_pass_for_loopback(kubernetes_env: None) -> None:
    # a client inside the private ranges (trusted, like a proxy) writes 127.0.0.1 before itself
    assert limited_as("10.244.1.17", "127.0.0.1, 10.20.30.40") == ("10.20.30.40", False)
    assert limited_as("10.244.1.17", "10.20.30.40") == ("10.20.30.40", False)  # not merged into the ingress


def test_a_port_or_an_ipv4_mapped_address_is_the_same_client(kubernetes_env: None) -> None:
    assert limited_as("10.244.1.17", f"{CUSTOMER_A}:53211")[0] == CUSTOMER_A
    assert limited_as("10.244.1.17", f"::ffff:{CUSTOMER_A}")[0] == CUSTOMER_A
    assert limited_as("10.244.1.17", "[2001:db8::5]:443")[0] == "2001:db8::5"


def test_nobody_reaching_a_pod_directly_is_believed_or_exempt(kubernetes_env: None) -> None:
    assert limited_as(CUSTOMER_A, "127.0.0.1") == (CUSTOMER_A, False)
    assert limited_as("127.0.0.1") == ("127.0.0.1", False)  # nobody is exempt in the cluster


def test_scaled_mode_defaults_believe_only_our_nginx(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RATE_LIMIT_TRUSTED_PROXIES", "RATE_LIMIT_EXEMPT_CLIENTS"):
        monkeypatch.delenv(name, raising=False)
    assert limited_as("127.0.0.1", f"127.0.0.1, {CUSTOMER_A}") == (CUSTOMER_A, False)
    assert limited_as("127.0.0.1", "127.0.0.1") == ("127.0.0.1", True)  # a test client on this machine
    assert limited_as("127.0.0.1", "127.0.0.1", CUSTOMER_A) == (CUSTOMER_A, False)
