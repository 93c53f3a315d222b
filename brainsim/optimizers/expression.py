"""A user-typed surface f(x, y), parsed safely: Python's parser builds a syntax tree (parsing runs
nothing), and only a whitelist of its nodes is turned into torch operations, so autograd flows through
the result. Never eval/exec.

Grammar: numbers, x, y, pi, e, + - * / and ^ or ** (power), parentheses, and the functions
sin cos exp log sqrt abs tanh of one argument.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable

import torch

from brainsim.config import ConfigError
from brainsim.textio import quote

MAX_CHARS = 200
MAX_NODES = 200
FUNCTIONS = {
    "sin": torch.sin,
    "cos": torch.cos,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "tanh": torch.tanh,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
_BINARY = {
    ast.Add: torch.add,
    ast.Sub: torch.sub,
    ast.Mult: torch.mul,
    ast.Div: torch.div,
    ast.Pow: torch.pow,
}
_ALLOWED = "use numbers, x, y, pi, e, + - * / ^, parentheses and sin, cos, exp, log, sqrt, abs, tanh"

Surface = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _fail(why: str) -> ConfigError:
    return ConfigError(f"Field 'expression' {why}; {_ALLOWED}.")


def parse(text: str) -> Surface:
    """f(x, y) of `text` as a function of two tensors (same shape) returning a tensor of that shape;
    raises ConfigError (one sentence) for anything outside the grammar."""
    if not isinstance(text, str) or not text.strip():
        raise _fail("is empty")
    if len(text) > MAX_CHARS:
        raise _fail(f"holds {len(text)} characters (at most {MAX_CHARS})")
    try:
        tree = ast.parse(text.strip().replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise _fail(f"cannot be read: {quote(text, 40)}") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise _fail(f"is too long ({len(nodes)} parts, at most {MAX_NODES})")
    for node in nodes:
        _check(node)
    body = tree.body
    if not any(isinstance(n, ast.Name) and n.id in ("x", "y") for n in nodes):
        raise _fail("must use x or y")

    def f(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = _build(body, x, y)
        return out if out.shape == x.shape else out.expand_as(x)

    f(torch.zeros(2, dtype=torch.float64), torch.zeros(2, dtype=torch.float64))  # a bare function name fails here
    return f


def _check(node: ast.AST) -> None:
    """Refuse any node outside the grammar."""
    if isinstance(node, (ast.Expression, ast.Load, ast.operator, ast.unaryop)):
        if isinstance(node, ast.operator) and type(node) not in _BINARY:
            raise _fail(f"uses the operator {type(node).__name__}")
        if isinstance(node, ast.unaryop) and not isinstance(node, (ast.USub, ast.UAdd)):
            raise _fail(f"uses the operator {type(node).__name__}")
        return
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _fail(f"holds {quote(repr(node.value), 20)}, which is not a number")
        return
    if isinstance(node, ast.Name):
        if node.id not in ("x", "y") and node.id not in CONSTANTS and node.id not in FUNCTIONS:
            raise _fail(f"uses the unknown name {quote(node.id, 20)}")
        return
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS or len(node.args) != 1 or node.keywords:
            raise _fail("calls something other than one of the listed functions of one argument")
        return
    raise _fail(f"holds a {type(node).__name__} expression")


def _build(node: ast.AST, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The torch value of a checked node."""
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_build(node.left, x, y), _build(node.right, x, y))
    if isinstance(node, ast.UnaryOp):
        inner = _build(node.operand, x, y)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Constant):
        return torch.full_like(x, float(node.value))
    if isinstance(node, ast.Name):
        if node.id == "x":
            return x
        if node.id == "y":
            return y
        if node.id in CONSTANTS:
            return torch.full_like(x, CONSTANTS[node.id])
        raise _fail(f"uses the function {node.id} without calling it")
    if isinstance(node, ast.Call):
        return FUNCTIONS[node.func.id](_build(node.args[0], x, y))
    raise _fail(f"holds a {type(node).__name__} expression")  # unreachable after _check
