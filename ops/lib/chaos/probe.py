#!/usr/bin/env python3
"""Calls one server every 50 ms and logs each answer, for ops/chaos's recovery times.

usage: probe.py CIVICLOAD HOST:WIRE_PORT TOKEN LOG
Each line of LOG: the wall-clock start and end of one ListCases call (a call that needs
PostgreSQL) made by `civicload -n 1`, and its status: "1733490000.123456 1733490000.130001 OK".
Runs until SIGTERM. Each call has a 2 s deadline, so a server that hangs shows as
DEADLINE_EXCEEDED; a refused connection shows as CONNECT_FAILED.
"""
import json
import signal
import subprocess
import sys
import time

civicload, address, token, log_path = sys.argv[1:5]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
command = [civicload, "-n", "1", "-c", "1", "-t", "2s", "-q", "--format", "json",
           "-m", "authorization=Bearer " + token, address, "civicgrid.v1.Cases/ListCases"]
with open(log_path, "a", buffering=1) as log:
    while True:
        start = time.time()
        run = subprocess.run(command, capture_output=True, text=True)
        end = time.time()
        try:
            codes = json.loads(run.stdout)["status"]
        except (ValueError, KeyError):
            codes = {}
        status = next(iter(codes)) if codes else "CONNECT_FAILED"  # civicload made no call
        log.write(f"{start:.6f} {end:.6f} {status}\n")
        time.sleep(max(0.0, 0.05 - (end - start)))
