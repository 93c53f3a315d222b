"""Tables to bytes: the one function both the app's download buttons and the CLI use."""

from __future__ import annotations

import pandas as pd

# Tables whose values depend on the machine's speed (wall-clock seconds). Everything else is a
# pure function of the config and is byte-identical across runs on CPU.
TIMING_TABLES = ("timing",)


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV with a fixed dialect: no index, '\\n' line ends, full float precision."""
    return df.to_csv(index=False, lineterminator="\n").encode("utf-8")
