"""Defer two heavy rich modules that help rendering imports but rarely uses, for start-up time.

typer's help renderer (typer.rich_utils) imports rich.traceback, which pulls in rich.pretty and attrs,
only to draw pretty exceptions (kvsctl turns those off); and rich.markdown imports rich.syntax, which
pulls in pygments, only to highlight fenced code blocks. Together they are a sixth of `kvsctl --help`.

`install()` puts a stand-in module for each in sys.modules. A stand-in exposes the names those importers
take (`Traceback`, `Syntax`) as proxies; the first real use of a proxy, or of any other attribute of the
stand-in, imports the real module, which then replaces the stand-in everywhere. Nothing changes in
behaviour or output (tests/docs/test_startup.py renders every help page both ways and compares).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

DEFERRED = {"rich.traceback": ("Traceback",), "rich.syntax": ("Syntax",)}


class _StandIn(types.ModuleType):
    def __init__(self, name: str, names: tuple[str, ...]) -> None:
        super().__init__(name)
        self.__dict__["_kvsctl_real"] = None
        for attr in names:
            self.__dict__[attr] = _Proxy(self, attr)

    def _kvsctl_load(self) -> types.ModuleType:
        real = self.__dict__["_kvsctl_real"]
        if real is None:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)
            self.__dict__["_kvsctl_real"] = real
        return real  # type: ignore[no-any-return]

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):  # the import system probing (__path__, ...)
            raise AttributeError(attr)
        return getattr(self._kvsctl_load(), attr)


class _Proxy:
    """Stands for a class of a deferred module: calling it or reading an attribute loads the module."""

    def __init__(self, module: _StandIn, name: str) -> None:
        self._module = module
        self._name = name

    def _target(self) -> Any:
        return getattr(self._module._kvsctl_load(), self._name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._target()(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return getattr(self._target(), attr)

    def __or__(self, other: Any) -> Any:  # `Syntax | None` in an evaluated annotation
        return self._target() | other

    def __ror__(self, other: Any) -> Any:
        return other | self._target()


def install() -> None:
    """Put the stand-ins in place (only for modules not imported yet); idempotent."""
    try:
        import rich  # noqa: F401 - the package itself is small; the stand-ins hang off it
    except ImportError:
        return
    for name, names in DEFERRED.items():
        if name in sys.modules:
            continue
        stand_in = _StandIn(name, names)
        sys.modules[name] = stand_in
        parent, _, child = name.rpartition(".")
        if parent in sys.modules:
            setattr(sys.modules[parent], child, stand_in)
