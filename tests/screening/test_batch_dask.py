"""The batch on a local Dask cluster of two worker processes gives the single-machine results:
the example file's rows (invalid ones included) and a few hundred different proposals, each
worker screening its chunks in bulk."""

from __future__ import annotations

import datetime as dt
import platform

import pytest

from tests.conftest import EXAMPLES
from tests.demo_service import AGENCY_A, DemoService, for_cycle
from wastescreen.screening.batch import BatchRow, read_batch_file
from wastescreen.screening.engine import load_engine
from wastescreen.screening.usecases import Screener
from wastescreen.storage.database import open_database

distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")

AS_OF = dt.date(2025, 12, 1)
DIFFERENT = 400


def _engines_loaded() -> int:
    from wastescreen.screening import batch_dask

    return len(batch_dask._SCREENERS)


def _freed_memory_kept() -> bool:
    from wastescreen.core.memory import freed_memory_kept

    return freed_memory_kept()


def _rows(service: DemoService) -> list[BatchRow]:
    """80 rows of the example file (20 of them invalid), then ``DIFFERENT`` different
    proposals (most moved to the cycle with filed peers, some under an agency that filed)."""
    rows = read_batch_file(EXAMPLES / "proposals_batch.csv", max_rows=100) * 20
    pool = service.portfolio.proposals[::len(service.portfolio.proposals) // DIFFERENT]
    for i, p in enumerate(pool[:DIFFERENT]):
        moved = p if i % 7 == 0 else for_cycle(p, agency=AGENCY_A) if i % 5 == 0 else for_cycle(p)
        rows.append(BatchRow(row=0, proposal=moved))
    return [BatchRow(row=i + 2, proposal=r.proposal, errors=r.errors, title=r.title)
            for i, r in enumerate(rows)]


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # distributed's own sockets at teardown
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_cluster_results_equal_local_results(service: DemoService) -> None:
    from wastescreen.screening.batch_dask import screen_rows_on_cluster

    rows = _rows(service)
    db = open_database(service.settings, migrate=False)
    with db.sessions() as session:
        screener = Screener(load_engine(service.settings, session))
    local = screener.screen_rows(rows, as_of=AS_OF)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = screen_rows_on_cluster(cluster.scheduler_address, service.settings, rows,
                                        as_of=AS_OF)
        with distributed.Client(cluster) as client:
            loaded = client.run(_engines_loaded)
            kept = client.run(_freed_memory_kept)
    assert len(loaded) == 2 and all(n == 1 for n in loaded.values())  # both workers screened
    # The workers reuse freed blocks despite the nanny's trim threshold (core.memory; glibc).
    assert list(kept.values()) == [platform.libc_ver()[0] == "glibc"] * 2
    db.dispose()
    assert remote == local
    assert [repr(r.get("overall_score")) for r in remote] == [
        repr(r.get("overall_score")) for r in local]
    assert sum(r["status"] == "invalid" for r in remote) == 20
    assert len({r["input_hash"] for r in remote[80:]}) == DIFFERENT
