/**
 * The engine's process spawner (server/runtime/spawner.ts; decision 0009).
 *
 * Node's spawn() forks the whole engine: on this machine that blocked the event loop for 80 ms
 * (45 MB engine) to 700 ms (400 MB) per process under load, five times per sandbox boot. This
 * small process starts them instead with posix_spawn (vfork: no copy of page tables), so the
 * engine only writes a line. JSON lines on stdin, JSON lines on stdout:
 *
 *   {"id", "argv", "env"?, "out"?: path (append; stdout and stderr), "fds"?: [paths read-only at
 *    3, 4, ...], "pipe"?: true (a pipe at the next fd, its data sent back), "detached"?: true
 *    (own session), "capture"?: true (stdout+stderr sent back with the exit)}
 *   {"op": "close", "id"}: stop reading that child's pipe
 *   -> {"id", "pid"} | {"id", "error"} | {"id", "data"} | {"id", "eof": true}
 *   -> {"id", "exit": code | null, "signal": number | null, "output"?: text}
 *
 * Exits when stdin closes; the children live on (detached ones in their own session).
 */
export const SPAWN_HELPER = String.raw`
import fcntl
import json
import os
import selectors
import signal
import sys

SIGS = [s for s in range(1, 32) if s not in (signal.SIGKILL, signal.SIGSTOP)]
sel = selectors.DefaultSelector()
children = {}  # pid -> {"id", "capture", "output", "status", "pipe_open"}
pipes = {}  # fd -> pid
by_id = {}  # id -> pid


def send(msg):
    sys.stdout.buffer.write(json.dumps(msg).encode() + b"\n")
    sys.stdout.buffer.flush()


def high_pipe():
    r, w = os.pipe()
    hr = fcntl.fcntl(r, fcntl.F_DUPFD_CLOEXEC, 64)
    hw = fcntl.fcntl(w, fcntl.F_DUPFD_CLOEXEC, 64)
    os.close(r)
    os.close(w)
    os.set_blocking(hr, False)
    return hr, hw


def finish(pid):
    c = children[pid]
    if c["status"] is None or (c["capture"] and c["pipe_open"]):
        return
    code = os.waitstatus_to_exitcode(c["status"])
    msg = {"id": c["id"], "exit": code if code >= 0 else None, "signal": -code if code < 0 else None}
    if c["capture"]:
        msg["output"] = c["output"][-8000:]
    send(msg)
    del children[pid]
    by_id.pop(c["id"], None)


def close_pipe(fd):
    pid = pipes.pop(fd, None)
    sel.unregister(fd)
    os.close(fd)
    if pid is not None and pid in children:
        children[pid]["pipe_open"] = False
        finish(pid)


def spawn(req):
    argv = req["argv"]
    env = req.get("env") or dict(os.environ)
    fa = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0)]
    rfd = wfd = None
    if req.get("capture") or req.get("pipe"):
        rfd, wfd = high_pipe()
    if req.get("capture"):
        fa += [(os.POSIX_SPAWN_DUP2, wfd, 1), (os.POSIX_SPAWN_DUP2, wfd, 2)]
    else:
        out = req.get("out") or "/dev/null"
        fa += [
            (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ]
    n = 3
    for path in req.get("fds") or []:
        fa.append((os.POSIX_SPAWN_OPEN, n, path, os.O_RDONLY, 0))
        n += 1
    if req.get("pipe"):
        fa.append((os.POSIX_SPAWN_DUP2, wfd, n))
    try:
        pid = os.posix_spawnp(
            argv[0],
            argv,
            env,
            file_actions=fa,
            setsid=bool(req.get("detached")),
            setsigdef=SIGS,
            setsigmask=[],
        )
    except OSError as e:
        if rfd is not None:
            os.close(rfd)
            os.close(wfd)
        send({"id": req["id"], "error": f"{argv[0]}: {e.strerror or e}"})
        return
    children[pid] = {
        "id": req["id"],
        "capture": bool(req.get("capture")),
        "output": "",
        "status": None,
        "pipe_open": rfd is not None,
    }
    by_id[req["id"]] = pid
    if rfd is not None:
        os.close(wfd)
        pipes[rfd] = pid
        sel.register(rfd, selectors.EVENT_READ, "pipe")
    send({"id": req["id"], "pid": pid})


def reap():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in children:
            children[pid]["status"] = status
            finish(pid)


def main():
    wr, ww = os.pipe()
    os.set_blocking(wr, False)
    os.set_blocking(ww, False)
    # A Ctrl-C or a service manager's SIGTERM reaches the whole process group: the engine's shutdown
    # still needs this helper (umount, destroys), so it ignores them and ends when stdin closes.
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(s, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(ww)
    sel.register(wr, selectors.EVENT_READ, "wake")
    sel.register(0, selectors.EVENT_READ, "stdin")
    buf = b""
    while True:
        for key, _ in sel.select():
            if key.data == "wake":
                try:
                    os.read(wr, 4096)
                except BlockingIOError:
                    pass
                reap()
            elif key.data == "stdin":
                chunk = os.read(0, 65536)
                if not chunk:
                    return
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    req = json.loads(line)
                    if req.get("op") == "close":
                        pid = by_id.get(req["id"])
                        fd = next((f for f, p in pipes.items() if p == pid), None)
                        if fd is not None:
                            close_pipe(fd)
                    else:
                        try:
                            spawn(req)
                        except Exception as e:  # a bad request must not end the helper
                            send({"id": req.get("id"), "error": f"spawn helper: {e}"})
            else:
                fd = key.fd
                if fd not in pipes:
                    continue  # closed earlier in this same batch (a "close" or its EOF)
                try:
                    data = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                pid = pipes.get(fd)
                c = children.get(pid) if pid is not None else None
                if not data:
                    if c and not c["capture"]:
                        send({"id": c["id"], "eof": True})
                    close_pipe(fd)
                elif c and c["capture"]:
                    c["output"] = (c["output"] + data.decode("utf-8", "replace"))[-16000:]
                elif c:
                    send({"id": c["id"], "data": data.decode("utf-8", "replace")})


main()
`;
