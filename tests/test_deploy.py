"""The deployment an operator applies: Kubernetes manifests and the single-host compose file.

The manifests are validated offline against the Kubernetes API schemas that
``kubernetes-validate`` ships, then checked for what an operator relies on: several replicas,
probes on /healthz and /readyz, a migration step, credentials only from a Secret, a
PodDisruptionBudget over the same pods, measured resource requests, a non-root read-only
container. No Docker engine runs here, so the compose file is checked by reading it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from pydantic import SecretStr

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
KUBE = ROOT / "deploy" / "kubernetes"
COMPOSE_DIR = ROOT / "deploy" / "compose"
COMPOSE = COMPOSE_DIR / "compose.yaml"
SECRET_EXAMPLE = KUBE / "secret.example.yaml"

# Kubernetes releases still supported upstream when this was written (1.35-1.37), oldest and
# newest: kubernetes-validate>=1.37 ships schemas for both.
KUBERNETES_VERSIONS = ("1.35.0", "1.37.0")

SETTING_NAMES = {name.upper() for name in Settings.model_fields}
# Settings that hold a credential: every SecretStr, and the database URL (it carries the
# password). None of them may be written into a Deployment, a ConfigMap or the compose file.
SECRET_SETTINGS = {name.upper() for name, field in Settings.model_fields.items()
                   if SecretStr in getattr(field.annotation, "__args__", (field.annotation,))}
SECRET_SETTINGS.add("DATABASE_URL")
# Read by libraries, not by our settings.
LIBRARY_VARIABLES = {"MPLCONFIGDIR"}


def documents(path: Path) -> list[dict[str, Any]]:
    """Every non-empty YAML document in ``path``."""
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def kustomization() -> dict[str, Any]:
    """The kustomization that `kubectl apply -k deploy/kubernetes` applies."""
    (doc,) = documents(KUBE / "kustomization.yaml")
    return doc


def resources() -> list[dict[str, Any]]:
    """Every object the kustomization applies, in order."""
    return [doc for name in kustomization()["resources"] for doc in documents(KUBE / name)]


def one(kind: str, objects: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The single object of ``kind`` among ``objects`` (default: what the kustomization applies)."""
    found = [o for o in (resources() if objects is None else objects) if o["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def pod_spec(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]


def server(deployment: dict[str, Any]) -> dict[str, Any]:
    """The container that runs `mentorbot serve`."""
    (container,) = [c for c in pod_spec(deployment)["containers"]
                    if c.get("command", [])[:2] == ["mentorbot", "serve"]]
    return container


def mebibytes(quantity: str) -> float:
    """A Kubernetes memory quantity ("256Mi", "1Gi", "512M") in MiB."""
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024, "K": 1e3 / 2**20, "M": 1e6 / 2**20,
             "G": 1e9 / 2**20}
    number, unit = re.fullmatch(r"([0-9.]+)([KMG]i?)?", quantity).groups()  # type: ignore[union-attr]
    return float(number) * units[unit] if unit else float(number) / 2**20


def millicores(quantity: str) -> float:
    return float(quantity[:-1]) if quantity.endswith("m") else float(quantity) * 1000


# --- Kubernetes: schema ---------------------------------------------------------------------


def test_the_kustomization_applies_every_manifest_but_never_the_example_secret() -> None:
    listed = set(kustomization()["resources"])
    on_disk = {p.name for p in KUBE.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk - {SECRET_EXAMPLE.name}
    assert not [o for o in resources() if o["kind"] == "Secret"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_is_valid_for_kubernetes(version: str) -> None:
    objects = resources() + documents(SECRET_EXAMPLE)
    assert {o["kind"] for o in objects} >= {"Deployment", "Service", "PodDisruptionBudget",
                                            "ConfigMap", "Secret"}
    for obj in objects:
        # strict: a misspelt or misplaced field is an error, not silently dropped.
        assert kubernetes_validate.validate(obj, version, strict=True) == version[:4]


def test_the_schema_check_catches_a_broken_deployment() -> None:
    """The validation above is not vacuous: a typo or a wrong type fails it."""
    deployment = one("Deployment")
    misspelt = yaml.safe_load(yaml.safe_dump(deployment))
    server(misspelt)["readinesProbe"] = server(misspelt)["livenessProbe"]
    wrong_type = yaml.safe_load(yaml.safe_dump(deployment))
    wrong_type["spec"]["replicas"] = "three"
    for broken in (misspelt, wrong_type):
        with pytest.raises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)


# --- Kubernetes: what the issue asks for ----------------------------------------------------


def test_several_replicas_serve() -> None:
    assert one("Deployment")["spec"]["replicas"] >= 2


def test_liveness_probes_healthz_and_readiness_probes_readyz_on_the_served_port() -> None:
    container = server(one("Deployment"))
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    settings = {e["name"]: e.get("value") for e in container.get("env", [])}
    assert str(ports[container["livenessProbe"]["httpGet"]["port"]]) == settings["PORT"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["readinessProbe"]["httpGet"]["port"] == \
        container["livenessProbe"]["httpGet"]["port"]
    # Bound to every interface, or the kubelet's probes never reach it.
    assert settings["HOST"] == "0.0.0.0"


def test_migrations_run_before_the_server_with_the_same_image_and_database() -> None:
    deployment = one("Deployment")
    (migrate,) = [c for c in pod_spec(deployment).get("initContainers", [])
                  if c.get("command") == ["mentorbot", "db", "upgrade"]]
    assert migrate["image"] == server(deployment)["image"]
    database = [e for e in migrate["env"] if e["name"] == "DATABASE_URL"]
    assert database == [e for e in server(deployment)["env"] if e["name"] == "DATABASE_URL"]


def test_every_credential_comes_from_the_secret() -> None:
    deployment = one("Deployment")
    (secret,) = documents(SECRET_EXAMPLE)
    name = secret["metadata"]["name"]
    keys = set(secret["stringData"])
    # The example names real settings, and every platform credential an operator needs.
    assert keys <= SECRET_SETTINGS | SETTING_NAMES
    assert {"DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "MICROSOFT_APP_ID",
            "MICROSOFT_APP_PASSWORD"} <= keys
    containers = pod_spec(deployment)["containers"] + pod_spec(deployment)["initContainers"]
    for container in containers:
        for env in container.get("env", []):
            if env["name"] in SECRET_SETTINGS:
                assert "value" not in env, f"{env['name']} written into the Deployment"
                assert env["valueFrom"]["secretKeyRef"] == {"name": name, "key": env["name"]}
    # The rest of the Secret reaches the server whole, and nothing else provides a credential.
    assert {"secretRef": {"name": name}} in server(deployment)["envFrom"]
    config = one("ConfigMap")
    assert {"configMapRef": {"name": config["metadata"]["name"]}} in server(deployment)["envFrom"]
    assert not set(config["data"]) & SECRET_SETTINGS
    assert not re.search(r"xox[bap]-|password", yaml.safe_dump([deployment, config]), re.I)


def test_the_configmap_names_only_real_settings() -> None:
    for key in one("ConfigMap")["data"]:
        assert key in SETTING_NAMES | LIBRARY_VARIABLES, f"{key} is not a setting"
    assert one("ConfigMap")["data"]["WEBCHAT_ENABLED"] == "false"


def test_the_disruption_budget_covers_the_deployments_pods_and_lets_one_go() -> None:
    deployment, budget = one("Deployment"), one("PodDisruptionBudget")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = budget["spec"]["selector"]["matchLabels"]
    assert selector and selector.items() <= labels.items()
    assert selector == deployment["spec"]["selector"]["matchLabels"]
    spec = budget["spec"]
    # The API server refuses a budget with both; either way one pod may go at a time.
    assert ("maxUnavailable" in spec) != ("minAvailable" in spec)
    assert spec.get("maxUnavailable") == 1 or spec.get("minAvailable") == 1


def test_the_service_sends_to_the_servers_port() -> None:
    deployment, service = one("Deployment"), one("Service")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    ports = {p["name"] for p in server(deployment)["ports"]}
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports


def test_resources_are_requested_and_cover_the_measured_peak() -> None:
    deployment = one("Deployment")
    text = (KUBE / "deployment.yaml").read_text()
    # The figure written beside the numbers (deploy/measure.py) is what the request must cover.
    peak = float(re.search(r"peak \(VmHWM\) (\d+) MiB", text).group(1))  # type: ignore[union-attr]
    for container in pod_spec(deployment)["containers"] + pod_spec(deployment)["initContainers"]:
        requests, limits = container["resources"]["requests"], container["resources"]["limits"]
        assert millicores(requests["cpu"]) > 0
        assert mebibytes(limits["memory"]) >= mebibytes(requests["memory"]) > 0
    requests = server(deployment)["resources"]["requests"]
    assert mebibytes(requests["memory"]) >= peak


def test_containers_run_as_non_root_on_a_read_only_filesystem_with_a_writable_tmp() -> None:
    deployment = one("Deployment")
    spec = pod_spec(deployment)
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] != 0
    volumes = {v["name"]: v for v in spec["volumes"]}
    for container in spec["containers"] + spec["initContainers"]:
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        mounts = {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}
        assert "emptyDir" in mounts["/tmp"]
    # Matplotlib's cache, the one file the server writes, lands on that writable mount.
    assert one("ConfigMap")["data"]["MPLCONFIGDIR"].startswith("/tmp/")


# --- Docker Compose -------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def app_services() -> dict[str, dict[str, Any]]:
    """The services that run `mentorbot serve` (the image's default command)."""
    return {name: svc for name, svc in compose()["services"].items()
            if "build" in svc and "command" not in svc}


def test_compose_runs_three_replicas_built_from_the_repositorys_dockerfile() -> None:
    apps = app_services()
    replicas = sum(svc.get("deploy", {}).get("replicas", 1) for svc in apps.values())
    assert replicas == 3
    for svc in apps.values():
        context = (COMPOSE_DIR / svc["build"]["context"]).resolve()
        assert context == ROOT
        assert (context / svc["build"].get("dockerfile", "Dockerfile")).is_file()


def test_compose_starts_the_replicas_after_a_healthy_postgres_and_one_migration() -> None:
    services = compose()["services"]
    assert services["postgres"]["healthcheck"]["test"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    migrate = services["migrate"]
    assert migrate["command"] == ["mentorbot", "db", "upgrade"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for svc in app_services().values():
        assert svc["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert svc["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_takes_every_credential_from_the_env_file() -> None:
    example = dict(line.split("=", 1) for line in (COMPOSE_DIR / "env.example").read_text()
                   .splitlines() if line and not line.startswith("#"))
    referenced = set(re.findall(r"\$\{(\w+)", COMPOSE.read_text())) | {"MENTORBOT_DOMAIN"}
    assert referenced <= set(example), "env.example must offer every variable compose needs"
    assert set(example) <= SETTING_NAMES | referenced
    for svc in [compose()["services"]["migrate"], *app_services().values()]:
        assert svc["env_file"] == ".env"
        environment = svc.get("environment", {})
        assert set(environment) <= SETTING_NAMES | LIBRARY_VARIABLES
        # Only the database URL is assembled here, from the password in .env; every other
        # credential reaches the container from .env alone.
        assert set(environment) & SECRET_SETTINGS == {"DATABASE_URL"}
        assert re.fullmatch(r"postgresql\+psycopg://\w+:\$\{POSTGRES_PASSWORD[^}]*\}@.+",
                            environment["DATABASE_URL"])
    assert "${POSTGRES_PASSWORD" in compose()["services"]["postgres"]["environment"][
        "POSTGRES_PASSWORD"]


def test_compose_gives_each_replica_its_own_loopback_port_and_one_proxy_in_front() -> None:
    apps = app_services()
    host_ports = [p.rsplit(":", 1)[0] for svc in apps.values() for p in svc["ports"]]
    assert len(set(host_ports)) == len(host_ports) == 3
    assert all(p.startswith("127.0.0.1:") for p in host_ports)
    caddyfile = (COMPOSE_DIR / "Caddyfile").read_text()
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddyfile).group(1).split()  # type: ignore[union-attr]
    assert sorted(upstreams) == sorted(f"{name}:8000" for name in apps)
    assert "health_uri /readyz" in caddyfile
    for svc in apps.values():
        assert svc["read_only"] is True
        assert any(t.split(":")[0] == "/tmp" for t in svc["tmpfs"])


@pytest.mark.skipif(shutil.which("docker-compose") is None,
                    reason="docker-compose is not installed (Debian package docker-compose)")
def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    """`docker-compose config` validates against the Compose schema; it needs no engine."""
    # The file as an operator has it: compose.yaml and the Caddyfile beside a filled-in .env,
    # two folders below the build context.
    here = tmp_path / "deploy" / "compose"
    here.mkdir(parents=True)
    for name in ("compose.yaml", "Caddyfile"):
        (here / name).write_text((COMPOSE_DIR / name).read_text())
    (here / ".env").write_text((COMPOSE_DIR / "env.example").read_text())
    done = subprocess.run(["docker-compose", "config", "--services"], cwd=here,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) == {"postgres", "migrate", "caddy", *app_services()}
    (here / ".env").write_text("MENTORBOT_DOMAIN=example.com\n")
    missing = subprocess.run(["docker-compose", "config", "--services"], cwd=here,
                             capture_output=True, text=True, timeout=60, check=False)
    assert missing.returncode != 0 and "POSTGRES_PASSWORD" in missing.stderr
