"""Names of a package imported on first use (PEP 562), so that importing the package stays cheap
(see ``rsi_sim/__init__.py``)."""

from collections.abc import Callable
from importlib import import_module


def lazy_getattr(package: str, namespace: dict, exports: dict[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package`` that imports ``exports[name]`` (a module relative
    to ``package``) on first use and keeps the name in ``namespace`` (the package's globals)."""

    def __getattr__(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = namespace[name] = getattr(import_module(module, package), name)
        return value

    return __getattr__
