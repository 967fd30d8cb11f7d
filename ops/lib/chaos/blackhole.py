#!/usr/bin/env python3
"""A TCP relay that can drop everything, as a firewall DROP rule on the port would.

usage: blackhole.py LISTEN_PORT_FILE TARGET_PORT
Listens on a free loopback port (written to LISTEN_PORT_FILE) and relays each connection to
127.0.0.1:TARGET_PORT. SIGUSR1 blocks: nothing is relayed either way and new connections are
accepted but not connected on, so peers see silence, not a reset (as with dropped packets,
whose retransmissions arrive after the block). SIGUSR2 unblocks: held bytes flow on and held
connections are connected. ops/chaos uses it to cut civicgridd off from PostgreSQL.
"""
import os
import selectors
import signal
import socket
import sys

port_file, target_port = sys.argv[1], int(sys.argv[2])
blocked = False


def on_signal(signum, _frame):
    global blocked
    blocked = signum == signal.SIGUSR1


signal.signal(signal.SIGUSR1, on_signal)
signal.signal(signal.SIGUSR2, on_signal)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(512)
listener.setblocking(False)
with open(port_file + ".tmp", "w") as f:
    f.write(str(listener.getsockname()[1]))
os.replace(port_file + ".tmp", port_file)

sel = selectors.DefaultSelector()
sel.register(listener, selectors.EVENT_READ)
peer = {}  # socket -> the socket its bytes go to
waiting = []  # client sockets accepted while blocked, not yet connected on


def close_pair(s):
    other = peer.pop(s, None)
    for x in (s, other):
        if x is None:
            continue
        peer.pop(x, None)
        try:
            sel.unregister(x)
        except (KeyError, ValueError):
            pass
        x.close()


def connect(client):
    try:
        upstream = socket.create_connection(("127.0.0.1", target_port), timeout=5)
    except OSError:
        client.close()
        return
    for s in (client, upstream):
        s.setblocking(False)
    peer[client], peer[upstream] = upstream, client
    sel.register(client, selectors.EVENT_READ)
    sel.register(upstream, selectors.EVENT_READ)


while True:
    try:
        events = sel.select(timeout=0.05)
    except InterruptedError:
        continue
    if not blocked and waiting:
        for client in waiting:
            connect(client)
        waiting.clear()
    for key, _ in events:
        s = key.fileobj
        if s is listener:
            try:
                client, _ = listener.accept()
            except BlockingIOError:
                continue
            if blocked:
                waiting.append(client)
            else:
                connect(client)
            continue
        if blocked:
            continue  # held in the kernel's buffers until unblocked
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if not data:
            close_pair(s)
            continue
        try:
            peer[s].setblocking(True)
            peer[s].sendall(data)
            peer[s].setblocking(False)
        except (OSError, KeyError):
            close_pair(s)
