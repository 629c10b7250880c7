"""What the notebooks share: where the repository and the traces are, loading a trace as the
reference benches do (../shared/bench/fcbench.py `load`), and running the `prescale` CLI."""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd


def _repo() -> Path:
    """PRESCALE_REPO, else the first folder up from here that holds bin/prescale.js."""
    if os.environ.get("PRESCALE_REPO"):
        return Path(os.environ["PRESCALE_REPO"]).resolve()
    for d in [Path.cwd(), *Path.cwd().parents]:
        if (d / "bin" / "prescale.js").exists():
            return d
    raise RuntimeError("cannot find the prescale repository (set PRESCALE_REPO)")


REPO = _repo()
# as bench/traces.ts: PRESCALE_TRACES, else ../shared/traces beside the repository
TRACES = Path(os.environ.get("PRESCALE_TRACES", REPO.parent / "shared" / "traces"))
SAMPLE = REPO / "data" / "sample-web.csv"


def trace_files(names=None):
    """The trace files there are (all, or those named); the repository's sample when there are none."""
    files = sorted(TRACES.glob("*.csv")) if TRACES.is_dir() else []
    if names:
        files = [f for f in files if f.stem in names]
    return files or [SAMPLE]


def load(path, min_step=300):
    """A trace as a regular pandas Series: sorted, duplicates dropped, on its most common step,
    gaps interpolated, averaged to `min_step` seconds when finer. Returns (series, step)."""
    df = pd.read_csv(path)
    ts = df["timestamp"]
    t = pd.to_datetime(ts, unit="s", utc=True) if np.issubdtype(ts.dtype, np.number) else pd.to_datetime(ts, utc=True)
    s = pd.Series(df["value"].astype(float).values, index=t).sort_index()
    s = s[~s.index.duplicated()]
    step = int(pd.Series(s.index).diff().dropna().dt.total_seconds().mode()[0])
    s = s.reindex(pd.date_range(s.index[0], s.index[-1], freq=f"{step}s")).interpolate(limit_direction="both")
    if step < min_step:
        s = s.resample(f"{min_step}s", origin="start").mean().interpolate(limit_direction="both")
        step = min_step
    return s, step


def write_csv(s, path):
    """A series as the CSV the CLI reads (timestamp in unix seconds, value)."""
    pd.DataFrame({"timestamp": s.index.astype("int64") // 10**9, "value": s.values}).to_csv(path, index=False)


def read_forecast(path):
    """A `prescale forecast` CSV as a frame indexed by time (p50, p90)."""
    f = pd.read_csv(path)
    return f.set_index(pd.to_datetime(f["timestamp"], unit="s", utc=True))[["p50", "p90"]]


def prescale(*args, parse_json=False):
    """Runs `node bin/prescale.js ARGS` in the repository; its stdout (parsed with parse_json), or
    an error carrying its stderr."""
    r = subprocess.run(["node", str(REPO / "bin" / "prescale.js"), *map(str, args)],
                       cwd=REPO, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"prescale {' '.join(map(str, args))} exited {r.returncode}: {r.stderr[-600:]}")
    return json.loads(r.stdout) if parse_json else r


def report_data(html_path):
    """The numbers `prescale report` embeds in its page (`#report-data`)."""
    html = Path(html_path).read_text()
    start = html.index('id="report-data">') + len('id="report-data">')
    return json.loads(html[start:html.index("</script>", start)])
