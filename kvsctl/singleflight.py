"""Single-flight memo: each key is computed once, however many threads ask for it at the same time.

The audit reads keys, managed policies and groups shared by many streams and principals from a
thread pool; without this two threads could both miss a plain cache and pay for the same calls.
Failures are remembered too, so a denied read is not retried once per caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Slot(Generic[T]):
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None


class Once(Generic[T]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[Hashable, _Slot[T]] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            slot = self._slots.get(key)
            owner = slot is None
            if slot is None:
                slot = self._slots[key] = _Slot()
        if owner:
            try:
                slot.value = compute()
            except BaseException as exc:
                slot.error = exc
            finally:
                slot.done.set()
        else:
            slot.done.wait()
        if slot.error is not None:
            raise slot.error
        return slot.value  # type: ignore[return-value]
