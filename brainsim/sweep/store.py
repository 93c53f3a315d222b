"""Finished points on disk, one folder each, so a sweep resumes where it stopped and loses nothing:

    DIR/points/<key>/<table>.csv   the point's tables, the bytes `python -m brainsim run` writes
    DIR/points/<key>/config.json   its config
    DIR/points/<key>/result.json   status ("ok" or "error"), the error sentence, seconds it took
    DIR/points/<key>/done          written last

A point is written into DIR/points/.tmp-<key>-<pid>/ and renamed into place in one step, so a folder named
by a key is always whole: a kill at any moment leaves either nothing or the finished point. Rerunning the
sweep skips every key whose folder holds `done`; keys are hashes of the config JSON, so points from other
sweeps in the same DIR are reused when their config matches and otherwise ignored.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field


@dataclass
class Result:
    """What one point produced: each table's CSV bytes, or the error sentence when it raised."""

    tables: dict[str, bytes] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


class Store:
    """The points folder of a sweep's --out DIR."""

    def __init__(self, out_dir: str):
        self.root = os.path.join(out_dir, "points")
        os.makedirs(self.root, exist_ok=True)

    def clean(self) -> None:
        """Remove half-written points left by a run that was killed while writing."""
        for name in os.listdir(self.root):
            if name.startswith(".tmp-"):
                shutil.rmtree(os.path.join(self.root, name), ignore_errors=True)

    def path(self, key: str) -> str:
        return os.path.join(self.root, key)

    def done(self, key: str) -> bool:
        return os.path.exists(os.path.join(self.path(key), "done"))

    def save(self, key: str, config_json: str, result: Result) -> None:
        """Write the point whole into a temporary folder, then rename it into place."""
        tmp = os.path.join(self.root, f".tmp-{key}-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        for table, data in result.tables.items():
            with open(os.path.join(tmp, f"{table}.csv"), "wb") as fh:
                fh.write(data)
        with open(os.path.join(tmp, "config.json"), "w", encoding="utf-8") as fh:
            fh.write(config_json)
        meta = {"status": "ok" if result.ok else "error", "error": result.error, "seconds": round(result.seconds, 4)}
        meta["tables"] = list(result.tables)
        with open(os.path.join(tmp, "result.json"), "w", encoding="utf-8") as fh:
            json.dump(meta, fh, indent=2)
        with open(os.path.join(tmp, "done"), "w", encoding="utf-8") as fh:
            fh.write("done\n")
            fh.flush()
            os.fsync(fh.fileno())
        final = self.path(key)
        if os.path.exists(final):  # an unfinished or failed earlier attempt: replaced by this one
            shutil.rmtree(final)
        os.rename(tmp, final)

    def load(self, key: str) -> Result:
        """A finished point's tables (CSV bytes, in the order it wrote them) and status."""
        folder = self.path(key)
        with open(os.path.join(folder, "result.json"), encoding="utf-8") as fh:
            meta = json.load(fh)
        tables = {}
        for table in meta.get("tables", []):
            with open(os.path.join(folder, f"{table}.csv"), "rb") as fh:
                tables[table] = fh.read()
        return Result(tables, meta.get("error"), float(meta.get("seconds", 0.0)))
