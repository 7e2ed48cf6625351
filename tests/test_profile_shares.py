"""The profile summary counts a function once per sample, however often it recurs, and drops line numbers."""

from __future__ import annotations

import pytest

from web.bench.profile_shares import shares

pytestmark = pytest.mark.pure

SAMPLE = [
    "process 1:\"worker\";work (rq/worker/base.py:10);route (dispatch/jobs.py:5);cosine (classifier/similarity.py:7) 3\n",
    "process 1:\"worker\";work (rq/worker/base.py:12);route (dispatch/jobs.py:5);route (dispatch/jobs.py:9) 1\n",
    "process 1:\"worker\";work (rq/worker/base.py:10);heartbeat (rq/worker/base.py:40) 6\n",
    "not a sample line\n",
]


def test_each_function_counts_once_per_sample_and_line_numbers_are_merged():
    total, inclusive = shares(SAMPLE)
    assert total == 10
    assert inclusive["work (rq/worker/base.py)"] == 10
    assert inclusive["route (dispatch/jobs.py)"] == 4  # 3 + 1, the recursive sample once
    assert inclusive["cosine (classifier/similarity.py)"] == 3
    assert inclusive["heartbeat (rq/worker/base.py)"] == 6
