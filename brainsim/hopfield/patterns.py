"""Patterns to store in an associative memory: random ±1 vectors, binarised digits, or the user's own rows.

Every source returns ±1 float32 tensors (P, N) and is seeded: the same (seed, stream) gives the
same patterns. User text is parsed here and every problem becomes one ConfigError sentence.
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np
import torch
from sklearn import datasets as skdata

from brainsim.config import ConfigError
from brainsim.runtime import rng

MAX_UPLOAD_N = 1024

# Four 8x8 letters (T, L, X, O), one pattern per ';'-separated row: the default for the upload field.
EXAMPLE_CSV = ";".join(
    [
        "1111111111111111000110000001100000011000000110000001100000011000",
        "1100000011000000110000001100000011000000110000001111111111111111",
        "1100001101100110001111000001100000011000001111000110011011000011",
        "0011110001111110110000111100001111000011110000110111111000111100",
    ]
)


def random_patterns(seed: int, stream: int, p: int, n: int) -> torch.Tensor:
    """P independent patterns with unbiased ±1 entries. -> (P, N) float32."""
    bits = rng(seed, stream, 11).integers(0, 2, size=(p, n))
    return torch.as_tensor(2 * bits - 1, dtype=torch.float32)


@functools.lru_cache(maxsize=1)
def _digit_images() -> tuple[np.ndarray, np.ndarray]:
    d = skdata.load_digits()
    return np.where(d.images > 7, 1, -1).astype(np.int8), d.target.astype(np.int64)  # (1797, 8, 8) ±1


def digit_patterns(seed: int, stream: int, p: int, scale: int) -> tuple[torch.Tensor, list[int]]:
    """P ≤ 10 binarised 8x8 digits (pixel > 7/16 -> +1), one random exemplar of each of P random classes,
    upsampled by `scale` (N = 64·scale²). Returns ((P, N) float32, the digit classes)."""
    images, labels = _digit_images()
    r = rng(seed, stream, 12)
    classes = r.permutation(10)[:p].tolist()
    picks = [int(r.choice(np.flatnonzero(labels == c))) for c in classes]
    big = np.stack([np.kron(images[i], np.ones((scale, scale), dtype=np.int8)) for i in picks])  # (P, 8s, 8s)
    return torch.as_tensor(big.reshape(p, -1), dtype=torch.float32), classes


def parse_csv(text: str, field: str = "patterns_csv") -> np.ndarray:
    """Rows of 0/1 or −1/+1 values -> (P, N) int8 ±1.

    Rows are separated by newlines or ';'; values by commas or spaces, or written as one run of
    0/1 digits ("0110..."). Every row must have the same length N (4 to 1024) and there must be
    fewer rows than N (the pseudo-inverse rule needs P < N).
    """
    rows = [r.strip() for r in re.split(r"[\n;]+", text or "") if r.strip()]
    if not rows:
        raise ConfigError(
            f"Field '{field}' is empty; paste one pattern per line (or per ';') as 0/1 or -1/+1 "
            "values, or choose random or digits patterns."
        )
    out, seen = [], set()
    for r, row in enumerate(rows, start=1):
        tokens = [t for t in re.split(r"[,\s]+", row) if t]
        if len(tokens) == 1 and re.fullmatch(r"[01]{2,}", tokens[0]):
            tokens = list(tokens[0])
        values = []
        for t in tokens:
            if t not in ("0", "1", "-1", "+1"):
                shown = t if len(t) <= 12 else t[:12] + "..."
                raise ConfigError(f"Field '{field}' row {r} holds {shown!r}; allowed values are 0/1 or -1/+1.")
            values.append(int(t))
        if out and len(values) != len(out[0]):
            raise ConfigError(
                f"Field '{field}' row {r} has {len(values)} values but row 1 has {len(out[0])}; "
                "every pattern must have the same length."
            )
        seen.update(values)
        out.append(values)
    if 0 in seen and -1 in seen:
        raise ConfigError(f"Field '{field}' mixes 0 and -1; use either 0/1 or -1/+1 for every value.")
    n = len(out[0])
    if not 4 <= n <= MAX_UPLOAD_N:
        raise ConfigError(f"Field '{field}' rows have {n} values; between 4 and {MAX_UPLOAD_N} are allowed.")
    if len(out) >= n:
        raise ConfigError(
            f"Field '{field}' has {len(out)} rows of {n} values; store fewer patterns than values per row."
        )
    a = np.array(out, dtype=np.int8)
    return np.where(a == 1, 1, -1).astype(np.int8)


def image_shape(n: int, source: str, scale: int = 1) -> tuple[int, int]:
    """(height, width) to draw an N-pixel pattern: digits are 8s×8s; otherwise the most square factorisation."""
    if source == "digits":
        return 8 * scale, 8 * scale
    h = max(d for d in range(1, math.isqrt(n) + 1) if n % d == 0)
    return h, n // h
