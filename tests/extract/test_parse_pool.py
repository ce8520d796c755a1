"""Cold scans of large trees parse on every core, with the same results as one process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from followthrough.adapters.sources.pool import ParsePool, _cgroup_quota, available_cores
from followthrough.adapters.sources.reader import DocumentReader
from followthrough.domain.lint import LintPolicy


def _tree(tmp_path: Path, count: int) -> Path:
    root = tmp_path / "postmortems"
    for number in range(count):
        team = root / ("payments" if number % 2 else "search")
        team.mkdir(parents=True, exist_ok=True)
        (team / f"{number:03d}-outage.md").write_text(
            f"# Outage {number}\n\nDate: 2025-03-{number % 28 + 1:02d}\n\n## Action items\n\n"
            f"- Add an alert on queue depth {number} (owner: @ana, due: 2025-06-01) OPS-{number}\n"
            f"- [x] Pin the client version {number}\n"
            f"- Write the failover runbook {number}\n",
            encoding="utf-8",
        )
    (root / "payments" / "050-broken.md").write_bytes(b"# Outage\n\x00\x01\x02")
    (root / "search" / "051-export.html").write_text(
        "<h1>Export</h1><h2>Action items</h2><ul><li>Rotate the keys (owner: @bo)</li></ul>",
        encoding="utf-8",
    )
    return root


def test_workers_give_the_same_postmortems_in_the_same_order(tmp_path: Path) -> None:
    root = _tree(tmp_path, 40)
    alone = DocumentReader(workers=1)
    pooled = DocumentReader(workers=2, pool_from=4)

    expected = list(alone.read([str(root)]))
    found = list(pooled.read([str(root)]))

    assert found == expected
    assert len(found) == 42
    assert (pooled.stats.parsed, pooled.stats.unreadable) == (41, 1)
    assert pooled.stats.in_workers == 42  # every document went to a worker
    assert alone.stats.in_workers == 0
    assert (alone.stats.parsed, alone.stats.unreadable) == (41, 1)


def test_a_small_batch_is_parsed_here(tmp_path: Path) -> None:
    root = _tree(tmp_path, 3)
    reader = DocumentReader(workers=2)  # the default threshold is far above 5 files

    assert len(list(reader.read([str(root)]))) == 5
    assert reader.stats.in_workers == 0


def test_what_workers_parsed_is_cached_for_the_next_scan(tmp_path: Path) -> None:
    root = _tree(tmp_path, 20)
    cache = tmp_path / "cache"
    first = DocumentReader(workers=2, pool_from=4, cache_dir=cache)
    expected = list(first.read([str(root)]))
    second = DocumentReader(workers=2, pool_from=4, cache_dir=cache)

    assert list(second.read([str(root)])) == expected
    assert (second.stats.parsed, second.stats.cached) == (0, 22)


def test_the_team_policy_reaches_the_workers(tmp_path: Path) -> None:
    root = _tree(tmp_path, 10)
    policy = LintPolicy.with_overrides({"missing-owner": "off"})
    pooled = DocumentReader(policy=policy, workers=2, pool_from=2)
    alone = DocumentReader(policy=policy, workers=1)

    def codes(reader: DocumentReader) -> set[str]:
        return {f.code for pm in reader.read([str(root)]) for f in pm.findings}

    assert "missing-owner" in codes(DocumentReader(workers=2, pool_from=2))
    assert "missing-owner" not in codes(pooled)
    assert list(pooled.read([str(root)])) == list(alone.read([str(root)]))


def _exit_worker(job: int) -> int:
    os._exit(3)  # a worker killed mid-batch (out of memory, signal)


def _square(job: int) -> int:
    return job * job


def test_a_dead_worker_loses_nothing() -> None:
    pool: ParsePool[int, int] = ParsePool(_exit_worker, receive=int, workers=2, pool_from=1)
    try:
        assert pool.run(list(range(20)), _square) == [n * n for n in range(20)]
        assert not pool.used_workers
    finally:
        pool.close()


@pytest.mark.parametrize(
    ("content", "cores"),
    [("max 100000\n", None), ("200000 100000\n", 2), ("150000 100000", 2), ("50000 100000", 1)],
)
def test_a_container_cpu_quota_caps_the_cores(tmp_path: Path, content: str, cores: int) -> None:
    quota = tmp_path / "cpu.max"
    quota.write_text(content)
    assert _cgroup_quota(quota) == cores


def test_no_quota_file_means_no_cap(tmp_path: Path) -> None:
    assert _cgroup_quota(tmp_path / "missing") is None
    assert 1 <= available_cores() <= (os.cpu_count() or 1)
