#!/usr/bin/env bash
# `auditcast record` against `script` on the same command, whole processes, alternating rounds (the
# machine is shared: medians of alternating runs say more than a best-of). Optionally a baseline
# checkout's record too (AUDITCAST_BENCH_BASELINE=/path/to/built/checkout).
# Usage: bench/record-vs-script.sh [LINES=2000000] [ROUNDS=5]
set -euo pipefail
n=${1:-2000000}
rounds=${2:-5}
root="$(cd "$(dirname "$0")/.." && pwd)"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
clis=("this=$root/bin/auditcast.js")
[ -n "${AUDITCAST_BENCH_BASELINE:-}" ] && clis+=("baseline=$AUDITCAST_BENCH_BASELINE/bin/auditcast.js")
for i in $(seq 1 "$rounds"); do
  /usr/bin/time -f "script %e %U %S" -a -o "$dir/times" script -q -e -c "seq 1 $n" "$dir/typescript" >/dev/null
  for entry in "${clis[@]}"; do
    /usr/bin/time -f "${entry%%=*} %e %U %S" -a -o "$dir/times" env AUDITCAST_INDEX=off \
      node "${entry#*=}" record --data-dir "$dir/data-${entry%%=*}-$i" -- seq 1 "$n" >/dev/null 2>&1
  done
done
echo "# seq 1 $n, $rounds rounds, $(date -u +%FT%TZ), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# which wall_s user_s sys_s"
cat "$dir/times"
python3 - "$dir/times" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) == 4: runs.setdefault(p[0], []).append((float(p[1]), float(p[2]) + float(p[3])))
script = runs.pop('script')
print(f"script: wall median {statistics.median(w for w, _ in script):.2f} s, CPU median {statistics.median(c for _, c in script):.2f} s")
for name, v in runs.items():
    ratio = statistics.median(a[0] / b[0] for a, b in zip(v, script))
    print(f"{name}: wall median {statistics.median(w for w, _ in v):.2f} s, CPU median {statistics.median(c for _, c in v):.2f} s, "
          f"x script per round (median) {ratio:.2f}")
PY
