#!/usr/bin/env bash
# Conformance and civicload tests against a running server's CivicWire listener.
# usage: server-tests.sh HOST:PORT TEST_CONFORMANCE CIVICLOAD [RUNNER] [SERVER_PID]
# RUNNER (for example a valgrind command line) prefixes every binary it starts.
# With SERVER_PID the last test stops the server with SIGTERM (graceful drain).
# Prints the closing line "N passed, M failed" and exits non-zero on any failure.
set -u
addr=$1 conformance=$2 civicload=$3
read -r -a runner <<< "${4:-}"
server_pid=${5:-}
method=civicgrid.v1.Diagnostics
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
passed=0 failed=0
# Every binary gets a time limit, so a hang fails the run instead of stalling it; generous,
# since valgrind runs everything tens of times slower (not a measure of speed).
limit=${SERVER_TESTS_TIME_LIMIT:-600s}

# conformance ARGS...: runs the C conformance binary and adds up its summary line.
conformance() {
  timeout --kill-after=10s "$limit" "${runner[@]}" "$conformance" "$addr" "$@" > "$scratch/conformance.out"
  local rc=$? line p f
  cat "$scratch/conformance.out"
  if line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$scratch/conformance.out"); then
    read -r p _ f _ <<< "$line"
    passed=$((passed + p)) failed=$((failed + f))
    [ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || failed=$((failed + 1))
  else
    echo "FAIL conformance: no summary line (exit $rc)" >&2
    failed=$((failed + 1))
  fi
}

conformance

# --- civicload -------------------------------------------------------------------
# load NAME CHECK ARGS...: runs civicload --format json -q ARGS, then the python
# expression CHECK on the parsed report r (status counts in s).
load() {
  local name=$1 check=$2
  shift 2
  if ! timeout --kill-after=10s "$limit" "${runner[@]}" "$civicload" --format json -q "$@" > "$scratch/$name.json" 2> "$scratch/$name.err"; then
    echo "FAIL civicload/$name: exit $? $(cat "$scratch/$name.err")" >&2
    failed=$((failed + 1))
    return
  fi
  if python3 - "$scratch/$name.json" "$check" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["status"]
lat = r["latency_ms"]
ok = eval(sys.argv[2])
if not ok:
    print(json.dumps(r), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
  then
    passed=$((passed + 1))
  else
    echo "FAIL civicload/$name: $check" >&2
    failed=$((failed + 1))
  fi
}

# Latencies are checked for consistency only (ordered percentiles); how fast the calls were is
# a benchmark's question (ops/bench/load-tool), never a test's.
sane='lat["min"] <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p99_9"] <= lat["max"]'
load closed_loop "r['calls'] == 2000 and r['errors'] == 0 and s == {'OK': 2000} and 'calls_per_s' in r and $sane" \
  -n 2000 -c 20 "$addr" "$method/EmptyCall"
load connections "r['calls'] == 3000 and r['errors'] == 0 and r['warmup_calls'] == 300 and $sane" \
  -n 3000 -c 30 --connections 3 --warmup 300 "$addr" "/$method/EmptyCall"
# Open loop: the asked rate is taken and every call is made; how close the achieved rate comes
# to it is measured by ops/bench/load-tool.
load open_loop "r['mode'] == 'open' and r['rps_target'] == 500 and r['calls'] == 1500 and r['errors'] == 0 and $sane" \
  --rps 500 -n 1500 "$addr" "$method/EmptyCall"
# A run bounded by time (with a warm-up bounded by time) ends by itself and reports its calls;
# how long it took is not checked (load's time limit catches a run that never ends).
load duration "r['mode'] == 'closed' and r['calls'] > 0 and r['errors'] == 0" \
  -z 1s --warmup 200ms -c 4 "$addr" "$method/EmptyCall"

printf '\x08\x64' > "$scratch/size100.bin"                 # SimpleRequest{response_size: 100}
load data_file_and_metadata "r['calls'] == 200 and s == {'OK': 200}" \
  -n 200 -d "$scratch/size100.bin" -m x-civic-initial=abc -m x-civic-trailing-bin=xyz "$addr" "$method/UnaryCall"
# Half the calls carry a fresh traceparent: a server (traced or not) answers them all alike.
load trace_sample "r['calls'] == 400 and s == {'OK': 400}" \
  -n 400 -c 8 --trace-sample 0.5 -m x-civic-initial=abc "$addr" "$method/EmptyCall"
printf '\x1a\x02\x08\x02' > "$scratch/status2.bin"         # SimpleRequest{response_status: {code: 2}}
load status_counts "r['calls'] == 50 and r['errors'] == 50 and s == {'UNKNOWN': 50}" \
  -n 50 -d "$scratch/status2.bin" "$addr" "$method/UnaryCall"
load unimplemented "s == {'UNIMPLEMENTED': 20}" -n 20 "$addr" "$method/UnimplementedCall"
printf '\x20\xc0\x84\x3d' > "$scratch/sleep1s.bin"          # SimpleRequest{sleep_micros: 1000000}
# Every call ends DEADLINE_EXCEEDED: none waited for the 1 s sleep to answer OK.
load timeouts "s == {'DEADLINE_EXCEEDED': 10} and r['errors'] == 10" \
  -n 10 -c 10 --timeout 100ms -d "$scratch/sleep1s.bin" "$addr" "$method/UnaryCall"

# Client streaming: every call sends its request 50 times, then half-closes, and ends OK.
printf '\x0a\x0a\x0a\x08civicgrd' > "$scratch/input8.bin"  # StreamingInputCallRequest{payload{body: 8 bytes}}
load client_streaming "r['calls'] == 200 and s == {'OK': 200} and r['messages_per_call'] == 50 and $sane" \
  -n 200 -c 8 --messages 50 -d "$scratch/input8.bin" "$addr" "$method/StreamingInputCall"
# 64 KiB messages, 100 a call: more than a call may hold unsent (max_message_size), so civicload
# queues the rest as the connection sends.
python3 -c 'import sys; body = b"x" * 65536; payload = b"\x0a\x80\x80\x04" + body
sys.stdout.buffer.write(b"\x0a\x84\x80\x04" + payload)' > "$scratch/input64k.bin"
load client_streaming_large "r['calls'] == 10 and s == {'OK': 10} and r['messages_per_call'] == 100" \
  -n 10 -c 2 --messages 100 -d "$scratch/input64k.bin" "$addr" "$method/StreamingInputCall"

# text and csv formats
if timeout --kill-after=10s "$limit" "${runner[@]}" "$civicload" -n 100 -q "$addr" "$method/EmptyCall" > "$scratch/text.out" \
   && grep -q '^Latency histogram' "$scratch/text.out" && grep -qE '^  OK +100$' "$scratch/text.out"; then
  passed=$((passed + 1))
else
  echo "FAIL civicload/text_format" >&2; cat "$scratch/text.out" >&2; failed=$((failed + 1))
fi
if timeout --kill-after=10s "$limit" "${runner[@]}" "$civicload" -n 100 -q --format csv "$addr" "$method/EmptyCall" > "$scratch/csv.out" \
   && [ "$(wc -l < "$scratch/csv.out")" -eq 2 ] && grep -q ',OK=100$' "$scratch/csv.out"; then
  passed=$((passed + 1))
else
  echo "FAIL civicload/csv_format" >&2; cat "$scratch/csv.out" >&2; failed=$((failed + 1))
fi

# last: stops the server
if [ -n "$server_pid" ]; then
  conformance --drain "$server_pid"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
