#!/usr/bin/env bash
# Soak run: trains SimCLR for MINUTES (default 30) with periodic checkpoints and a SIGKILL + `--resume auto` in the
# middle, samples memory every SAMPLE_SECONDS (default 60: resident set, managed heap, live TorchSharp tensors),
# fails when memory grows, checks that the resumed run equals a straight run from scratch bit for bit at the first
# checkpoint after the resume, then runs the generator fuzz tests in long mode (FUZZ_CASES, default 10,000).
#
#   bench/soak.sh            # 30 minutes, about 45 with the reference run, plus the fuzz tests
#   MINUTES=2 SAMPLE_SECONDS=10 WARMUP_SECONDS=20 SAVE_EVERY=20s FUZZ_CASES=300 bench/soak.sh   # a quick check of the script
#
# Needs python3 (standard library) to compare checkpoints and read the memory logs. Work files go to SOAK_DIR
# (default: a new temporary folder), kept for inspection. CONFIG picks the build configuration (default Release).
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES=${MINUTES:-${1:-30}}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-60}
SAVE_EVERY=${SAVE_EVERY:-1m}
FUZZ_CASES=${FUZZ_CASES:-10000}
RSS_GROWTH_MB=${RSS_GROWTH_MB:-64}     # allowed growth of the resident set from the warmed-up sample to the last
TENSOR_GROWTH=${TENSOR_GROWTH:-0}       # allowed growth of live TorchSharp tensors, likewise
WARMUP_SECONDS=${WARMUP_SECONDS:-60}   # the baseline is the first sample at or after this (minute 1)
SOAK_DIR=${SOAK_DIR:-$(mktemp -d -t dsl-soak-XXXXXX)}
mkdir -p "$SOAK_DIR"
CONFIG=${CONFIG:-Release}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

command -v python3 >/dev/null || { echo "soak: python3 is needed to compare checkpoints and read memory logs" >&2; exit 2; }
echo "soak: $MINUTES min, memory every $SAMPLE_SECONDS s, checkpoints every $SAVE_EVERY, work folder $SOAK_DIR"
dotnet build -c "$CONFIG" samples/Dsl.Cli/Dsl.Cli.csproj -v quiet -nologo >/dev/null
CLI=(dotnet "samples/Dsl.Cli/bin/$CONFIG/net10.0/dsl-cli.dll")
TRAIN=(train --method simclr --width 32 --batch-size 64 --epochs 1000 --probe-images 0 --keep 1000)
half=$((MINUTES * 30))

# Runs the trainer in the background for SECONDS, then sends SIGNAL; prints the exit code.
run_for() {
  local seconds=$1 signal=$2 log=$3; shift 3
  DSL_MEMORY_LOG="$log" DSL_MEMORY_LOG_SECONDS="$SAMPLE_SECONDS" "${CLI[@]}" "$@" >>"$SOAK_DIR/train.log" 2>&1 &
  local pid=$!
  sleep "$seconds"
  kill -s "$signal" "$pid" 2>/dev/null || true
  local code=0
  wait "$pid" || code=$?
  echo "$code"
}

steps() { ls "$1" 2>/dev/null | sed -n 's/^simclr-\([0-9]\{8,\}\)\.safetensors$/\1/p' | sort -n | sed 's/^0*\([0-9]\)/\1/'; }

echo "soak: phase 1, $half s, then SIGKILL"
code=$(run_for "$half" KILL "$SOAK_DIR/memory-1.csv" "${TRAIN[@]}" --save-every "$SAVE_EVERY" --out "$SOAK_DIR/run")
[ "$code" = 137 ] || { echo "soak: FAIL: phase 1 ended with $code before the kill (see $SOAK_DIR/train.log)" >&2; exit 1; }
killed_at=$(steps "$SOAK_DIR/run" | tail -1)
[ -n "$killed_at" ] || { echo "soak: FAIL: no checkpoint before the kill; raise MINUTES or lower SAVE_EVERY" >&2; exit 1; }
echo "soak: killed; newest checkpoint at step $killed_at"

echo "soak: phase 2, --resume auto for $half s, then SIGTERM"
code=$(run_for "$half" TERM "$SOAK_DIR/memory-2.csv" "${TRAIN[@]}" --save-every "$SAVE_EVERY" --out "$SOAK_DIR/run" --resume auto)
[ "$code" = 143 ] || { echo "soak: FAIL: phase 2 ended with $code, expected 143 after SIGTERM (see $SOAK_DIR/train.log)" >&2; exit 1; }
grep -q "Resumed from .*simclr-$(printf %08d "$killed_at").safetensors at step $killed_at" "$SOAK_DIR/train.log" \
  || { echo "soak: FAIL: phase 2 did not resume from step $killed_at" >&2; exit 1; }
compare_at=$(steps "$SOAK_DIR/run" | awk -v k="$killed_at" '$1 > k' | head -1)
[ -n "$compare_at" ] || { echo "soak: FAIL: the resumed run saved nothing after step $killed_at" >&2; exit 1; }

failures=0
echo "soak: memory"
if python3 - "$RSS_GROWTH_MB" "$TENSOR_GROWTH" "$WARMUP_SECONDS" "$SOAK_DIR"/memory-1.csv "$SOAK_DIR"/memory-2.csv <<'PY'
import csv, sys
rss_limit, tensor_limit, warmup, failed = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), False
for path in sys.argv[4:]:
    rows = list(csv.DictReader(open(path)))
    for r in rows: print(f"  {path.rsplit('/', 1)[-1]}: {r['seconds']:>5} s  step {r['step']:>6}  RSS {r['rss_mb']:>7} MB  managed {r['managed_mb']:>6} MB  {r['live_tensors']} live tensors")
    warm = [r for r in rows if float(r['seconds']) >= warmup]
    if len(warm) < 2: print(f"  {path}: fewer than 2 samples after the {warmup:.0f} s warm-up, nothing to compare"); failed = True; continue
    first, last = warm[0], warm[-1]
    rss, tensors = float(last['rss_mb']) - float(first['rss_mb']), int(last['live_tensors']) - int(first['live_tensors'])
    print(f"  {path.rsplit('/', 1)[-1]}: RSS {first['rss_mb']} -> {last['rss_mb']} MB ({rss:+.1f}), live tensors {first['live_tensors']} -> {last['live_tensors']} ({tensors:+d})")
    if rss > rss_limit or tensors > tensor_limit: failed = True; print(f"  FAIL: growth above {rss_limit} MB / {tensor_limit} tensors")
sys.exit(1 if failed else 0)
PY
then :; else failures=$((failures + 1)); fi

echo "soak: reference run from scratch to step $compare_at (no interruption)"
mkdir -p "$SOAK_DIR/reference"
"${CLI[@]}" "${TRAIN[@]}" --save-every "$compare_at" --out "$SOAK_DIR/reference" >>"$SOAK_DIR/train.log" 2>&1 &
pid=$!
target="$SOAK_DIR/reference/simclr-$(printf %08d "$compare_at").safetensors"
until [ -f "$target" ]; do kill -0 "$pid" 2>/dev/null || { echo "soak: FAIL: the reference run ended early" >&2; exit 1; }; sleep 1; done
kill -TERM "$pid"; wait "$pid" || true
if python3 - "$target" "$SOAK_DIR/run/simclr-$(printf %08d "$compare_at").safetensors" <<'PY'
import json, struct, sys
def tensors(path):
    data = open(path, 'rb').read()
    n = struct.unpack('<Q', data[:8])[0]
    header = json.loads(data[8:8 + n]); header.pop('__metadata__', None)
    return {k: data[8 + n + v['data_offsets'][0]: 8 + n + v['data_offsets'][1]] for k, v in header.items()}
a, b = tensors(sys.argv[1]), tensors(sys.argv[2])
diff = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
print(f"  {len(a)} tensors compared: " + ("bit for bit equal" if not diff else f"{len(diff)} differ, e.g. {diff[:3]}"))
sys.exit(1 if diff else 0)
PY
then :; else failures=$((failures + 1)); fi

echo "soak: generator fuzz tests, $FUZZ_CASES cases each"
DSL_FUZZ_CASES=$FUZZ_CASES dotnet test Tests/Tests.csproj -c "$CONFIG" --filter "FullyQualifiedName~GeneratorFuzzTests" -nologo -v quiet \
  || failures=$((failures + 1))
# Every check runs even after one fails, so one soak reports them all.
if [ "$failures" -gt 0 ]; then echo "soak: FAIL: $failures of 3 checks failed ($SOAK_DIR)" >&2; exit 1; fi
echo "soak: PASS ($SOAK_DIR)"
