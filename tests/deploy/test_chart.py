"""The Helm chart rendered by a real helm: lint, Kubernetes schemas, and what the worker needs.

``helm template`` runs with values.yaml (the defaults: SQLite on a PVC) and with
values.example.yaml (Jira Cloud + GitHub, PostgreSQL, two replicas). The rendered manifests
are checked against the Kubernetes OpenAPI schemas shipped by ``kubernetes-validate`` (the
ServiceMonitor, a CRD, structurally), and the rendered ConfigMap is loaded by followthrough's
own configuration loader with the environment the Deployment gives the container.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from followthrough.config import load_config
from tests.deploy.conftest import (
    CHART,
    EXAMPLE,
    NAMESPACE,
    VALUES,
    Manifest,
    Render,
    RenderError,
    by_kind,
    container,
    one,
    tool_missing,
)

CASES = {"defaults": VALUES, "example": EXAMPLE}
KUBERNETES_VERSIONS = ("1.25.0", "1.37.0")  # Chart.yaml's kubeVersion floor, and the newest known
DATA = "/var/lib/followthrough"


@pytest.fixture(scope="module", params=list(CASES))
def case(request: pytest.FixtureRequest, render: Render) -> tuple[str, list[Manifest]]:
    name: str = request.param
    return name, render(CASES[name])


def _pod(manifests: list[Manifest]) -> dict[str, Any]:
    spec: dict[str, Any] = one(manifests, "Deployment")["spec"]["template"]["spec"]
    return spec


def _env(manifests: list[Manifest]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container(manifests).get("env", [])}


def _volume(manifests: list[Manifest], name: str) -> dict[str, Any]:
    volumes = {v["name"]: v for v in _pod(manifests)["volumes"]}
    return volumes[name]


def _mounts(manifests: list[Manifest]) -> dict[str, dict[str, Any]]:
    return {m["mountPath"]: m for m in container(manifests)["volumeMounts"]}


# --- helm itself ------------------------------------------------------------------------------


@pytest.mark.parametrize("values", list(CASES.values()), ids=list(CASES))
def test_helm_lint_strict(helm: str, values: Path) -> None:
    result = subprocess.run(
        [helm, "lint", "--strict", str(CHART), "--values", str(values)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout
    assert "[WARNING]" not in result.stdout
    assert "[ERROR]" not in result.stdout


# --- every manifest ---------------------------------------------------------------------------


def test_manifests_pass_the_kubernetes_schemas(case: tuple[str, list[Manifest]]) -> None:
    try:
        import kubernetes_validate  # noqa: PLC0415
    except ImportError:
        tool_missing("kubernetes-validate is not installed (pip install -e '.[dev]')")
        raise
    _, manifests = case
    checked = 0
    for manifest in manifests:
        if manifest["apiVersion"].startswith("monitoring.coreos.com/"):
            continue  # a CRD: checked in test_service_monitor
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(manifest, version, strict=True)
            checked += 1
    assert checked >= 5 * len(KUBERNETES_VERSIONS)


def test_every_manifest_is_named_labelled_and_namespaced(case: tuple[str, list[Manifest]]) -> None:
    _, manifests = case
    for manifest in manifests:
        assert set(manifest) >= {"apiVersion", "kind", "metadata"}
        metadata = manifest["metadata"]
        assert metadata["name"].startswith("followthrough"), metadata["name"]
        assert metadata["namespace"] == NAMESPACE
        labels = metadata["labels"]
        assert labels["app.kubernetes.io/name"] == "followthrough"
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert "helm.sh/chart" in labels


def test_the_chart_never_creates_a_secret(case: tuple[str, list[Manifest]]) -> None:
    _, manifests = case
    assert by_kind(manifests, "Secret") == []


def test_the_service_reaches_the_pods(case: tuple[str, list[Manifest]]) -> None:
    _, manifests = case
    service = one(manifests, "Service")
    pod_labels = one(manifests, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"}
    ]
    assert container(manifests)["ports"] == [
        {"name": "http", "containerPort": 8080, "protocol": "TCP"}
    ]


# --- the Pod ----------------------------------------------------------------------------------


def test_the_pod_is_hardened(case: tuple[str, list[Manifest]]) -> None:
    _, manifests = case
    pod = _pod(manifests)
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    security = container(manifests)["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["privileged"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}


def test_the_probes_ask_the_health_endpoints(case: tuple[str, list[Manifest]]) -> None:
    _, manifests = case
    main = container(manifests)
    assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert main["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}


def test_resources_are_bounded(case: tuple[str, list[Manifest]]) -> None:
    _, manifests = case
    resources = container(manifests)["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"])
    assert "memory" in resources["limits"]


def test_writable_paths_are_volumes(case: tuple[str, list[Manifest]]) -> None:
    _, manifests = case
    mounts = _mounts(manifests)
    assert mounts["/etc/followthrough"]["readOnly"] is True
    assert mounts[DATA]["name"] == "data"
    assert "emptyDir" in _volume(manifests, mounts["/tmp"]["name"])
    env = _env(manifests)
    assert env["FOLLOWTHROUGH_STORE__SQLITE_PATH"]["value"].startswith(DATA + "/")
    assert env["FOLLOWTHROUGH_CACHE_DIR"]["value"].startswith(DATA + "/")
    assert env["FOLLOWTHROUGH_HTTP__PORT"]["value"] == "8080"
    assert container(manifests)["args"] == [
        "run",
        "--config",
        "/etc/followthrough/followthrough.yaml",
    ]


def test_the_configmap_is_mounted_file_by_file(case: tuple[str, list[Manifest]]) -> None:
    _, manifests = case
    config_map = one(manifests, "ConfigMap")
    items = _volume(manifests, "config")["configMap"]["items"]
    assert {item["key"] for item in items} == set(config_map["data"])
    paths = {item["path"] for item in items}
    assert "followthrough.yaml" in paths
    assert "teams/.keep" in paths


def test_the_configuration_rolls_the_pods(render: Render) -> None:
    def checksum(*args: str) -> str:
        manifests = render(VALUES, *args)
        annotations = one(manifests, "Deployment")["spec"]["template"]["metadata"]["annotations"]
        value: str = annotations["checksum/config"]
        return value

    assert checksum() == checksum()
    assert checksum() != checksum("--set", "config.global.schedule.sync_every_minutes=5")


# --- store: SQLite by default, PostgreSQL in the example ------------------------------------


def test_sqlite_by_default(render: Render) -> None:
    manifests = render(VALUES)
    deployment = one(manifests, "Deployment")
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    claim = one(manifests, "PersistentVolumeClaim")
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert claim["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    assert _volume(manifests, "data")["persistentVolumeClaim"] == {
        "claimName": claim["metadata"]["name"]
    }
    assert "FOLLOWTHROUGH_STORE__DSN" not in _env(manifests)


def test_sqlite_on_an_existing_claim(render: Render) -> None:
    manifests = render(VALUES, "--set", "store.sqlite.persistence.existingClaim=journal")
    assert by_kind(manifests, "PersistentVolumeClaim") == []
    assert _volume(manifests, "data")["persistentVolumeClaim"] == {"claimName": "journal"}


def test_sqlite_without_persistence(render: Render) -> None:
    manifests = render(VALUES, "--set", "store.sqlite.persistence.enabled=false")
    assert by_kind(manifests, "PersistentVolumeClaim") == []
    assert "emptyDir" in _volume(manifests, "data")


def test_postgresql_in_the_example(render: Render) -> None:
    manifests = render(EXAMPLE)
    deployment = one(manifests, "Deployment")
    assert deployment["spec"]["replicas"] == 2
    assert deployment["spec"]["strategy"]["type"] == "RollingUpdate"
    assert by_kind(manifests, "PersistentVolumeClaim") == []
    assert "emptyDir" in _volume(manifests, "data")
    env = _env(manifests)
    assert env["FOLLOWTHROUGH_STORE__DSN"]["valueFrom"] == {
        "secretKeyRef": {"name": "followthrough-postgresql", "key": "dsn"}
    }
    for name, key in [
        ("FOLLOWTHROUGH_TRACKERS__JIRA__TOKEN", "jira-token"),
        ("FOLLOWTHROUGH_TRACKERS__GITHUB__TOKEN", "github-token"),
        ("FOLLOWTHROUGH_SMTP__PASSWORD", "smtp-password"),
    ]:
        assert env[name]["valueFrom"] == {
            "secretKeyRef": {"name": "followthrough-secrets", "key": key}
        }
        assert "value" not in env[name]


def test_more_than_one_replica_needs_postgresql(render: Render, render_error: RenderError) -> None:
    # The schema refuses it first; with the schema skipped the template refuses it too.
    assert "existingSecret" in render_error(VALUES, "--set", "replicaCount=2")
    message = render_error(VALUES, "--set", "replicaCount=3", "--skip-schema-validation")
    assert "replicaCount is 3 but the store is SQLite" in message
    manifests = render(
        VALUES, "--set", "replicaCount=3", "--set", "store.postgresql.existingSecret=pg"
    )
    assert one(manifests, "Deployment")["spec"]["replicas"] == 3


def test_the_dsn_only_through_the_store_settings(render_error: RenderError) -> None:
    args = [
        "--skip-schema-validation",
        "--set",
        "secrets.existingSecret=s",
        "--set",
        "secrets.env[0].name=FOLLOWTHROUGH_STORE__DSN",
        "--set",
        "secrets.env[0].key=dsn",
    ]
    assert "must not set FOLLOWTHROUGH_STORE__DSN" in render_error(VALUES, *args)


def test_secret_references_need_the_secret(render_error: RenderError) -> None:
    args = ["--set", "secrets.env[0].name=FOLLOWTHROUGH_TRACKERS__JIRA__TOKEN"]
    args += ["--set", "secrets.env[0].key=jira-token"]
    assert "name the existing Secret" in render_error(VALUES, *args)
    assert "name the existing Secret" in render_error(VALUES, "--set", "secrets.mountAsFiles=true")


def test_secrets_as_files(render: Render) -> None:
    manifests = render(
        VALUES, "--set", "secrets.existingSecret=tokens", "--set", "secrets.mountAsFiles=true"
    )
    mount = _mounts(manifests)["/var/run/secrets/followthrough"]
    assert mount["readOnly"] is True
    assert _volume(manifests, mount["name"])["secret"]["secretName"] == "tokens"


# --- optional objects -------------------------------------------------------------------------


def test_optional_objects_are_off_by_default(render: Render) -> None:
    manifests = render(VALUES)
    assert by_kind(manifests, "ServiceMonitor") == []
    assert by_kind(manifests, "PodDisruptionBudget") == []


def test_service_monitor(render: Render) -> None:
    monitor = one(render(EXAMPLE), "ServiceMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    assert monitor["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == "followthrough"
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] == "http"
    assert endpoint["path"] == "/metrics"
    assert endpoint["interval"] == "30s"


def test_pod_disruption_budget(render: Render) -> None:
    budget = one(render(EXAMPLE), "PodDisruptionBudget")
    assert budget["apiVersion"] == "policy/v1"
    assert budget["spec"]["maxUnavailable"] == 1
    budget = one(
        render(
            VALUES,
            "--set",
            "podDisruptionBudget.enabled=true",
            "--set-string",
            "podDisruptionBudget.minAvailable=50%",
        ),
        "PodDisruptionBudget",
    )
    assert budget["spec"] == {
        "minAvailable": "50%",
        "selector": budget["spec"]["selector"],
    }


# --- the configuration the worker reads -----------------------------------------------------


def _mount_config(manifests: list[Manifest], root: Path) -> Path:
    """Write the ConfigMap's keys where the Deployment's items put them under /etc/followthrough."""
    data = one(manifests, "ConfigMap")["data"]
    for item in _volume(manifests, "config")["configMap"]["items"]:
        target = root / item["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(data[item["key"]], encoding="utf-8")
    return root / "followthrough.yaml"


def _container_env(manifests: list[Manifest]) -> dict[str, str]:
    """The container's environment, with a stand-in for each value read from a Secret."""
    stand_ins = {"FOLLOWTHROUGH_STORE__DSN": "postgresql://followthrough@db/followthrough"}
    env = {}
    for name, entry in _env(manifests).items():
        if "valueFrom" in entry:
            env[name] = stand_ins.get(name, f"stand-in-{name.lower()}")
        else:
            env[name] = entry["value"]
    return env


@pytest.mark.parametrize(
    ("values", "teams", "postgres"),
    [(VALUES, set(), False), (EXAMPLE, {"payments", "web"}, True)],
    ids=list(CASES),
)
def test_the_rendered_configuration_loads(
    render: Render, tmp_path: Path, values: Path, teams: set[str], postgres: bool
) -> None:
    manifests = render(values)
    config_file = _mount_config(manifests, tmp_path / "etc")
    config = load_config(config_file, env=_container_env(manifests), base_dir=tmp_path)
    assert set(config.teams) == teams
    assert config.teams_dir == tmp_path / "etc" / "teams"
    assert (config.settings.store.dsn is not None) is postgres
    assert config.settings.store.sqlite_path == Path(DATA) / "followthrough.db"
    assert config.settings.cache_dir == Path(DATA) / "cache"
    assert config.settings.http.port == 8080
    assert config.settings.http.host == "0.0.0.0"  # the kubelet probes the Pod's own IP


def test_the_configmap_holds_no_secret(render: Render) -> None:
    manifests = render(EXAMPLE)
    text = yaml.safe_dump(one(manifests, "ConfigMap")["data"])
    for word in ("token:", "password:", "dsn:"):
        assert word not in text


def test_a_team_is_named_by_its_key(render: Render, render_error: RenderError) -> None:
    manifests = render(EXAMPLE)
    data = one(manifests, "ConfigMap")["data"]
    assert yaml.safe_load(data["team.payments.yaml"])["name"] == "payments"
    message = render_error(EXAMPLE, "--set", "config.teams.web.name=frontend")
    assert "a team's name is its key" in message
