"""deploy/ and the README agree with the load test's numbers (tools/classroom.py MEASURED)."""

from __future__ import annotations

import re

import pytest
import yaml

from tools import classroom

DEPLOY = classroom.ROOT / "deploy"
LIMITS = classroom.limits()
EXAMPLE_HUB = "https://hub.example.org"
EXAMPLE_REPO = "https://github.com/example/cnn-rnn-series"


def values() -> dict:
    """deploy/values.yaml, parsed."""
    return yaml.safe_load((DEPLOY / "values.yaml").read_text())


def readme_section() -> str:
    """The README's "A whole class" section."""
    text = (classroom.ROOT / "README.md").read_text()
    match = re.search(r"^## A whole class\n(.*?)(?=^## )", text, re.S | re.M)
    assert match, 'README.md has no "## A whole class" section'
    return match.group(1)


def test_the_single_server_config_loads_and_carries_the_measured_limits():
    spawner = classroom.deploy_config().Spawner
    assert spawner.mem_limit == classroom.memory_text(LIMITS["mem_limit_gb"])
    assert spawner.mem_guarantee == classroom.memory_text(LIMITS["mem_guarantee_gb"])
    assert spawner.cpu_limit == LIMITS["cpu_limit"]
    assert spawner.cpu_guarantee == LIMITS["cpu_guarantee"]
    assert spawner.environment["OMP_NUM_THREADS"] == "1"
    assert spawner.start_timeout > 60 and spawner.http_timeout > 30  # above the defaults


def test_the_kubernetes_values_carry_the_same_limits():
    single = values()["singleuser"]
    assert single["memory"] == {
        "limit": classroom.memory_text(LIMITS["mem_limit_gb"]),
        "guarantee": classroom.memory_text(LIMITS["mem_guarantee_gb"]),
    }
    assert single["cpu"] == {"limit": LIMITS["cpu_limit"], "guarantee": LIMITS["cpu_guarantee"]}
    assert single["extraEnv"]["OMP_NUM_THREADS"] == "1"
    assert single["defaultUrl"] == classroom.deploy_config().Spawner.default_url


def test_the_littlest_jupyterhub_recipe_sets_the_same_limits():
    text = (DEPLOY / "README.md").read_text()
    assert f"tljh-config set limits.memory {classroom.memory_text(LIMITS['mem_limit_gb'])}" in text
    assert f"tljh-config set limits.cpu {LIMITS['cpu_limit']:g}" in text


def test_both_configs_cull_idle_kernels_after_the_same_time():
    args = classroom.deploy_config().Spawner.args
    seconds = [int(a.split("=")[1]) for a in args if a.startswith("--MappingKernelManager.cull_i")]
    culling = values()["singleuser"]["extraFiles"]["kernel-culling"]["data"]
    assert seconds == [culling["MappingKernelManager"]["cull_idle_timeout"], 60]


def test_the_image_is_built_by_repo2docker_from_this_repository():
    image = values()["singleuser"]["image"]
    text = (DEPLOY / "values.yaml").read_text() + (DEPLOY / "README.md").read_text()
    assert f"--image-name {image['name']}:{image['tag']}" in text
    assert "jupyter-repo2docker" in text and "environment.yml" in text


def test_the_readme_shows_the_sizing_and_limits_derived_from_the_measurements():
    section = readme_section()
    assert classroom.sizing_table() in section
    for key in ("mem_limit_gb", "mem_guarantee_gb"):
        assert classroom.memory_text(LIMITS[key]) in section
    assert f"{classroom.MEASURED['peak_student_gb']} GiB" in section
    assert f"{classroom.MEASURED['heaviest_notebook_cpu_s']} CPU-seconds" in section


def test_the_nbgitpuller_link_recipe_is_the_one_the_helper_builds():
    link = classroom.nbgitpuller_link(EXAMPLE_HUB, EXAMPLE_REPO)
    assert link in (DEPLOY / "README.md").read_text()
    assert link.startswith(f"{EXAMPLE_HUB}/hub/user-redirect/git-pull?repo=https%3A%2F%2F")
    assert "urlpath=lab%2Ftree%2Fcnn-rnn-series%2Fnotebooks%2F00_index.ipynb" in link


def test_sizing_follows_the_measured_numbers():
    heavier = dict(classroom.MEASURED, heaviest_notebook_cpu_s=2 * 10.0, peak_student_gb=2.2)
    assert classroom.limits(heavier)["mem_guarantee_gb"] == 2.5
    assert classroom.limits(heavier)["mem_limit_gb"] == 3.5
    fit = classroom.students_per_node(16, 64, heavier)
    assert fit == {"by_memory": 24, "by_cpu": 23, "students": 23}


def test_named_errors_for_impossible_sizes():
    with pytest.raises(ValueError, match="needs more than"):
        classroom.students_per_node(0.5, 64)
    with pytest.raises(ValueError, match="positive number of GiB"):
        classroom.memory_text(0)
    with pytest.raises(ValueError, match="must be URLs"):
        classroom.nbgitpuller_link("hub.example.org", EXAMPLE_REPO)
