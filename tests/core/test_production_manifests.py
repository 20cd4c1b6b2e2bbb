"""An operator reading the deployment files: the container image, the compose stack and the Kubernetes
manifests wire Ordertrail the way the README's "Deploying" and "Scaling" sections say. (Schema validity is
checked by deploy/validate.sh with the real validators; these tests pin the behaviour that matters.)"""

import re
import runpy
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"


def _k8s_objects() -> list[dict]:
    objects = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            objects += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return objects


def _one(kind: str, name: str) -> dict:
    [obj] = [o for o in _k8s_objects() if o["kind"] == kind and o["metadata"]["name"] == name]
    return obj


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _env_example_keys() -> set[str]:
    return {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }


# --- the image ---------------------------------------------------------------------------------------------


def test_the_image_runs_gunicorn_as_an_unprivileged_user_with_collected_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert (
        len(
            re.findall(
                r"^FROM python:3\.1[12][^ ]*-slim", dockerfile.replace("${PYTHON_VERSION}", "3.12"), re.M
            )
        )
        == 2
    )
    assert "-r /tmp/requirements/production.txt" in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    [user] = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert not user.startswith(("root", "0:", "0"))
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz/", dockerfile, re.M)
    assert dockerfile.rstrip().splitlines()[-1] == (
        'CMD ["gunicorn", "--config", "gunicorn.conf.py", "config.wsgi:application"]'
    )


def test_the_build_context_leaves_secrets_and_local_state_out():
    ignored = (ROOT / ".dockerignore").read_text().splitlines()

    for entry in (".env", ".git", ".venv", "db.sqlite3*", "media/", "private_media/"):
        assert entry in ignored


def test_gunicorn_reads_its_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "8")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    assert config["bind"] == "0.0.0.0:9123"
    assert (config["workers"], config["threads"], config["worker_class"]) == (3, 8, "gthread")
    assert config["control_socket_disable"] is True
    assert config["logconfig_dict"]["formatters"]["json"]["()"] == "pythonjsonlogger.json.JsonFormatter"


# --- docker compose ----------------------------------------------------------------------------------------


def test_compose_runs_every_role_from_one_image_after_a_one_shot_migration():
    services = _compose()["services"]

    assert {"web", "worker", "beat", "migrate", "postgres", "redis", "flower", "mailpit"} <= set(services)
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for role in ("web", "worker", "beat"):
        assert services[role]["image"] == services["migrate"]["image"]
        assert services[role]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[role]["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_compose_workers_consume_the_sms_email_and_default_queues():
    worker = _compose()["services"]["worker"]["command"]

    assert worker[:4] == ["celery", "-A", "config", "worker"]
    assert set(worker[worker.index("-Q") + 1].split(",")) == {"sms", "email", "celery"}


def test_compose_services_have_healthchecks_and_named_volumes():
    compose = _compose()
    services = compose["services"]

    for name in ("postgres", "redis", "web", "worker", "flower", "mailpit", "minio"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz/" in " ".join(services["web"]["healthcheck"]["test"])
    assert {"postgres-data", "redis-data", "minio-data"} <= set(compose["volumes"])
    assert services["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql/data"]
    assert [entry["path"] for entry in services["web"]["env_file"]] == [".env"]
    assert services["web"]["environment"]["EMAIL_URL"].endswith("smtp://mailpit:1025}")


def test_compose_keeps_media_in_minio_with_the_bucket_made_at_start():
    services = _compose()["services"]
    env = services["web"]["environment"]

    init = " ".join(services["minio-init"]["command"])
    assert services["minio-init"]["image"].startswith("minio/mc:")
    assert "mc mb --ignore-existing" in init
    assert 'mc anonymous set download "local/$$MINIO_BUCKET/public"' in init  # public/ only, never private/
    assert services["minio-init"]["depends_on"]["minio"]["condition"] == "service_healthy"
    for role in ("web", "worker"):
        assert services[role]["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"
        assert "volumes" not in services[role]  # no media on the container's disk
    assert env["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert env["AWS_STORAGE_BUCKET_NAME"] == "${MINIO_BUCKET:-ordertrail}"
    assert env["PUBLIC_MEDIA_BASE_URL"].startswith("${MINIO_PUBLIC_URL:-http://localhost:9000}")


def test_compose_never_runs_beat_twice():
    beat = _compose()["services"]["beat"]

    assert beat["command"][:4] == ["celery", "-A", "config", "beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1


# --- Kubernetes --------------------------------------------------------------------------------------------


def _containers(deployment: dict) -> list[dict]:
    spec = deployment["spec"]["template"]["spec"]
    return spec.get("initContainers", []) + spec["containers"]


def test_web_is_ready_only_when_its_services_are_and_live_while_the_process_answers():
    [web] = _one("Deployment", "ordertrail-web")["spec"]["template"]["spec"]["containers"]

    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz/"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz/"
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        # Kubelet probes would otherwise send the pod IP as Host: refused by ALLOWED_HOSTS.
        assert web[probe]["httpGet"]["httpHeaders"] == [{"name": "Host", "value": "localhost"}]


def test_web_scales_horizontally_and_beat_is_a_single_recreated_replica():
    hpa = _one("HorizontalPodAutoscaler", "ordertrail-web")
    web = _one("Deployment", "ordertrail-web")
    beat = _one("Deployment", "ordertrail-beat")
    worker = _one("Deployment", "ordertrail-worker")

    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "ordertrail-web",
    }
    assert hpa["spec"]["minReplicas"] >= 2
    assert "replicas" not in web["spec"]  # owned by the HPA
    assert all(c["resources"]["requests"]["cpu"] for c in web["spec"]["template"]["spec"]["containers"])
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert worker["spec"]["replicas"] >= 2
    assert "-Q sms,email,celery" in " ".join(worker["spec"]["template"]["spec"]["containers"][0]["command"])


def test_the_service_routes_to_the_web_pods_only():
    service = _one("Service", "ordertrail-web")
    web_labels = _one("Deployment", "ordertrail-web")["spec"]["template"]["metadata"]["labels"]

    assert service["spec"]["selector"].items() <= web_labels.items()
    for name in ("ordertrail-worker", "ordertrail-beat"):
        labels = _one("Deployment", name)["spec"]["template"]["metadata"]["labels"]
        assert not service["spec"]["selector"].items() <= labels.items()


def test_migrations_run_in_a_job_and_new_pods_wait_for_them():
    job = _one("Job", "ordertrail-migrate")
    [container] = job["spec"]["template"]["spec"]["containers"]

    assert container["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    for name in ("ordertrail-web", "ordertrail-worker"):
        [init] = _one("Deployment", name)["spec"]["template"]["spec"]["initContainers"]
        assert "migrate --check" in " ".join(init["command"])


@pytest.mark.parametrize("name", ["ordertrail-web", "ordertrail-worker", "ordertrail-beat"])
def test_every_pod_runs_unprivileged_from_the_config_map_and_secret(name):
    deployment = _one("Deployment", name)

    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    for container in _containers(deployment):
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["envFrom"] == [
            {"configMapRef": {"name": "ordertrail-config"}},
            {"secretRef": {"name": "ordertrail-secrets"}},
        ]


def test_the_config_map_and_secret_template_only_name_documented_settings():
    documented = _env_example_keys()
    config = _one("ConfigMap", "ordertrail-config")["data"]
    secret = _one("Secret", "ordertrail-secrets")["stringData"]

    assert set(config) - documented == set()
    assert set(secret) - documented == set()
    assert config["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert not set(config) & set(secret)


def test_pods_share_media_through_object_storage_not_a_volume():
    kinds = {obj["kind"] for obj in _k8s_objects()}
    config = _one("ConfigMap", "ordertrail-config")["data"]
    secret = _one("Secret", "ordertrail-secrets")["stringData"]

    assert "PersistentVolumeClaim" not in kinds
    for name in ("ordertrail-web", "ordertrail-worker", "ordertrail-beat"):
        volumes = _one("Deployment", name)["spec"]["template"]["spec"].get("volumes", [])
        assert [v for v in volumes if "persistentVolumeClaim" in v] == []
    assert config["AWS_STORAGE_BUCKET_NAME"] and config["AWS_PRIVATE_STORAGE_BUCKET_NAME"]
    assert config["AWS_STORAGE_BUCKET_NAME"] != config["AWS_PRIVATE_STORAGE_BUCKET_NAME"]
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(secret)


def test_the_ingress_lets_through_what_the_app_accepts_and_no_more_than_a_little(settings):
    ingress = _one("Ingress", "ordertrail-web")
    size = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]

    assert size.endswith("m")
    # Above the app's largest limit, so the app's own JSON 413 is what clients see; not far above it.
    assert (
        settings.UPLOAD_REQUEST_MAX_BYTES
        < int(size[:-1]) * 1024 * 1024
        <= 2 * settings.UPLOAD_REQUEST_MAX_BYTES
    )


def test_the_secret_template_holds_no_usable_secret():
    secret = _one("Secret", "ordertrail-secrets")["stringData"]

    # The production settings refuse this key, so an unedited template cannot run.
    assert secret["DJANGO_SECRET_KEY"].startswith("insecure-")
    for key, value in secret.items():
        assert value == "" or "REPLACE_ME" in value or value.startswith("insecure-"), key
