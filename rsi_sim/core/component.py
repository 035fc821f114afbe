"""Components: named parts of a model with declared parameters, state and processes.

A component's `name` is its key everywhere (desmod's idea): the YAML key under
`components:`, the Python lookup `model["software"]`, and the prefix of its parameters in
overrides (`components.software.r=1.5`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from .errors import ParameterError
from .levers import Lever
from .params import Param

if TYPE_CHECKING:
    import xarray as xr

    from .model import Model
    from .state import State


class Component:
    """Base class of every model part.

    Subclasses declare parameters as `Param` class attributes, the policy levers they own as
    `Lever` class attributes (named after the action kind), and override the life-cycle
    hooks they need, in this order:

    `build(model)`
        declare stocks (`Model.add_stock`) and variables (`Model.add_variable`);
        find the components it `needs` with `model[name]`.
    `start()`
        start SimPy processes (`self.env.process(...)`) and watches.
    `rates(state)`
        the continuous dynamics: `{stock: rate}` for the stocks it owns. For stocks declared
        `log=True` the rate is the *growth rate* d ln X/dt; otherwise dX/dt.
    `outputs()`
        scalar metrics and tables for the results, as `{name: (dims, values, attrs)}`; an entry
        named like its own dimension is that dimension's coordinate. Gathered from every component
        into one Dataset constructor (each later assignment to a Dataset is a costly merge).
    `finish(ds)`
        any other change to the results Dataset.
    """

    name: ClassVar[str] = ""
    needs: ClassVar[tuple[str, ...]] = ()
    #: Scalar results of ``outputs()`` an ensemble stores per sample: ``{name: attrs}``.
    sample_results: ClassVar[dict[str, dict[str, str]]] = {}
    params: ClassVar[dict[str, Param]] = {}
    #: The policy levers the component owns, by action kind.
    levers: ClassVar[dict[str, Lever]] = {}
    #: Whether the class defines ``rates``: the integrator asks only such components.
    has_rates: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.has_rates = cls.rates is not Component.rates
        declared: dict[str, Param] = {}
        levers: dict[str, Lever] = {}
        for klass in reversed(cls.__mro__):
            for key, value in vars(klass).items():
                if isinstance(value, Param):
                    declared[key] = value
                elif isinstance(value, Lever):
                    levers[key] = value
        cls.params = declared
        cls.levers = levers

    def __init__(self, **values: Any) -> None:
        # Parameter values live in the instance dict: reading one is a plain attribute lookup.
        self.__dict__.update({k: p.default for k, p in self.params.items()})
        for key, value in values.items():
            if key not in self.params:
                known = ", ".join(self.params) or "none"
                raise ParameterError(
                    f"{self.name} has no parameter '{key}'. Its parameters are: {known}."
                )
            setattr(self, key, value)
        for lever in self.levers.values():  # no policy acts yet: each lever at its neutral value
            if lever.setter is None and lever.attribute not in self.params and isinstance(
                    getattr(type(self), lever.attribute, None), Lever | None):  # not a property
                lever.apply(self, lever.neutral)
        self.model: Model | None = None

    def __setattr__(self, name: str, value: Any) -> None:
        param = self.params.get(name)
        if param is not None:  # a parameter is checked whenever it is set (policies set some)
            value = param.check(value, owner=self.name)
        object.__setattr__(self, name, value)

    @property
    def env(self):
        return self.model.env

    @property
    def values(self) -> dict[str, Any]:
        """The parameter values, by name."""
        return {k: self.__dict__[k] for k in self.params}

    def build(self, model: Model) -> None:
        self.model = model

    def start(self) -> None:
        pass

    def rates(self, state: State) -> dict[str, Any]:
        return {}

    def outputs(self) -> dict[str, tuple]:
        return {}

    def finish(self, ds: xr.Dataset) -> xr.Dataset:
        return ds

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({args})"
