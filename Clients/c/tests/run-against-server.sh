#!/usr/bin/env bash
# Starts civicgridd from the given binary on port 0, runs `make test-server` (plus any
# extra make arguments, for example `asan` or `valgrind`) against its CivicWire
# listener (the last test stops the server with SIGTERM to check the graceful
# drain), and makes sure it is stopped.
# usage: Clients/c/tests/run-against-server.sh /path/to/civicgridd [make targets/vars...]
set -euo pipefail
server=${1:?usage: run-against-server.sh /path/to/civicgridd [make args...]}
shift
here=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$server" ] || { echo "run-against-server: $server is not executable" >&2; exit 2; }
scratch=$(mktemp -d)
port_file="$scratch/ports.json"
"$server" serve --wire-listen 127.0.0.1:0 --grpc-listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 \
  --port-file "$port_file" > "$scratch/server.log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
wire=
for _ in $(seq 1 300); do
  wire=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["wire"])' "$port_file" 2>/dev/null) && break
  kill -0 "$pid" 2>/dev/null || { echo "run-against-server: server exited:" >&2; cat "$scratch/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$wire" ] || { echo "run-against-server: no port file after 30 s" >&2; exit 1; }
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(test-server)
status=0
make -C "$here" "${targets[@]}" SERVER_WIRE="127.0.0.1:$wire" SERVER_PID="$pid" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (tail) ---" >&2
  tail -n 40 "$scratch/server.log" >&2
fi
exit "$status"
