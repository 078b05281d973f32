#!/usr/bin/env bash
# One benchmark sitting: builds Herald and the peer benchmarks (River,
# BullMQ), runs W1/W2/W3 for Herald on SQLite and PostgreSQL, W2 with two
# Herald instances on one PostgreSQL, the idle RSS measure, and the peers,
# one run after the other, then prints one table with the goals' ratios.
# See docs/BENCHMARKS.md ("One sitting, one command").
#
# Usage: scripts/bench-sitting.sh [--database-url URL] [--peers DIR] [--out DIR] [--skip-peers] [--skip-bullmq]
#
#   --database-url  PostgreSQL database Herald and River create (and drop)
#                   their own schemas in; default $HERALD_BENCH_POSTGRES_URL,
#                   else postgres://postgres@127.0.0.1:5432/test?sslmode=disable
#   --peers         the peer benchmarks' sources; default ../shared/bench/peers
#                   next to the repository. They are copied to a temporary
#                   folder and built there, never inside the repository.
#   --out           where the JSON results and logs go; default a new
#                   temporary folder (kept, its path is printed)
#   --skip-peers    Herald only
#   --skip-bullmq   no BullMQ (needs node, npm and redis-server)
#
# Needs: go, jq; for the peers also the Go module proxy (River) and, for
# BullMQ, node, npm and redis-server (a private Redis is started on
# $BENCH_REDIS_PORT, default 6399, and stopped at the end).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PG=${HERALD_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
PEERS_SRC="$ROOT/../shared/bench/peers"
OUT=""
SKIP_PEERS=0
SKIP_BULLMQ=0
REDIS_PORT=${BENCH_REDIS_PORT:-6399}

die() { echo "bench-sitting: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	--database-url) PG=${2:?--database-url needs a URL}; shift 2 ;;
	--peers) PEERS_SRC=${2:?--peers needs a folder}; shift 2 ;;
	--out) OUT=${2:?--out needs a folder}; shift 2 ;;
	--skip-peers) SKIP_PEERS=1; shift ;;
	--skip-bullmq) SKIP_BULLMQ=1; shift ;;
	-h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done

for tool in go jq; do
	command -v "$tool" >/dev/null || die "$tool is not installed; it is needed to build and to read the results"
done
if [ "$SKIP_PEERS" = 0 ]; then
	[ -d "$PEERS_SRC/river" ] || die "no peer benchmarks at $PEERS_SRC (expected river/ and bullmq/); give --peers DIR or --skip-peers"
	if [ "$SKIP_BULLMQ" = 0 ]; then
		for tool in node npm redis-server redis-cli; do
			command -v "$tool" >/dev/null || die "$tool is not installed; BullMQ needs it (or give --skip-bullmq)"
		done
		if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
			die "port $REDIS_PORT already answers as Redis; set BENCH_REDIS_PORT to a free port"
		fi
	fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/herald-sitting-XXXXXX")
[ -n "$OUT" ] || OUT="$WORK/results"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"
RIVER_SCHEMA="river_sitting_$$"
REDIS_PID=""

cleanup() {
	local rc=$?
	if [ -n "$REDIS_PID" ]; then
		redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$REDIS_PID" 2>/dev/null || true
	fi
	if [ "$SKIP_PEERS" = 0 ]; then
		if command -v psql >/dev/null; then
			psql -q "$PG" -c "DROP SCHEMA IF EXISTS $RIVER_SCHEMA CASCADE" >/dev/null 2>&1 || true
		else
			echo "bench-sitting: psql is not installed; drop the schema $RIVER_SCHEMA River left by hand" >&2
		fi
	fi
	# Keep the results when they live in the work folder.
	find "$WORK" -mindepth 1 -maxdepth 1 ! -path "$OUT" -exec rm -rf {} + 2>/dev/null || true
	[ "$OUT" = "$WORK/results" ] || rmdir "$WORK" 2>/dev/null || true
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s (%s)\n' "$*" "$(date +%H:%M:%S)" >&2; }

step "building Herald"
mkdir -p "$WORK/bin"
(cd "$ROOT" && go build -o "$WORK/bin/herald" ./cmd/herald) || die "go build ./cmd/herald failed"
HERALD="$WORK/bin/herald"

if [ "$SKIP_PEERS" = 0 ]; then
	step "building the peers in $WORK/peers"
	mkdir -p "$WORK/peers"
	cp -r "$PEERS_SRC/." "$WORK/peers/"
	(cd "$WORK/peers/river" && go build -o river-peerbench .) || die "building the River peer failed"
	if [ "$SKIP_BULLMQ" = 0 ]; then
		(cd "$WORK/peers/bullmq" && npm install --no-audit --no-fund --silent >"$OUT/npm.log" 2>&1) ||
			die "npm install for the BullMQ peer failed; see $OUT/npm.log"
	fi
fi

# herald_run NAME ARGS...: one Herald run; its JSON line goes to RESULTS as {"name":..., "r":...}.
herald_run() {
	local name=$1; shift
	step "$name"
	local line
	if ! line=$("$HERALD" bench publish "$@" 2>"$OUT/$name.log"); then
		echo "bench-sitting: $name failed; see $OUT/$name.log:" >&2
		tail -5 "$OUT/$name.log" >&2
		jq -cn --arg n "$name" '{name: $n, failed: true}' >>"$RESULTS"
		return 0
	fi
	echo "$line" >&2
	jq -c --arg n "$name" '{name: $n, r: {p50: .p50_ms, p95: .p95_ms, p99: .p99_ms, max: .max_ms,
		tput: .throughput_per_s, lost: .lost, dup: .duplicated, rss: (.idle_rss_max_mb // .rss_mb)}}' \
		<<<"$line" >>"$RESULTS"
}

# peer_run NAME JSONFILE CMD...: one peer run, its JSON file read into RESULTS.
peer_run() {
	local name=$1 json=$2; shift 2
	step "$name"
	rm -f "$json"
	if ! "$@" >"$OUT/$name.log" 2>&1 || [ ! -s "$json" ]; then
		echo "bench-sitting: $name failed; see $OUT/$name.log:" >&2
		tail -5 "$OUT/$name.log" >&2
		jq -cn --arg n "$name" '{name: $n, failed: true}' >>"$RESULTS"
		return 0
	fi
	cat "$OUT/$name.log" >&2
	jq -c --arg n "$name" '{name: $n, r: {p50: .lateness_ms.p50, p95: .lateness_ms.p95, p99: .lateness_ms.p99,
		max: .lateness_ms.max, tput: .throughput_per_s, lost: .missing, dup: .duplicates,
		rss: (.go_peak_rss_mb // ((.node_peak_rss_mb // 0) + (.redis_peak_rss_mb // 0)))}}' "$json" >>"$RESULTS"
}

W1=(--posts 10000 --window 10s --lead 5s)
W2=(--posts 100000 --window 10s --lead 30s)
W3=(--posts 50000 --window 1s --latency 100ms --lead 10s)
herald_run herald-sqlite-w1 --db sqlite "${W1[@]}"
herald_run herald-pg-w1 --db postgres --database-url "$PG" "${W1[@]}"
herald_run herald-sqlite-w2 --db sqlite "${W2[@]}"
herald_run herald-pg-w2 --db postgres --database-url "$PG" "${W2[@]}"
herald_run herald-pg2-w2 --db postgres --database-url "$PG" --instances 2 "${W2[@]}"
herald_run herald-sqlite-w3 --db sqlite "${W3[@]}"
herald_run herald-pg-w3 --db postgres --database-url "$PG" "${W3[@]}"
herald_run herald-sqlite-idle --db sqlite --posts 100000 --measure-idle-rss

if [ "$SKIP_PEERS" = 0 ]; then
	R="$WORK/peers/river/river-peerbench"
	RT=(-fetch-cooldown 2ms -fetch-poll-interval 20ms)
	RJ="$OUT/river.json"
	peer_run river-pg-w1 "$RJ" "$R" -driver pg -database-url "$PG" -pg-schema "$RIVER_SCHEMA" \
		-n 10000 -concurrency 50 -window 10s -lead 5s "${RT[@]}" -json "$RJ"
	peer_run river-pg-w2 "$RJ" "$R" -driver pg -database-url "$PG" -pg-schema "$RIVER_SCHEMA" \
		-n 100000 -window 10s -lead 30s "${RT[@]}" -json "$RJ"
	peer_run river-sqlite-w1 "$RJ" "$R" -driver sqlite -sqlite-path "$WORK/river-bench.db" \
		-n 10000 -window 10s -lead 5s "${RT[@]}" -json "$RJ"
	peer_run river-sqlite-w2 "$RJ" "$R" -driver sqlite -sqlite-path "$WORK/river-bench.db" \
		-n 100000 -window 10s -lead 30s "${RT[@]}" -json "$RJ"
	if [ "$SKIP_BULLMQ" = 0 ]; then
		mkdir -p "$WORK/redis"
		redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" --appendonly yes \
			--appendfsync everysec --save "" --maxmemory-policy noeviction --daemonize no \
			>"$OUT/redis.log" 2>&1 &
		REDIS_PID=$!
		for _ in $(seq 50); do
			redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
			sleep 0.1
		done
		redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis did not start on port $REDIS_PORT; see $OUT/redis.log"
		BJ="$OUT/bullmq.json"
		B=(node "$WORK/peers/bullmq/bench.mjs" --redis "redis://127.0.0.1:$REDIS_PORT" --concurrency 50)
		peer_run bullmq-w1 "$BJ" "${B[@]}" --n 10000 --window-ms 10000 --lead-ms 5000 --json "$BJ"
		peer_run bullmq-w2 "$BJ" "${B[@]}" --n 100000 --window-ms 10000 --lead-ms 30000 --json "$BJ"
	fi
fi

step "table"
jq -rs -f "$ROOT/scripts/bench-sitting.jq" "$RESULTS" | tee "$OUT/table.md"
echo >&2
echo "bench-sitting: results in $OUT (results.jsonl, table.md, one log per run)" >&2
