"""Users' own components: registering them, plugins, and entry points.

A component is usable by name in scenario files once it is in
`rsi_sim.components.REGISTRY`. It gets there in one of three ways, each an explicit act of
the user (a scenario file never causes an import by itself):

- `register_component` from Python (also usable as a class decorator);
- a *plugin*: `rsi-sim run --plugin MODULE` or `plugins=["MODULE"]` in the Python entry
  points; importing MODULE (a dotted module name, or the path of a `.py` file) registers every
  `Component` subclass the module defines with a non-empty `name`;
- an installed package's entry point in the group `rsi_sim.components`, whose name is the
  component's name (`kwa = "kwa_timelines:KwaTimelines"`); it is imported the first time a
  scenario names it.

Worker processes of the `processes` and `dask` engines import the same plugins and the same
classes (`worker_refs`, `restore`), so results are identical on every engine.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import traceback
from collections.abc import Iterable, Sequence
from importlib import import_module, metadata
from pathlib import Path
from types import ModuleType

from .components import REGISTRY, SHIPPED
from .core import Component
from .core.errors import RsiSimError

#: The entry-point group installed packages register components under.
ENTRY_POINT_GROUP = "rsi_sim.components"
#: Names a component cannot take: they are sections of their own in a scenario.
RESERVED = ("milestones", "policies")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

HOW_TO_REGISTER = (
    "To use a component of your own, register it first: --plugin MODULE on the command line "
    "(the module or .py file that defines it; plugins=['MODULE'] in Python), "
    "rsi_sim.register_component(cls), or an installed package's 'rsi_sim.components' entry "
    "point (see docs/components.md)")

#: Plugins imported in this process, in order: reference as given -> module.
_LOADED: dict[str, ModuleType] = {}


class PluginError(RsiSimError):
    """A plugin cannot be imported, or a class cannot be registered as a component."""


def register_component(cls: type[Component], *, replace: bool = False) -> type[Component]:
    """Make a `Component` subclass usable by its `name` in scenarios.

    A subclass of a shipped component that keeps its name (`class MySoftware(Software)`)
    replaces the shipped one. Registering a different class under a name another user class
    already has is an error unless `replace=True`; registering the same class again (or a
    new version of it from a reloaded module) is allowed.

    Returns `cls`, so it can decorate a class.

    Examples
    --------
    >>> from rsi_sim.core import Component, Param
    >>> @register_component
    ... class Doubling(Component):
    ...     name = "doubling_example"
    ...     rate = Param(0.7, unit="1/year", bounds=(0, 10), doc="growth rate")
    >>> from rsi_sim.components import REGISTRY
    >>> REGISTRY["doubling_example"] is Doubling
    True
    """
    if not (isinstance(cls, type) and issubclass(cls, Component)):
        raise PluginError(f"register_component expects a subclass of rsi_sim.core.Component; "
                          f"got {cls!r}")
    name = cls.name
    where = f"{cls.__module__}.{cls.__qualname__}"
    if not isinstance(name, str) or not name:
        raise PluginError(f"{where} has no name: set the class attribute name = '...' (the key "
                          "scenario files use under components:)")
    if not _NAME.match(name):
        raise PluginError(f"{where}: the component name {name!r} must be letters, digits and _ "
                          "(not starting with a digit), as a scenario key is")
    if name in RESERVED:
        raise PluginError(f"{where}: {name!r} is a section of scenario files, not a component "
                          "name; choose another")
    have = REGISTRY.get(name)
    if (have is not None and have is not cls and have is not SHIPPED.get(name) and not replace
            and _ident(have) != _ident(cls)):
        raise PluginError(f"two classes are registered as the component {name!r}: "
                          f"{_ident_text(have)} and {where}; rename one (its name attribute) or "
                          "pass replace=True")
    for kind, lever in cls.levers.items():  # an action kind names one lever
        for other_name, other in REGISTRY.items():
            theirs = other.levers.get(kind) if other_name != name else None
            if theirs is not None and theirs is not lever:
                raise PluginError(f"{where} declares the policy action {kind!r}, which the "
                                  f"component {other_name!r} ({_ident_text(other)}) declares "
                                  "too; give one of the two levers another name")
    REGISTRY[name] = cls
    return cls


def _ident(cls: type) -> tuple[str, str]:
    return cls.__module__, cls.__qualname__


def _ident_text(cls: type) -> str:
    return ".".join(_ident(cls))


def components_of(module: ModuleType) -> list[type[Component]]:
    """The Component subclasses `module` defines (not those it imports) with a `name`."""
    return [obj for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Component) and obj is not Component
            and obj.__module__ == module.__name__ and obj.name]


def load_plugin(ref: str) -> list[type[Component]]:
    """Import a plugin (a dotted module name, or the path of a `.py` file) and register every
    component it defines; return them. Importing the same plugin again does nothing new."""
    if not isinstance(ref, str) or not ref.strip():
        raise PluginError(f"--plugin expects a module name or the path of a .py file; got {ref!r}")
    ref = ref.strip()
    if _is_path(ref):  # workers may run elsewhere in the tree: they get the absolute path
        ref = str(Path(ref).expanduser().resolve())
    module = _LOADED.get(ref) or _import_plugin(ref)
    found = components_of(module)
    if not found:
        raise PluginError(f"--plugin {ref}: the module defines no Component subclass with a "
                          "name (class X(rsi_sim.core.Component) with name = '...'), so it adds "
                          "no component")
    for cls in found:
        register_component(cls)
    _LOADED[ref] = module
    return found


def load_plugins(refs: Iterable[str] | None) -> list[type[Component]]:
    """`load_plugin` for each reference, in order."""
    if isinstance(refs, str):
        refs = [refs]
    return [cls for ref in (refs or ()) for cls in load_plugin(ref)]


def _is_path(ref: str) -> bool:
    return ref.endswith(".py") or "/" in ref or "\\" in ref


def _import_plugin(ref: str) -> ModuleType:
    if _is_path(ref):
        path = Path(ref).expanduser()
        if not path.is_file():
            raise PluginError(f"--plugin {ref}: no such file")
        return _import_file(path.resolve(), _module_name(path), f"--plugin {ref}")
    if not all(_NAME.match(part) for part in ref.split(".")):
        raise PluginError(f"--plugin {ref!r} is neither a module name (letters, digits, _ and "
                          "dots) nor the path of a .py file")
    try:
        return import_module(ref)
    except ModuleNotFoundError as exc:
        if exc.name and (ref == exc.name or ref.startswith(exc.name + ".")):
            raise PluginError(f"--plugin {ref}: no module named {exc.name!r} on the Python path; "
                              "give an installed module, one in the current directory, or the "
                              "path of a .py file") from None
        raise _import_failed(f"--plugin {ref}", exc) from None
    except Exception as exc:  # the plugin's own code failed: show where, as one paragraph
        raise _import_failed(f"--plugin {ref}", exc) from None


def _module_name(path: Path) -> str:
    """The module name a plugin file is imported under: its stem, which must be free."""
    name = path.stem
    if not _NAME.match(name):
        raise PluginError(f"--plugin {path}: the file name must be a Python module name "
                          "(letters, digits and _)")
    have = sys.modules.get(name)
    if have is not None and Path(getattr(have, "__file__", "") or "").resolve() != path.resolve():
        raise PluginError(f"--plugin {path}: a different module named {name!r} is already "
                          f"imported ({getattr(have, '__file__', None) or 'built in'}); rename "
                          "the file")
    return name


def _import_file(path: Path, name: str, what: str) -> ModuleType:
    have = sys.modules.get(name)
    if have is not None:
        return have
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"{what}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # so that classes pickle by reference to worker processes
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise _import_failed(what, exc) from None
    return module


def _import_failed(what: str, exc: BaseException) -> PluginError:
    frames = traceback.extract_tb(exc.__traceback__)
    at = f" (at {frames[-1].filename}, line {frames[-1].lineno})" if frames else ""
    return PluginError(f"{what}: importing it failed with {type(exc).__name__}: {exc}{at}")


# ---- lookup by name (scenario validation) ---------------------------------------------------
def _entry_points() -> dict[str, metadata.EntryPoint]:
    try:
        found = metadata.entry_points(group=ENTRY_POINT_GROUP)
    except Exception:  # a broken installed distribution must not break every command
        return {}
    return {ep.name: ep for ep in found}


def component_class(name: str) -> type[Component] | None:
    """The class registered as `name`, loading an installed entry point of that name if
    nothing is registered yet; `None` if there is none."""
    cls = REGISTRY.get(name)
    if cls is not None:
        return cls
    ep = _entry_points().get(name)
    if ep is None:
        return None
    what = f"the entry point {name} = {ep.value!r} (group {ENTRY_POINT_GROUP})"
    try:
        obj = ep.load()
    except Exception as exc:
        raise _import_failed(what, exc) from None
    if isinstance(obj, ModuleType):
        for found in components_of(obj):
            register_component(found)
        cls = REGISTRY.get(name)
        if cls is None:
            raise PluginError(f"{what}: the module defines no component named {name!r}")
        return cls
    if not (isinstance(obj, type) and issubclass(obj, Component)) or obj.name != name:
        raise PluginError(f"{what} must name a Component subclass whose name is {name!r}; got "
                          f"{obj!r}")
    return register_component(obj)


def known_components() -> list[str]:
    """Every name a scenario may use under `components:`: registered or installed."""
    return sorted({*REGISTRY, *_entry_points()})


# ---- the same classes in worker processes ----------------------------------------------------
ComponentRef = tuple[str, str, str, str]  # (name, module, qualname, file of the module or "")


def worker_refs(names: Iterable[str]) -> tuple[tuple[str, ...], tuple[ComponentRef, ...]]:
    """What a worker process needs to use the same component classes as this one: the plugins
    loaded here, and for each of `names` whose class is not the shipped one, where it lives."""
    refs = []
    for name in names:
        cls = REGISTRY.get(name)
        if cls is None or cls is SHIPPED.get(name):
            continue
        module = sys.modules.get(cls.__module__)
        refs.append((name, cls.__module__, cls.__qualname__,
                     str(getattr(module, "__file__", None) or "")))
    return tuple(_LOADED), tuple(refs)


def check_portable(components: Sequence[ComponentRef], engine: str) -> None:
    """Refuse, before any worker starts, classes another process cannot import: one defined in
    a notebook or an interactive session (`__main__` without a file), or inside a function."""
    for name, module, qualname, file in components:
        if module == "__main__" and not file:
            raise PluginError(
                f"the component {name!r} ({qualname}) is defined in a notebook or an interactive "
                f"session, which the worker processes of the {engine} engine cannot import: put "
                "the class in a .py file and load it with --plugin FILE (plugins=['FILE.py'] in "
                "Python), or use the sequential engine")
        if "<locals>" in qualname:
            raise PluginError(
                f"the component {name!r} is the class {qualname}, defined inside a function, "
                f"which the worker processes of the {engine} engine cannot import: define it at "
                "the top level of a module")


def restore(plugins: Sequence[str], components: Sequence[ComponentRef]) -> None:
    """In a worker: import `plugins` and register the classes of `components` exactly as
    `worker_refs` found them in the parent process."""
    for ref in plugins:
        if ref not in _LOADED:
            load_plugin(ref)
    for name, module_name, qualname, file in components:
        have = REGISTRY.get(name)
        if have is not None and _ident(have) == (module_name, qualname):
            continue
        register_component(_worker_class(name, module_name, qualname, file), replace=True)


def _attribute(module: ModuleType | None, qualname: str) -> object | None:
    obj: object = module
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _worker_class(name: str, module_name: str, qualname: str, file: str) -> type[Component]:
    """The class `module_name.qualname` in this process: from the module already imported
    (a spawned worker has re-imported the script that is `__main__`), by its name, or else
    from its file (a test module or script that is not on this process's path)."""
    what = f"worker: the component {name!r} ({module_name}.{qualname})"
    cls = _attribute(sys.modules.get(module_name), qualname)
    if cls is None and module_name != "__main__":
        try:
            cls = _attribute(import_module(module_name), qualname)
        except ModuleNotFoundError as exc:
            if not (file and exc.name and module_name.startswith(exc.name)):
                raise _import_failed(what, exc) from None
        except Exception as exc:
            raise _import_failed(what, exc) from None
    if cls is None and file:
        if not Path(file).is_file():
            raise PluginError(f"{what}: its module is not importable here and there is no file "
                              f"{file}: install the plugin where the workers run")
        alias = module_name if module_name != "__main__" else "__rsi_sim_main__"
        cls = _attribute(_import_file(Path(file), alias, f"{what}, from {file}"), qualname)
    if not (isinstance(cls, type) and issubclass(cls, Component)):
        raise PluginError(f"{what}: the worker cannot find this class (install the plugin where "
                          "the workers run, or give it with --plugin)")
    return cls


__all__ = ["ENTRY_POINT_GROUP", "HOW_TO_REGISTER", "PluginError", "check_portable", "component_class",
           "components_of", "known_components", "load_plugin", "load_plugins",
           "register_component", "restore", "worker_refs"]
