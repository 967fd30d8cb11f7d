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
# shellcheck source=serve-on-loopback.sh
. "$here/tests/serve-on-loopback.sh"
serve_on_loopback "$server"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(test-server)
status=0
make -C "$here" "${targets[@]}" SERVER_WIRE="127.0.0.1:$wire" SERVER_PID="$pid" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (tail) ---" >&2
  tail -n 40 "$scratch/server.log" >&2
fi
exit "$status"
