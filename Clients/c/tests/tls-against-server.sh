#!/usr/bin/env bash
# civicload over TLS against a real civicgridd with client certificates required: a partner
# certificate of the server's client CA gets its calls answered, by name (localhost) and by
# address, with a JSON request body too; a plaintext civicload, one without a certificate and
# one that does not trust the server are refused. Loopback only.
# usage: Clients/c/tests/tls-against-server.sh /path/to/civicgridd /path/to/civicload
set -euo pipefail
server=${1:?usage: tls-against-server.sh /path/to/civicgridd /path/to/civicload}
load=${2:?usage: tls-against-server.sh /path/to/civicgridd /path/to/civicload}
here=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=serve-on-loopback.sh
. "$here/Clients/c/tests/serve-on-loopback.sh"
certs=$(mktemp -d)
"$here/ops/certs" "$certs" 2>/dev/null
c="$certs"
serve_on_loopback "$server" --tls-cert "$c/server.pem" --tls-key "$c/server.key" --tls-client-ca "$c/ca.pem"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$scratch" "$certs"' EXIT
method=civicgrid.v1.Diagnostics/EmptyCall
identity=(--ca-file "$c/ca.pem" --cert "$c/partner.pem" --key "$c/partner.key")
passed=0
failed=0
check() { # NAME EXPECTED(ok|refused) ARGS...
  local name=$1 expected=$2
  shift 2
  local out status=0
  out=$("$load" -q -n 50 -c 4 --format json "$@" 2>"$scratch/stderr") || status=$?
  local ok
  ok=$(printf '%s' "$out" | python3 -c 'import json,sys
try:
    r = json.load(sys.stdin)
    print("ok" if r["calls"] == 50 and r["errors"] == 0 and not r["error"] else "refused")
except Exception:
    print("refused")')
  if [ "$ok" = "$expected" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: expected $expected (exit $status): $out $(cat "$scratch/stderr")" >&2
  fi
}
check "TLS by name" ok "${identity[@]}" "localhost:$wire" "$method"
check "TLS by address" ok "${identity[@]}" "127.0.0.1:$wire" "$method"
check "plaintext to TLS" refused "127.0.0.1:$wire" "$method"
check "no client certificate" refused --ca-file "$c/ca.pem" "localhost:$wire" "$method"
check "untrusted server" refused --ca-file "$c/other-ca.pem" --cert "$c/partner.pem" --key "$c/partner.key" "localhost:$wire" "$method"
# A JSON request body, encoded by the civicctl built beside civicgridd.
CIVICLOAD_ENCODER="$(dirname "$server")/civicctl" check "JSON body over TLS" ok -j '{"responseSize":16}' \
  "${identity[@]}" "localhost:$wire" civicgrid.v1.Diagnostics/UnaryCall
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
