"""Hopdeck kernel bridge: drives one ipykernel through jupyter_client and speaks JSON lines on stdio.

Runs inside the sandbox with /usr/bin/python3. The agent writes one request per line on stdin:
  {"op": "execute", "id": "exec_1", "code": "...", "env": {...}?, "cwd": "/workspace"?}
  {"op": "interrupt"}            interrupt the running cell (timeouts, kill)
  {"op": "restart"}              restart the kernel (state cleared)
and reads one event per line on stdout:
  {"type": "ready"} | {"type": "restarted"} | {"type": "fatal", "message": ...}
  {"id", "type": "stream", "name": "stdout"|"stderr", "text"}
  {"id", "type": "display", "data": {mime: value}, "metadata": {...}, "result": bool}
  {"id", "type": "error", "ename", "evalue", "traceback": [...]}
  {"id", "type": "dropped", "bytes"}   a MIME bundle larger than the output cap was not sent
  {"id", "type": "done", "status": "ok"|"error"|"aborted"}
Rich outputs come from the kernel's own MIME bundles (display_data / execute_result).
"""

import json
import os
import queue
import sys
import threading

from jupyter_client.manager import KernelManager

OUTPUT_CAP = int(os.environ.get("HOPDECK_OUTPUT_CAP", "1048576"))
_out_lock = threading.Lock()
_real_stdout = sys.stdout
# Anything else printing to our stdout would corrupt the protocol: send it to stderr.
sys.stdout = sys.stderr


def emit(obj):
    line = json.dumps(obj, ensure_ascii=False)
    with _out_lock:
        _real_stdout.write(line + "\n")
        _real_stdout.flush()


SETUP = """
def __hopdeck_apply(env, cwd, _orig={}, _applied=set()):
    import os
    for k in list(_applied):
        if k not in env:
            v = _orig.pop(k, None)
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
            _applied.discard(k)
    for k, v in env.items():
        if k not in _applied:
            _orig[k] = os.environ.get(k)
            _applied.add(k)
        os.environ[k] = v
    if cwd:
        os.chdir(cwd)
"""


class Bridge:
    def __init__(self):
        self.km = None
        self.kc = None
        self.requests = queue.Queue()
        self.abort = False
        self.applied = None

    def start_kernel(self):
        self.km = KernelManager(kernel_name="python3")
        # No history database: IPython would write every cell to a SQLite file on the sandbox's disk
        # (~1.5 ms a cell). In, Out and _ still work; only history across kernel restarts is lost.
        self.km.start_kernel(
            cwd=os.environ.get("HOPDECK_WORKDIR", "/workspace"),
            extra_arguments=["--HistoryManager.enabled=False"],
        )
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self.run_silent(SETUP)

    def run_silent(self, code):
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        self.collect(msg_id, None)

    def collect(self, msg_id, exec_id):
        """Forward IOPub messages of one request until the kernel is idle again."""
        status = "ok"
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                if self.abort:
                    return "aborted"
                if not self.km.is_alive():
                    if exec_id is not None:
                        emit({"id": exec_id, "type": "error", "ename": "KernelDied",
                              "evalue": "The Python kernel died; it was restarted and its state is lost",
                              "traceback": []})
                    self.abort = True
                    return "error"
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            content = msg["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                break
            if exec_id is None:
                continue
            if kind == "stream":
                text = content.get("text", "")
                if len(text) > OUTPUT_CAP:
                    # The agent enforces the cap; never ship it more than that in one line.
                    text = text[: OUTPUT_CAP + 1]
                emit({"id": exec_id, "type": "stream", "name": content.get("name", "stdout"), "text": text})
            elif kind in ("display_data", "execute_result", "update_display_data"):
                size = len(json.dumps(content.get("data", {})))
                if size > OUTPUT_CAP:
                    emit({"id": exec_id, "type": "dropped", "bytes": size})
                    continue
                emit({
                    "id": exec_id,
                    "type": "display",
                    "data": content.get("data", {}),
                    "metadata": content.get("metadata", {}),
                    "result": kind == "execute_result",
                })
            elif kind == "error":
                status = "error"
                emit({
                    "id": exec_id,
                    "type": "error",
                    "ename": content.get("ename", ""),
                    "evalue": content.get("evalue", ""),
                    "traceback": content.get("traceback", []),
                })
        return status

    def execute(self, req):
        exec_id = req.get("id")
        env = req.get("env") or {}
        cwd = req.get("cwd") or ""
        try:
            # The run's env and cwd are applied only when they differ from the last run's: the
            # common case costs no extra kernel round trip.
            wanted = json.dumps([env, cwd], sort_keys=True)
            if wanted != self.applied:
                setup = "__hopdeck_apply(%s, %s)" % (json.dumps(env), json.dumps(cwd))
                msg_id = self.kc.execute(setup, silent=True, store_history=False)
                if self.collect(msg_id, exec_id) == "error":
                    emit({"id": exec_id, "type": "done", "status": "error"})
                    return
                self.applied = wanted
            msg_id = self.kc.execute(req.get("code", ""), store_history=True, allow_stdin=False)
            status = self.collect(msg_id, exec_id)
            self.drain_shell()
            emit({"id": exec_id, "type": "done", "status": status})
        except Exception as exc:  # the kernel died or the channel broke
            emit({"id": exec_id, "type": "error", "ename": type(exc).__name__, "evalue": str(exc), "traceback": []})
            emit({"id": exec_id, "type": "done", "status": "error"})

    def drain_shell(self):
        # execute_reply messages are not needed (IOPub carries everything): drop them.
        while True:
            try:
                self.kc.get_shell_msg(timeout=0)
            except queue.Empty:
                return

    def restart(self):
        self.abort = False
        self.applied = None
        self.km.restart_kernel(now=True)
        self.kc.wait_for_ready(timeout=60)
        self.run_silent(SETUP)
        emit({"type": "restarted"})

    def reader(self):
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                req = json.loads(line)
            except ValueError:
                continue
            if req.get("op") == "interrupt":
                try:
                    self.km.interrupt_kernel()
                except Exception as exc:
                    print("interrupt failed: %s" % exc, file=sys.stderr)
            elif req.get("op") == "kill":
                # A cell that ignores interrupts: drop it and restart the kernel.
                self.abort = True
            else:
                self.requests.put(req)
        self.requests.put({"op": "exit"})

    def main(self):
        try:
            self.start_kernel()
        except Exception as exc:
            emit({"type": "fatal", "message": "%s: %s" % (type(exc).__name__, exc)})
            return 1
        threading.Thread(target=self.reader, daemon=True).start()
        emit({"type": "ready"})
        while True:
            req = self.requests.get()
            op = req.get("op")
            if op == "exit":
                break
            if op == "execute":
                if self.abort:
                    self.restart()
                self.execute(req)
                if self.abort:
                    self.restart()
            elif op == "restart":
                self.restart()
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
        return 0


if __name__ == "__main__":
    sys.exit(Bridge().main())
