"""The batch on a local Dask cluster of two workers gives the single-machine results."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES
from tests.demo_service import DemoService
from wastescreen.screening.batch import read_batch_file
from wastescreen.screening.engine import load_engine
from wastescreen.screening.usecases import Screener
from wastescreen.storage.database import open_database

distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")


def _engines_loaded() -> int:
    from wastescreen.screening import batch_dask

    return len(batch_dask._SCREENERS)


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # distributed's own sockets at teardown
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_cluster_results_equal_local_results(service: DemoService) -> None:
    from wastescreen.screening.batch_dask import screen_rows_on_cluster

    # 80 rows, 20 of them invalid
    rows = read_batch_file(EXAMPLES / "proposals_batch.csv", max_rows=100) * 20
    for i, row in enumerate(rows):
        row.row = i + 2
    db = open_database(service.settings, migrate=False)
    with db.sessions() as session:
        screener = Screener(load_engine(service.settings, session))
    local = screener.screen_rows(rows)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = screen_rows_on_cluster(cluster.scheduler_address, service.settings, rows)
        with distributed.Client(cluster) as client:
            loaded = client.run(_engines_loaded)
    assert len(loaded) == 2 and all(n == 1 for n in loaded.values())  # both workers screened
    db.dispose()
    assert remote == local
    assert sum(r["status"] == "invalid" for r in remote) == 20
