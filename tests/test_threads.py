"""behaviortypes.threads: one thread per pool inside the block, the earlier limits after."""

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from behaviortypes.threads import one_thread


def _threads(user_api=None):
    return {(p["filepath"], p["user_api"]): p["num_threads"] for p in threadpool_info()
            if user_api is None or p["user_api"] == user_api}


def test_one_thread_limits_every_pool_and_restores():
    np.ones((3, 3)) @ np.ones((3, 3))  # numpy's BLAS is loaded
    before = _threads()
    assert any(api == "blas" for _, api in before)
    with threadpool_limits(limits=2):  # an outer limit is what the block restores
        outer = _threads()
        for _ in range(3):  # the same controller serves repeated blocks
            with one_thread():
                assert set(_threads().values()) == {1}
            assert _threads() == outer
        with one_thread("blas"):
            assert set(_threads("blas").values()) == {1}
            assert {k: v for k, v in _threads().items() if k[1] != "blas"} == \
                {k: v for k, v in outer.items() if k[1] != "blas"}
        assert _threads() == outer
    assert _threads() == before


def test_one_thread_sees_a_pool_loaded_after_its_first_use():
    with one_thread():
        pass
    import sklearn.cluster  # noqa: F401  (loads scikit-learn's OpenMP runtime, if not yet)
    with one_thread():
        assert set(_threads().values()) == {1}
