"""Opens COUNT idle TCP connections from SOURCE to HOST:PORT, sends nothing on them, and
waits until the endpoint has closed every one of them or WAIT seconds have passed.

Prints one line: `connected=N refused=N open=N seconds=S`, where `open` counts the
connections still open when it stopped waiting. Run by server/tests/idle_burst.rs, in a
process of its own so that its sockets do not count against the test's open-file limit.
"""

import resource
import selectors
import socket
import sys
import time

host, port, source, count, wait = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
_, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

start = time.monotonic()
selector = selectors.DefaultSelector()
connected = refused = 0
for _ in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.bind((source, 0))
        s.connect((host, port))
    except OSError:
        refused += 1
        s.close()
        continue
    s.setblocking(False)
    selector.register(s, selectors.EVENT_READ)
    connected += 1

open_ = connected
deadline = start + wait
while open_ and time.monotonic() < deadline:
    for key, _ in selector.select(timeout=max(0.0, deadline - time.monotonic())):
        try:
            data = key.fileobj.recv(4096)
        except OSError:
            data = b""
        if not data:
            selector.unregister(key.fileobj)
            key.fileobj.close()
            open_ -= 1

print(f"connected={connected} refused={refused} open={open_} seconds={time.monotonic() - start:.1f}", flush=True)
