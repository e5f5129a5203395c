"""Bench helper: N warm `print(1)` round trips straight to a Python kernel, no agent in between.

  python3 kernel-roundtrip.py jupyter <n>           the previous path: jupyter_client -> ipykernel
  python3 kernel-roundtrip.py runner <n> <runner>   the runner (bridge.py) over its framed fd 3
Prints {"start_ms": ..., "runs_ms": [...]} on stdout. Runs on the host, outside any sandbox.
"""

import json
import os
import socket
import struct
import subprocess
import sys
import time


def jupyter(n):
    from jupyter_client.manager import KernelManager

    t0 = time.perf_counter()
    km = KernelManager(kernel_name="python3")
    km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    start = time.perf_counter() - t0
    runs = []
    try:
        for i in range(n + 5):
            t = time.perf_counter()
            msg_id = kc.execute("print(1)")
            out = ""
            while True:
                msg = kc.get_iopub_msg(timeout=30)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["header"]["msg_type"] == "stream":
                    out += msg["content"]["text"]
                if msg["header"]["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
            kc.get_shell_msg(timeout=30)
            assert out == "1\n", out
            if i >= 5:
                runs.append((time.perf_counter() - t) * 1000)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return start * 1000, runs


def runner(n, path):
    ours, theirs = socket.socketpair()
    t0 = time.perf_counter()
    child = subprocess.Popen(
        ["/usr/bin/python3", path],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(3,) if theirs.fileno() == 3 else (),
        preexec_fn=lambda: os.dup2(theirs.fileno(), 3),
        close_fds=False,
    )
    theirs.close()
    f = ours.makefile("rb")

    def recv():
        (size,) = struct.unpack(">I", f.read(4))
        return json.loads(f.read(size))

    def send(obj):
        data = json.dumps(obj).encode()
        ours.sendall(struct.pack(">I", len(data)) + data)

    assert recv()["type"] == "ready"
    start = time.perf_counter() - t0
    runs = []
    try:
        for i in range(n + 5):
            t = time.perf_counter()
            send({"op": "execute", "id": "b%d" % i, "code": "print(1)", "env": {}, "cwd": ""})
            out = ""
            while True:
                ev = recv()
                if ev["type"] == "stream":
                    out += ev["text"]
                if ev["type"] == "done":
                    break
            assert out == "1\n", out
            if i >= 5:
                runs.append((time.perf_counter() - t) * 1000)
    finally:
        child.kill()
        child.wait()
    return start * 1000, runs


if __name__ == "__main__":
    kind, count = sys.argv[1], int(sys.argv[2])
    start_ms, runs_ms = jupyter(count) if kind == "jupyter" else runner(count, sys.argv[3])
    sys.stdout.write(json.dumps({"start_ms": start_ms, "runs_ms": runs_ms}))
