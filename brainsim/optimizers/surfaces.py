"""The 2-D loss surfaces f(x, y): each a torch function (so autograd gives its gradient), a start, a
box to draw and its lowest value f* where it is known."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from brainsim.optimizers import expression

SURFACES = ("quadratic", "rosenbrock", "beale", "saddle", "himmelblau", "custom")


@dataclass(frozen=True)
class Surface:
    name: str
    f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # elementwise f(x, y)
    start: tuple[float, float]
    box: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max of the contour map
    f_star: float | None  # the lowest value, where known
    minima: tuple[tuple[float, float], ...] = ()

    def loss(self, theta: torch.Tensor) -> torch.Tensor:
        """f at each row of theta (..., 2) -> (...)."""
        return self.f(theta[..., 0], theta[..., 1])


def quadratic(kappa: float, rotation_deg: float) -> Surface:
    """f = ½(μ u² + L v²), (u, v) the point rotated by −rotation; L = 1, μ = 1/κ: condition number κ."""
    c, s = math.cos(math.radians(rotation_deg)), math.sin(math.radians(rotation_deg))
    mu = 1.0 / kappa

    def f(x, y):
        u, v = c * x + s * y, -s * x + c * y
        return 0.5 * (mu * u * u + v * v)

    return Surface("quadratic", f, (-2.5, 2.0), (-3.0, 3.0, -3.0, 3.0), 0.0, ((0.0, 0.0),))


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y**3) ** 2


def _saddle(x, y):
    """A saddle at the origin between two minima f = −1 at (0, ±√2)."""
    return x * x - y * y + 0.25 * y**4


def _himmelblau(x, y):
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


HIMMELBLAU_MINIMA = ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848127))


def make(cfg) -> Surface:
    """The surface the config names (a custom expression is parsed here: ConfigError on bad input)."""
    name = cfg.surface
    if name == "quadratic":
        return quadratic(cfg.kappa, cfg.rotation)
    if name == "rosenbrock":
        return Surface(name, _rosenbrock, (-1.5, 2.0), (-2.0, 2.0, -1.0, 3.0), 0.0, ((1.0, 1.0),))
    if name == "beale":
        return Surface(name, _beale, (-1.0, 1.5), (-4.5, 4.5, -4.5, 4.5), 0.0, ((3.0, 0.5),))
    if name == "saddle":
        return Surface(name, _saddle, (2.0, 0.01), (-2.5, 2.5, -2.5, 2.5), -1.0, ((0.0, 2**0.5), (0.0, -(2**0.5))))
    if name == "himmelblau":
        return Surface(name, _himmelblau, (0.0, -0.5), (-5.0, 5.0, -5.0, 5.0), 0.0, HIMMELBLAU_MINIMA)
    return Surface("custom", expression.parse(cfg.expression), (cfg.start_x, cfg.start_y), (-3.0, 3.0, -3.0, 3.0), None)


def grid(surface: Surface, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """x (n,), y (n,) and f on the n×n grid over the surface's box (rows: y, columns: x)."""
    x0, x1, y0, y1 = surface.box
    xs = torch.linspace(x0, x1, n, dtype=torch.float64)
    ys = torch.linspace(y0, y1, n, dtype=torch.float64)
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    with torch.no_grad():
        z = surface.f(xx, yy)
    return xs, ys, z
