"""deploy/ agrees with the code: the files parse, every DRAFTA_* variable they set is a setting,
the image runs the ``drafta`` console script, and names and ports match across the files."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path
from typing import Any

import yaml

from pipeline import WORKER_PRELOAD
from service.cli import build_parser
from service.settings import env_names, load_settings
from tests.s3server import S3Server, s3_server  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
KUBE = DEPLOY / "kubernetes"
SETTINGS_VARS = set(env_names().values())


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return loaded


def _kube() -> list[dict[str, Any]]:
    """The manifests ``kubectl apply -k deploy/kubernetes`` applies."""
    kustomization = yaml.safe_load((KUBE / "kustomization.yaml").read_text())
    docs: list[dict[str, Any]] = []
    for name in kustomization["resources"]:
        docs.extend(d for d in yaml.safe_load_all((KUBE / name).read_text()) if d)
    return docs


def _kind(kind: str, name: str) -> dict[str, Any]:
    found = [d for d in _kube() if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, (kind, name)
    return found[0]


def _dockerfile() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1]) for ln in lines]


def _drafta_vars(env: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in env.items() if k.startswith("DRAFTA_")}


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    container: dict[str, Any] = containers[0]
    return container


def _option(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


# Dockerfile -------------------------------------------------------------------------------


def test_image_runs_the_drafta_console_script_as_a_non_root_user() -> None:
    instructions = _dockerfile()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["drafta"] == "service.cli:main"
    entrypoints = [json.loads(arg) for op, arg in instructions if op == "ENTRYPOINT"]
    assert entrypoints == [["drafta"]]
    cmd = [json.loads(arg) for op, arg in instructions if op == "CMD"][-1]
    assert cmd == ["serve", "--host", "0.0.0.0", "--port", "8000"]
    assert build_parser().parse_args(cmd).port == 8000
    users = [arg for op, arg in instructions if op == "USER"]
    assert users == ["drafta"]
    bases = [arg.split()[0] for op, arg in instructions if op == "FROM"]
    assert bases == ["python:3.11-slim", "python:3.11-slim"]
    exposed = [arg.split() for op, arg in instructions if op == "EXPOSE"]
    assert exposed == [["8000", "8786", "8787"]]


def test_image_installs_the_project_with_constraints_and_the_s3_extra() -> None:
    instructions = _dockerfile()
    installs = [arg for op, arg in instructions if op == "RUN" and "pip install" in arg]
    assert len(installs) == 1
    words = shlex.split(installs[0])
    assert _option(words, "-c") == "constraints.txt"
    assert words[-1] == ".[s3]"
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(dep.startswith("s3fs") for dep in extras["optional-dependencies"]["s3"])
    copied = {arg.split()[0] for op, arg in instructions if op == "COPY" and "--from" not in arg}
    packages = {"service", "pipeline", "storage"}
    assert packages <= copied
    for name in copied:
        assert (ROOT / name).exists(), name
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text()
    for name in [*packages, "pyproject.toml", "constraints.txt", "README.md"]:
        assert f"!{name}" in ignore


# docker compose ---------------------------------------------------------------------------


def test_compose_sets_only_existing_settings() -> None:
    services = _compose()["services"]
    seen: set[str] = set()
    for service in services.values():
        seen |= set(_drafta_vars(service.get("environment", {})))
    assert seen, "compose configures drafta through DRAFTA_* variables"
    assert seen <= SETTINGS_VARS, seen - SETTINGS_VARS
    api_env = _drafta_vars(services["api"]["environment"])
    settings = load_settings(api_env)
    assert settings.scheduler_address == "tcp://scheduler:8786"
    assert settings.storage == "s3://drafta/jobs"
    assert settings.storage_options["endpoint_url"] == "http://s3:5000"


def test_compose_services_names_and_ports_agree() -> None:
    compose = _compose()
    services = compose["services"]
    assert {"api", "scheduler", "worker", "s3", "bucket"} <= set(services)
    api, scheduler, worker = services["api"], services["scheduler"], services["worker"]
    image = api["image"]
    assert scheduler["image"] == worker["image"] == services["bucket"]["image"] == image
    assert api["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY / api["build"]["context"] / api["build"]["dockerfile"]).is_file()

    assert "entrypoint" not in api
    args = build_parser().parse_args(api["command"])
    assert (args.host, args.port) == ("0.0.0.0", 8000)
    assert api["ports"] == ["8000:8000"]

    address = api["environment"]["DRAFTA_SCHEDULER_ADDRESS"]
    host, port = re.fullmatch(r"tcp://([\w-]+):(\d+)", address).groups()  # type: ignore[union-attr]
    assert (host, port) == ("scheduler", "8786")
    assert scheduler["entrypoint"] == ["dask"]
    assert scheduler["command"][0] == "scheduler"
    assert _option(scheduler["command"], "--port") == port
    assert _option(scheduler["command"], "--dashboard-address") == ":8787"
    assert "8787:8787" in scheduler["ports"]

    assert worker["entrypoint"] == ["dask"]
    assert worker["command"][:2] == ["worker", address]
    assert _option(worker["command"], "--preload") == WORKER_PRELOAD
    # `--scale worker=N` needs a worker without fixed names or host ports.
    assert "container_name" not in worker and "ports" not in worker
    assert api["depends_on"]["scheduler"]["condition"] == "service_healthy"
    assert api["depends_on"]["bucket"]["condition"] == "service_completed_successfully"
    assert "drafta-home" in compose["volumes"]
    assert api["volumes"] == [f"drafta-home:{api['environment']['DRAFTA_HOME']}"]


def test_compose_store_endpoint_is_the_s3_service() -> None:
    services = _compose()["services"]
    endpoint = json.loads(services["api"]["environment"]["DRAFTA_STORAGE_OPTIONS"])["endpoint_url"]
    host, port = re.fullmatch(r"http://([\w-]+):(\d+)", endpoint).groups()  # type: ignore[union-attr]
    assert host == "s3"
    assert f"{port}:{port}" in services["s3"]["ports"]
    assert services["s3"]["environment"]["MOTO_PORT"] == port
    bucket_env = services["bucket"]["environment"]
    assert _drafta_vars(bucket_env) == {
        k: v for k, v in _drafta_vars(services["api"]["environment"]).items() if "STORAGE" in k
    }


def test_compose_bucket_job_creates_the_bucket_of_the_storage_url(
    s3_server: S3Server,  # noqa: F811
) -> None:
    bucket = _compose()["services"]["bucket"]
    assert bucket["entrypoint"] == ["python", "-c"]
    name = f"deploy-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DRAFTA_STORAGE_URL": f"s3://{name}/jobs",
        "DRAFTA_STORAGE_OPTIONS": json.dumps(s3_server.options),
    }
    done = subprocess.run(
        [sys.executable, "-c", bucket["command"][0]],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == f"bucket {name} ready"
    assert s3_server.filesystem().exists(name)


# Kubernetes -------------------------------------------------------------------------------


def test_kubernetes_files_parse_and_kustomization_lists_them() -> None:
    kinds = sorted((d["kind"], d["metadata"]["name"]) for d in _kube())
    assert kinds == [
        ("ConfigMap", "drafta-config"),
        ("Deployment", "drafta-api"),
        ("Deployment", "drafta-scheduler"),
        ("Deployment", "drafta-worker"),
        ("PersistentVolumeClaim", "drafta-home"),
        ("Secret", "drafta-storage"),
        ("Service", "drafta-api"),
        ("Service", "drafta-scheduler"),
    ]
    kustomization = yaml.safe_load((KUBE / "kustomization.yaml").read_text())
    files = {p.name for p in KUBE.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_kubernetes_sets_only_existing_settings() -> None:
    config = _kind("ConfigMap", "drafta-config")["data"]
    secret = _kind("Secret", "drafta-storage")["stringData"]
    names = set(config) | set(secret)
    assert names <= SETTINGS_VARS, names - SETTINGS_VARS
    settings = load_settings({**config, **secret})
    assert settings.home == "/var/lib/drafta"
    assert settings.signed_urls is True
    api = _container(_kind("Deployment", "drafta-api"))
    refs = {next(iter(ref.values()))["name"] for ref in api["envFrom"]}
    assert refs == {"drafta-config", "drafta-storage"}


def test_kubernetes_names_and_ports_agree() -> None:
    config = _kind("ConfigMap", "drafta-config")["data"]
    address = config["DRAFTA_SCHEDULER_ADDRESS"]
    host, port = re.fullmatch(r"tcp://([\w-]+):(\d+)", address).groups()  # type: ignore[union-attr]
    service = _kind("Service", host)
    ports = {p["name"]: p for p in service["spec"]["ports"]}
    assert ports["comm"]["port"] == int(port)
    assert ports["dashboard"]["port"] == 8787

    scheduler = _kind("Deployment", "drafta-scheduler")
    container = _container(scheduler)
    assert container["command"][:2] == ["dask", "scheduler"]
    assert _option(container["command"], "--port") == port
    assert _option(container["command"], "--dashboard-address") == ":8787"
    named = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert named == {"comm": int(port), "dashboard": 8787}
    assert service["spec"]["selector"] == scheduler["spec"]["template"]["metadata"]["labels"]

    worker = _kind("Deployment", "drafta-worker")
    assert worker["spec"]["replicas"] >= 2
    assert _container(worker)["command"][:3] == ["dask", "worker", address]
    assert _option(_container(worker)["command"], "--preload") == WORKER_PRELOAD

    api = _kind("Deployment", "drafta-api")
    api_container = _container(api)
    assert "command" not in api_container  # the image's entry point: drafta
    args = build_parser().parse_args(api_container["args"])
    assert (args.host, args.port) == ("0.0.0.0", 8000)
    assert api_container["ports"] == [{"name": "http", "containerPort": 8000}]
    api_service = _kind("Service", "drafta-api")
    assert api_service["spec"]["ports"] == [{"name": "http", "port": 8000, "targetPort": "http"}]
    assert api_service["spec"]["selector"] == api["spec"]["template"]["metadata"]["labels"]
    assert api["spec"]["replicas"] == 1 and api["spec"]["strategy"]["type"] == "Recreate"

    claim = api["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"]
    assert _kind("PersistentVolumeClaim", claim)["spec"]["accessModes"] == ["ReadWriteOnce"]
    mounts = api_container["volumeMounts"]
    assert [m["mountPath"] for m in mounts] == [config["DRAFTA_HOME"]]


def test_kubernetes_pods_run_as_the_image_user() -> None:
    for name in ("drafta-api", "drafta-scheduler", "drafta-worker"):
        pod = _kind("Deployment", name)["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 10001
        assert _container(_kind("Deployment", name))["image"] == "drafta:0.1.0"
    assert "--uid 10001" in (DEPLOY / "Dockerfile").read_text()


# The guide --------------------------------------------------------------------------------


def test_deploy_readme_covers_running_and_scaling() -> None:
    text = (DEPLOY / "README.md").read_text()
    for needle in (
        "docker compose -f deploy/docker-compose.yml up",
        "--scale worker=",
        "kubectl apply -k deploy/kubernetes",
        "kubectl scale deployment/drafta-worker",
        "DRAFTA_WORKERS",
        "DRAFTA_SCHEDULER_ADDRESS",
        "bench/scale.py",
    ):
        assert needle in text, needle
    for var in set(re.findall(r"DRAFTA_[A-Z_]+", text)):
        assert var in SETTINGS_VARS, var
