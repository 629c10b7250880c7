# %% [markdown]
# # prescale forecast vs statsmodels Holt-Winters, origin by origin
#
# Usage: `/usr/bin/python3 notebooks/compare_peers.py TRACE.csv [ORIGINS]` from the repository root,
# after `npm ci` (which builds `dist/`). The protocol is the accuracy bench's: 5-minute resolution,
# 1 hour ahead, origins spread over the trace's last 7 days, 14 days of training before each origin,
# MASE scaled by the in-sample MAE of the 1-day seasonal naive.

# %%
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from statsmodels.tsa.holtwinters import ExponentialSmoothing

path = sys.argv[1] if len(sys.argv) > 1 else "../shared/traces/nyc_taxi.csv"
origins = int(sys.argv[2]) if len(sys.argv) > 2 else 8

# %%
df = pd.read_csv(path)
ts = df["timestamp"]
t = pd.to_datetime(ts, unit="s", utc=True) if np.issubdtype(ts.dtype, np.number) else pd.to_datetime(ts, utc=True)
s = pd.Series(df["value"].astype(float).values, index=t).sort_index()
s = s[~s.index.duplicated()]
step = int(pd.Series(s.index).diff().dropna().dt.total_seconds().mode()[0])
s = s.reindex(pd.date_range(s.index[0], s.index[-1], freq=f"{step}s")).interpolate(limit_direction="both")
if step < 300:
    s = s.resample("300s", origin="start").mean().interpolate(limit_direction="both")
    step = 300
y = s.values
m = 86400 // step
h = max(1, 3600 // step)
first, last = max(3 * m, len(y) - 7 * m - h), len(y) - h
points = np.linspace(first, last, origins).astype(int)

# %%
rows = []
with tempfile.TemporaryDirectory() as tmp:
    for o in points:
        st = max(0, o - 14 * m)
        train = y[st:o]
        scale = np.mean(np.abs(train[m:] - train[:-m])) or 1e-9
        actual = y[o : o + h]
        hist = os.path.join(tmp, "hist.csv")
        out = os.path.join(tmp, "fc.csv")
        pd.DataFrame({"timestamp": s.index[st:o].astype("int64") // 10**9, "value": train}).to_csv(hist, index=False)
        subprocess.run(
            ["node", "bin/prescale.js", "forecast", "--input", hist, "--horizon", str(h), "--output", out],
            check=True,
            capture_output=True,
        )
        fc = pd.read_csv(out)
        hw = ExponentialSmoothing(train, trend="add", seasonal="add", seasonal_periods=m).fit().forecast(h)
        rows.append(
            {
                "origin": s.index[o],
                "prescale_mase": np.mean(np.abs(actual - fc["p50"].values)) / scale,
                "holt_winters_mase": np.mean(np.abs(actual - hw)) / scale,
                "p90_coverage": np.mean(actual <= fc["p90"].values),
            }
        )

# %%
res = pd.DataFrame(rows)
print(res.round(3).to_string(index=False))
print(res[["prescale_mase", "holt_winters_mase", "p90_coverage"]].mean().round(3).to_string())
