"""The kernel's explicit Runge–Kutta steppers.

A model has a handful of stocks (three in the baseline) and its right-hand side is Python code,
so scipy's ``OdeSolver`` classes spend most of their time on numpy calls for tiny arrays and on
setting themselves up again after every discrete change. :class:`EmbeddedRK` takes the same
Butcher tableaus (Bogacki–Shampine 3(2) for ``RK23``, Dormand–Prince 5(4) for ``RK45``: the
coefficients are read from scipy's classes) and steps on Python floats:

- error control as in Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.4: the error estimate
  ``h Σ e_i k_i`` is measured in the RMS norm scaled by ``atol + rtol·max(|y_old|, |y_new|)``,
  and the next step is ``h·clip(0.9·err^(-1/(q+1)), 0.2, 10)`` with ``q`` the order of the
  embedded estimate (no growth right after a rejection);
- first-same-as-last: the last stage of an accepted step is the first of the next, so a step
  costs ``s - 1`` right-hand-side evaluations; :meth:`EmbeddedRK.restart` (after a discrete
  change of rates) costs one;
- the last step lands exactly on ``t_bound`` (the horizon);
- dense output with the pair's continuous extension (polynomial coefficients ``P``), evaluated
  only when asked (watch root-finding, the recorder).

``DOP853`` keeps scipy's implementation (its dense output needs three extra stages), wrapped in
:class:`ScipyStepper` with the same interface.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from operator import mul

import numpy as np
from scipy.integrate import DOP853, RK23, RK45

Rhs = Callable[[float, list], list]

SAFETY, MIN_FACTOR, MAX_FACTOR = 0.9, 0.2, 10.0


class EmbeddedRK:
    """One embedded explicit Runge–Kutta pair on a list of floats.

    ``step()`` advances by one accepted step, not past ``t_bound``, and returns ``False``
    when the step size fell below what floating point can resolve (the state is not finite or
    the equations are too stiff); ``t``/``y`` are then unchanged.
    """

    def __init__(self, tableau, fun: Rhs, t0: float, y0: list, t_bound: float, *, rtol: float,
                 atol: float, max_step: float):
        self.fun, self.t, self.y, self.t_bound = fun, t0, list(y0), t_bound
        self.rtol, self.atol, self.max_step = rtol, atol, max_step
        self.C = [float(c) for c in tableau.C]
        self.A = [[float(a) for a in row[:i]] for i, row in enumerate(tableau.A)]
        self.B = [float(b) for b in tableau.B]
        self.E = [float(e) for e in tableau.E]
        self.P = np.asarray(tableau.P, dtype=float)
        self._Pcols = [self.P[:, k].tolist() for k in range(self.P.shape[1])]
        self.exponent = -1.0 / (tableau.error_estimator_order + 1)
        self.nfev = 0
        self.f = self._eval(t0, self.y)
        self.h = self._initial_step(tableau.error_estimator_order)
        self.t_old = t0
        self.y_old = self.y
        self.K: list[list[float]] = []  # the last step's stages, K[stock][stage]
        self._Q: list[list[float]] | None = None

    def _eval(self, t: float, y: list) -> list:
        self.nfev += 1
        return self.fun(t, y)

    def restart(self, t: float, y: list) -> None:
        """Continue from ``(t, y)`` after the rates changed: keep the step size, re-evaluate."""
        self.t, self.y = t, list(y)
        self.f = self._eval(t, self.y)

    def _initial_step(self, order: int) -> float:
        """Hairer, Nørsett & Wanner's starting step (§II.4): from the sizes of y, f and f'."""
        y, f = self.y, self.f
        scale = [self.atol + abs(v) * self.rtol for v in y]
        d0 = _rms([v / s for v, s in zip(y, scale, strict=False)])
        d1 = _rms([v / s for v, s in zip(f, scale, strict=False)])
        h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
        h0 = min(h0, self.t_bound - self.t, self.max_step)
        y1 = [v + h0 * d for v, d in zip(y, f, strict=False)]
        f1 = self._eval(self.t + h0, y1)
        d2 = _rms([(a - b) / s for a, b, s in zip(f1, f, scale, strict=False)]) / h0
        if not math.isfinite(d2):
            return h0
        h1 = max(1e-6, h0 * 1e-3) if d1 <= 1e-15 and d2 <= 1e-15 else (0.01 / max(d1, d2)) ** (1 / (order + 1))
        return min(100 * h0, h1, self.max_step)

    def step(self) -> bool:
        t, y, f = self.t, self.y, self.f
        end = self.t_bound
        rtol, atol, A, C, B, E = self.rtol, self.atol, self.A, self.C, self.B, self.E
        n = len(y)
        h = min(self.h, self.max_step)  # the controller's step
        tiny = 10 * (math.nextafter(abs(t), math.inf) - abs(t))
        rejected = False
        while True:
            if h < tiny:
                return False
            # Land exactly on ``end`` when it is within reach (or just short of it).
            truncated = t + h >= end or end - (t + h) < tiny
            hs = end - t if truncated else h
            K = [[v] for v in f]  # K[j][i]: stage i of stock j
            for i in range(1, len(C)):
                row = A[i]
                k = self._eval(t + C[i] * hs, [yj + hs * sum(map(mul, row, kj)) for yj, kj in zip(y, K, strict=False)])
                for kj, v in zip(K, k, strict=False):
                    kj.append(v)
            y_new = [yj + hs * sum(map(mul, B, kj)) for yj, kj in zip(y, K, strict=False)]
            f_new = self._eval(t + hs, y_new)
            err = 0.0
            for j in range(n):
                K[j].append(f_new[j])
                e = hs * sum(map(mul, E, K[j]))
                r = e / (atol + rtol * max(abs(y[j]), abs(y_new[j])))
                err += r * r  # inf, not OverflowError, past float range: the step is rejected
            err = math.sqrt(err / n) if n else 0.0
            if err < 1.0:  # accepted (a NaN error is not)
                factor = MAX_FACTOR if err == 0.0 else min(MAX_FACTOR, SAFETY * err ** self.exponent)
                if rejected:
                    factor = min(1.0, factor)
                # A step cut short to land on ``end`` does not shrink the next one.
                self.h = max(h, hs * factor) if truncated else hs * factor
                self.t_old, self.y_old, self.K, self._Q = t, y, K, None
                self.t = end if truncated else t + hs
                self.y, self.f = y_new, f_new
                return True
            h = hs * (max(MIN_FACTOR, SAFETY * err ** self.exponent) if math.isfinite(err) else MIN_FACTOR)
            rejected = True

    def dense(self, t):
        """State at ``t`` in the last step, an ``(n,)`` array (or ``(n, m)`` for ``m`` times)."""
        h = self.t - self.t_old
        if type(t) is float:
            x = (t - self.t_old) / h if h else 0.0
            if self._Q is None:  # Q[j][k] = sum_i K_ji P_ik, once per step
                self._Q = [[sum(map(mul, kj, col)) for col in self._Pcols][::-1] for kj in self.K]
            out = []
            for y0, coef in zip(self.y_old, self._Q, strict=True):
                acc = 0.0  # y0 + h * sum_k Q_jk x**(k+1), by Horner in x
                for c in coef:
                    acc = (acc + c) * x
                out.append(y0 + h * acc)
            return np.array(out)
        if np.ndim(t) == 1 and len(t) <= 4:  # a few points: the float path is cheaper
            return np.array([self.dense(float(ti)) for ti in t]).T.reshape(len(self.y_old), len(t))
        Q = np.asarray(self.K, dtype=float) @ self.P  # n x order
        x = (np.asarray(t, dtype=float) - self.t_old) / h if h else np.zeros_like(np.asarray(t, dtype=float))
        powers = np.cumprod(np.multiply.outer(np.ones(Q.shape[1]), x), axis=0)
        out = np.asarray(self.y_old, dtype=float).reshape(-1, *([1] * np.ndim(x))) + h * np.tensordot(Q, powers, axes=1)
        return out


def _rms(v: list) -> float:
    return math.sqrt(sum(x * x for x in v) / len(v)) if v else 0.0


class ScipyStepper:
    """scipy's ``DOP853`` behind :class:`EmbeddedRK`'s interface (lists in, lists out)."""

    def __init__(self, cls, fun: Rhs, t0: float, y0: list, t_bound: float, *, rtol: float,
                 atol: float, max_step: float):
        self._fun = fun
        self._args = dict(rtol=rtol, atol=atol, max_step=max_step)
        self._cls, self.t_bound = cls, t_bound
        self.nfev = 0
        self.h = None  # after a restart, the last step size (scipy would estimate one again)
        self._start(t0, y0)

    def _start(self, t0, y0):
        def wrapped(t, y):
            return np.array(self._fun(t, y.tolist()), dtype=float)

        self._solver = self._cls(wrapped, t0, np.asarray(y0, dtype=float), self.t_bound,
                                 first_step=min(self.h, self.t_bound - t0) if self.h else None,
                                 vectorized=False, **self._args)
        self.t, self.y = t0, list(y0)
        self.t_old, self.y_old = t0, self.y
        self._dense = None

    def restart(self, t: float, y: list) -> None:
        self._start(t, y)

    def step(self) -> bool:
        s = self._solver
        t0, y0 = self.t, self.y
        s.step()
        self.nfev = s.nfev
        if s.status == "failed" or not np.all(np.isfinite(s.y)):
            return False
        self.t_old, self.y_old = t0, y0
        self.t, self.y = s.t, s.y.tolist()
        self.h = s.step_size or self.h
        self._dense = None
        return True

    def dense(self, t):
        if self._dense is None:
            self._dense = self._solver.dense_output()
        return self._dense(t)


TABLEAUS = {"RK23": RK23, "RK45": RK45}
SCIPY_ONLY = {"DOP853": DOP853}
METHODS = (*TABLEAUS, *SCIPY_ONLY)


def make_stepper(method: str, fun: Rhs, t0: float, y0: list, t_bound: float, **kw):
    """The stepper for ``method`` (``RK23``, ``RK45`` or ``DOP853``)."""
    if method in TABLEAUS:
        return EmbeddedRK(TABLEAUS[method], fun, t0, y0, t_bound, **kw)
    return ScipyStepper(SCIPY_ONLY[method], fun, t0, y0, t_bound, **kw)
