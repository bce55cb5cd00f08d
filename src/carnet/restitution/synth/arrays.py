"""Array aliases and small vectorised helpers shared by the synthesis modules."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
AnyArray = npt.NDArray[Any]


def group_starts(keys: AnyArray) -> BoolArray:
    """True where a sorted key array starts a new group."""
    starts = np.ones(len(keys), dtype=np.bool_)
    if len(keys) > 1:
        starts[1:] = keys[1:] != keys[:-1]
    return starts


def rank_in_group(keys: AnyArray) -> IntArray:
    """0, 1, 2… within each run of equal values of a sorted key array."""
    n = len(keys)
    index = np.arange(n, dtype=np.int64)
    first = np.maximum.accumulate(np.where(group_starts(keys), index, 0))
    return index - first


def cumsum_before(values: IntArray, keys: AnyArray) -> IntArray:
    """Sum of ``values`` over earlier rows of the same group (keys sorted)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    total = np.cumsum(values, dtype=np.int64)
    starts = group_starts(keys)
    offset = np.maximum.accumulate(np.where(starts, total - values, np.iinfo(np.int64).min))
    return total - values - offset


def capped(nominal: IntArray, cap: IntArray, keys: AnyArray) -> IntArray:
    """What is left of each row's ``nominal`` under a running ``cap`` per group.

    Rows are in order within groups (``keys`` sorted). Row by row, a running cap
    grants ``min(nominal, cap - granted so far)``; since grants equal nominal
    amounts until the cap binds, this equals ``cap`` minus the nominal sum of
    earlier rows, clipped to ``[0, nominal]``.
    """
    room = cap - cumsum_before(nominal, keys)
    result: IntArray = np.clip(room, 0, nominal)
    return result


def weighted_pick(rng: np.random.Generator, weight: FloatArray, count: int) -> IntArray:
    """Indices of ``count`` distinct items drawn with probability ∝ ``weight`` (Gumbel top-k)."""
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    keys = np.log(np.maximum(weight, 1e-300)) + rng.gumbel(size=len(weight))
    if count >= len(weight):
        return np.argsort(-keys, kind="stable").astype(np.int64)
    chosen = np.argpartition(-keys, count - 1)[:count]
    return np.sort(chosen).astype(np.int64)


def as_int(values: Any) -> IntArray:
    result: IntArray = np.asarray(values, dtype=np.int64)
    return result


def unique_rows(matrix: IntArray) -> tuple[IntArray, IntArray]:
    """Distinct rows of an integer matrix: (index of a row of each, group of every row)."""
    if len(matrix) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.lexsort(matrix.T[::-1])
    ordered = matrix[order]
    starts = np.ones(len(matrix), dtype=np.bool_)
    starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    group = np.empty(len(matrix), dtype=np.int64)
    group[order] = np.cumsum(starts) - 1
    return order[starts], group


def sorted_by(*keys: AnyArray) -> IntArray:
    """Row order sorting by ``keys`` (first key most significant), stable on row index."""
    order: IntArray = np.lexsort((np.arange(len(keys[0])), *reversed(keys)))
    return order


def capped_by(nominal: IntArray, cap: IntArray, *keys: AnyArray) -> IntArray:
    """:func:`capped` over groups of equal ``keys``, rows taken in their given order."""
    order = sorted_by(*keys)
    starts = np.zeros(len(nominal), dtype=np.bool_)
    for key in keys:
        column = np.asarray(key)[order]
        starts |= group_starts(column)
    packed = np.cumsum(starts)
    result = np.empty(len(nominal), dtype=np.int64)
    result[order] = capped(nominal[order], cap[order], packed)
    return result


def shifted(values: IntArray, keys: AnyArray) -> IntArray:
    """The previous row's value within each group of sorted ``keys`` (0 on a group's first row)."""
    result = np.zeros(len(values), dtype=np.int64)
    if len(values) > 1:
        result[1:] = values[:-1]
    result[group_starts(keys)] = 0
    return result


def running_min_with_zero(values: IntArray, keys: AnyArray) -> IntArray:
    """Per row: min(0, values of earlier and current rows of its group); keys sorted."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    group = np.cumsum(group_starts(keys)) - 1
    big = 2 * int(np.abs(values).max()) + 1
    offset = -group * big
    running = np.minimum.accumulate(values + offset)
    result: IntArray = np.minimum(running, offset) - offset
    return result
