# Sourced by the scripts that test against a real civicgridd: serve_on_loopback SERVER [serve flags...]
# starts it on free loopback ports in a fresh $scratch folder (removed on exit, with the
# server stopped) and sets $pid and $wire once it listens.
serve_on_loopback() {
  local server=$1
  shift
  local name
  name=$(basename "$0" .sh)
  [ -x "$server" ] || { echo "$name: $server is not executable" >&2; exit 2; }
  scratch=$(mktemp -d)
  local port_file="$scratch/ports.json"
  "$server" serve --wire-listen 127.0.0.1:0 --grpc-listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 \
    --port-file "$port_file" "$@" > "$scratch/server.log" 2>&1 &
  pid=$!
  trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$scratch"' EXIT
  wire=
  for _ in $(seq 1 300); do
    wire=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["wire"])' "$port_file" 2>/dev/null) && break
    kill -0 "$pid" 2>/dev/null || { echo "$name: server exited:" >&2; cat "$scratch/server.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$wire" ] || { echo "$name: no port file after 30 s" >&2; exit 1; }
}
