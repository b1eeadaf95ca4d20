"""Fixtures of the multi-process tests: one cluster (two servers) for the whole session."""

from __future__ import annotations

import pytest

from tests.multiprocess.cluster import Cluster, skip_reason


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    cluster = Cluster(tmp_path_factory.mktemp("multiprocess"))
    try:
        cluster.setup()
    except BaseException:
        print(cluster.logs())
        cluster.teardown()
        raise
    try:
        yield cluster
    finally:
        cluster.teardown()


@pytest.fixture
def servers(cluster, request):
    """Both servers up before the test; their logs printed when it fails."""
    cluster.ensure_running()
    yield cluster.servers
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        print(cluster.logs())
