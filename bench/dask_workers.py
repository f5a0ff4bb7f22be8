"""Peak memory of each Dask worker during one ``curate check --engine dask`` run.

    python bench/dask_workers.py DATASET SUITE [--workers 2]

Starts the LocalCluster ``--engine dask`` starts without ``--scheduler``
(:func:`curate.engines.dask.local_cluster`: worker processes, one thread each), runs the suite on
it through ``curate.check(engine="dask")``, and prints, per worker, the largest resident set its system monitor sampled (distributed samples
every 500 ms, so a shorter spike can be missed), and the client process's own peak. Whole-process
timings belong to paired whole-process runs of the CLI, not to this script.
"""

from __future__ import annotations

import argparse
import resource


def worker_peak(dask_worker) -> int:
    """The largest resident set (bytes) the worker's monitor sampled."""
    return int(max(dask_worker.monitor.quantities["memory"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("suite")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import distributed

    import curate
    from curate.engines.dask import local_cluster

    with local_cluster(args.workers) as cluster:
        with distributed.Client(cluster) as client:
            report = curate.check(args.dataset, args.suite, engine="dask", scheduler=cluster.scheduler_address)
            peaks = client.run(worker_peak)
    for result in report.results:
        print(f"{result.name}: {result.status.value} in {result.seconds:.2f} s")
    for address, peak in sorted(peaks.items()):
        print(f"worker {address}: peak {peak / 2**20:,.0f} MiB")
    client_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"client: peak {client_peak:,.0f} MiB")


if __name__ == "__main__":
    main()
