#!/usr/bin/env python3
"""Converts cloudping.co's AWS inter-region round-trip times (p50.json, p90.json as shipped in
commonwarexyz/monorepo examples/estimator/src, {"data": {from: {to: ms}}}) into ActorRollup's network-matrix format.

The measurements are directional and differ a little between the two directions of a pair; our format is symmetric,
so each pair (written once, upper triangle in name order) gets the mean of its two directions. rttMs = mean p50,
jitterMs = mean (p90 - p50), both rounded to 0.1 ms.

usage: convert_cloudping.py p50.json p90.json > aws.json
"""
import json, sys

p50 = json.load(open(sys.argv[1]))["data"]
p90 = json.load(open(sys.argv[2]))["data"]
regions = sorted(p50)
rtt, jitter = {}, {}
for i, a in enumerate(regions):
    rtt[a], jitter[a] = {}, {}
    for b in regions[i:]:
        m50 = (p50[a][b] + p50[b][a]) / 2
        m90 = (p90[a][b] + p90[b][a]) / 2
        rtt[a][b] = round(m50, 1)
        jitter[a][b] = round(max(0.0, m90 - m50), 1)
json.dump({"rttMs": rtt, "jitterMs": jitter}, sys.stdout, indent=1, sort_keys=False)
sys.stdout.write("\n")
