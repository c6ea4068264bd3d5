"""A binary min-heap on two parallel arrays, for the Numba kernels (charging replays, relays).

``keys[:size]`` hold the priorities and ``items[:size]`` what each stands for (a car, a
location); the caller allocates both with room for every push. Ties keep no particular order,
but the same pushes and pops always give the same result.
"""

from __future__ import annotations

from numba import njit

__all__ = ["heap_pop", "heap_push"]


@njit(cache=True)
def heap_push(keys, items, size, key, item):
    """Push ``(key, item)`` on the heap ``keys[:size]``; returns the new size."""
    i = size
    keys[i] = key
    items[i] = item
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= keys[i]:
            break
        keys[parent], keys[i] = keys[i], keys[parent]
        items[parent], items[i] = items[i], items[parent]
        i = parent
    return size + 1


@njit(cache=True)
def heap_pop(keys, items, size):
    """Remove the smallest key; returns (key, item, new size)."""
    key, item = keys[0], items[0]
    size -= 1
    keys[0] = keys[size]
    items[0] = items[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and keys[left + 1] < keys[left]:
            child = left + 1
        if keys[i] <= keys[child]:
            break
        keys[child], keys[i] = keys[i], keys[child]
        items[child], items[i] = items[i], items[child]
        i = child
    return key, item, size
