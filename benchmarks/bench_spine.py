"""Every experiment's default config: cold run time (best of 3) and cached rerun time (targets: < 2 s, < 0.2 s)."""

from __future__ import annotations

import logging
import os
import time

from benchmarks.reference import best_of, matmul_gflops
from brainsim import registry, runtime


def main() -> None:
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from brainsim import ui  # st.cache_data works outside a server ("bare mode")

    logging.disable(logging.WARNING)  # bare mode warns on every element call

    gflops = matmul_gflops()
    print(f"reference: torch float32 matmul {gflops:.1f} GFLOP/s")
    print(
        f"{'experiment':16s} {'cold run s':>10s} {'target':>7s} {'cached s':>9s} {'target':>7s} "
        f"{'cold x matmul-1024':>19s}"
    )
    matmul_s = 2 * 1024**3 / (gflops * 1e9)
    for name in registry.names():
        exp = registry.get(name)
        exp.run(exp.config())  # warm up imports and lazy kernels
        cold = best_of(lambda e=exp: e.run(e.config()))  # uncached run, least disturbed of 3
        ui.run_with_progress(name, exp.config())  # fills the cache; a rerun then pays JSON + lookup only
        start = time.perf_counter()
        ui.run_with_progress(name, exp.config())
        cached = time.perf_counter() - start
        print(f"{name:16s} {cold:10.3f} {'<2':>7s} {cached:9.4f} {'<0.2':>7s} {cold / matmul_s:19.0f}")


if __name__ == "__main__":
    runtime.configure()
    main()
