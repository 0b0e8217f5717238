"""The batch on a local Dask cluster of two workers gives the single-machine results."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES
from tests.service_env import ServiceEnv
from wastescreen.screening.batch import read_batch, screen_rows
from wastescreen.screening.engine import load_engine
from wastescreen.storage.database import open_database

distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")


def _engines_loaded() -> int:
    from wastescreen.screening import batch_dask

    return len(batch_dask._ENGINES)


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # distributed's own sockets at teardown
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_cluster_results_equal_local_results(service_env: ServiceEnv) -> None:
    from wastescreen.screening.batch_dask import screen_rows_on_cluster

    rows = read_batch(EXAMPLES / "proposals_batch.csv") * 20  # 80 rows, 20 of them invalid
    for i, row in enumerate(rows):
        row.row = i + 2
    db = open_database(service_env.settings, migrate=False)
    with db.sessions() as session:
        engine = load_engine(service_env.settings, session)
    local = screen_rows(engine, rows)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = screen_rows_on_cluster(cluster.scheduler_address, service_env.settings, rows)
        with distributed.Client(cluster) as client:
            loaded = client.run(_engines_loaded)
    assert len(loaded) == 2 and all(n == 1 for n in loaded.values())  # both workers screened
    db.dispose()
    assert remote == local
    assert sum(r["status"] == "invalid" for r in remote) == 20
