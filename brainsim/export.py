"""Tables to bytes: the functions both the app's download buttons and the CLI use.

One rule for floats everywhere: a whole number is written exactly ("300.0"), any other value rounded to
6 significant digits ("0.5", "1.23457e-05"). Six is float32's guaranteed decimal precision (C's FLT_DIG):
most tables hold float32 results, whose float64 copies carry noise such as 0.4999999403953552 below it.
"""

from __future__ import annotations

import hashlib
import io
import math
import zipfile

import pandas as pd

from brainsim import config as cfgmod

# Tables whose values depend on the machine's speed (wall-clock seconds). Everything else is a
# pure function of the config and is byte-identical across runs on CPU.
TIMING_TABLES = ("timing",)
SIGNIFICANT_DIGITS = 6
_EXACT = 2.0**53  # whole numbers below this are exact in a float64
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry: the same bytes on every run


def float_text(x: float) -> str:
    """One float as a CSV cell: whole numbers exactly, others to SIGNIFICANT_DIGITS; -0.0 as 0.0."""
    if not math.isfinite(x):
        return repr(float(x))
    if float(x).is_integer() and abs(x) < _EXACT:
        return repr(float(x) + 0.0)
    return repr(float(f"{x:.{SIGNIFICANT_DIGITS}g}") + 0.0)


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV with a fixed dialect: no index, '\\n' line ends, floats as float_text writes them."""
    return df.to_csv(index=False, lineterminator="\n", float_format=float_text).encode("utf-8")


def config_hash(experiment: str, cfg) -> str:
    """Six hex digits of the SHA-256 of the config's JSON (config.json's bytes): one per setting."""
    return hashlib.sha256(cfgmod.to_json(cfg, experiment=experiment).encode("utf-8")).hexdigest()[:6]


def file_name(experiment: str, table: str, cfg, ext: str = "csv") -> str:
    """A download's name: experiment, table and config hash, e.g. arena_curves_3f2a9c.csv."""
    return f"{experiment}_{table}_{config_hash(experiment, cfg)}.{ext}"


def zip_bytes(experiment: str, cfg, tables: dict[str, pd.DataFrame]) -> bytes:
    """Every table as <table>.csv plus config.json (what the CLI's --out holds) in one folder named like
    the downloads; fixed timestamps and permissions, so the same results give the same bytes."""
    folder = f"{experiment}_{config_hash(experiment, cfg)}"
    files = {f"{table}.csv": csv_bytes(df) for table, df in tables.items()}
    files["config.json"] = cfgmod.to_json(cfg, experiment=experiment).encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=_ZIP_TIME)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            zf.writestr(info, data, compresslevel=6)
    return buf.getvalue()
