#!/bin/sh
# Stands in for `civicctl encode` in civicload's option tests: echoes its arguments as the
# "request", or fails like civicctl when the JSON is "bad".
if [ "$4" = "bad" ]; then
  echo "INVALID_ARGUMENT: --data is not a valid request in JSON" >&2
  exit 3
fi
printf '%s|%s|%s|%s' "$1" "$2" "$3" "$4"
