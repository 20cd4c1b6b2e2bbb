"""An operator reading the deployment files: the live streams run on uvicorn next to gunicorn, and only
their path is routed there, unbuffered (schema validity: deploy/validate.sh)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
STREAM_PATH = "/api/v1/track/TK9NSF3M9XDE/stream/"


def k8s(kind: str, name: str) -> dict:
    documents = yaml.safe_load_all((ROOT / "deploy" / "k8s" / "stream.yaml").read_text())
    [found] = [d for d in documents if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


def test_compose_runs_the_stream_server_and_routes_only_streams_to_it():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["stream"]["command"][:2] == ["uvicorn", "config.asgi:application"]
    assert services["web"]["command"][0] == "gunicorn"
    assert "./deploy/compose/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]

    nginx = (ROOT / "deploy" / "compose" / "nginx.conf").read_text()
    [(pattern, block)] = re.findall(r"location ~ (\S+) \{(.*?)\}", nginx, re.S)
    assert re.match(pattern, STREAM_PATH) and not re.match(pattern, "/api/v1/track/TK9NSF3M9XDE/")
    assert "proxy_pass http://ordertrail_stream;" in block and "proxy_buffering off;" in block
    assert "server stream:8000;" in nginx and "server web:8000;" in nginx


def test_kubernetes_runs_stream_pods_behind_their_own_ingress_path():
    deployment = k8s("Deployment", "ordertrail-stream")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["command"][:2] == ["uvicorn", "config.asgi:application"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz/"

    ingress = k8s("Ingress", "ordertrail-stream")
    [route] = ingress["spec"]["rules"][0]["http"]["paths"]
    assert re.match(route["path"], STREAM_PATH) and not re.match(route["path"], "/api/v1/track/X/")
    assert route["backend"]["service"]["name"] == "ordertrail-stream"
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"
    assert "stream.yaml" in (ROOT / "deploy" / "k8s" / "kustomization.yaml").read_text()
