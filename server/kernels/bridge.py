"""Hopdeck Python runner: one IPython InteractiveShell per sandbox, spoken to in frames on fd 3.

Runs inside the sandbox with /usr/bin/python3; started by server/agent/kernel.ts. (The file keeps
its old name, bridge.py, so that the runtime and the build need no change; it no longer bridges
to a Jupyter kernel: there is no ZMQ, no jupyter_client and no second process.)

Protocol (docs/decisions/0009-speed-and-density.md): fd 3 is a socket pair to the agent. Each frame
is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON (one object).
Agent -> runner:
  {"op": "execute", "id", "code", "env": {...}, "cwd": "/workspace", "allow_stdin": bool,
   "silent": bool}   silent: the agent's warm-up; IPython neither counts nor stores the cell
  {"op": "input_reply", "id", "value"}        the answer to an input_request of cell `id`
Runner -> agent:
  {"type": "ready", "pid"}
  {"type": "stream", "id", "name": "stdout"|"stderr", "text"}
  {"type": "display", "id", "data": {mime: value}, "metadata": {...}, "result": bool}
  {"type": "error", "id", "ename", "evalue", "traceback": [...]}
  {"type": "input_request", "id", "prompt", "password": bool}
  {"type": "dropped", "id", "bytes"}       output past the cap was not sent
  {"type": "done", "id", "status": "ok"|"error"}
  {"type": "interrupted", "id"}             SIGINT reached the cell (KeyboardInterrupt raised)
  {"type": "log", "text"}                   output written while no cell runs
Interrupt is SIGINT (a KeyboardInterrupt in the running cell, acknowledged with `interrupted`;
ignored between cells). Restart is
the agent killing this process and starting a new one. fd 1 and 2 are replaced by pipes read here,
so output of subprocesses and C code reaches the running cell in order with its prints.
"""

import builtins
import codecs
import contextlib
import getpass
import importlib
import io
import json
import os
import select
import signal
import struct
import sys
import threading
import time
import types

PROTO_FD = 3
OUTPUT_CAP = int(os.environ.pop("HOPDECK_OUTPUT_CAP", "1048576"))
MAX_IN_FRAME = 256 * 1024 * 1024
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
os.set_inheritable(PROTO_FD, False)  # user subprocesses must not see the protocol

_write_lock = threading.Lock()
_cell = {"id": None, "sent": 0, "dropped": False}
_in_cell = False
# sending: the main thread is writing a frame; deferred: a KeyboardInterrupt waits for it to end.
_interrupt = {"sending": False, "deferred": False, "raised": False}


def send(obj):
    data = json.dumps(obj, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass")
    frame = struct.pack(">I", len(data)) + data
    main = threading.current_thread() is threading.main_thread()
    with _write_lock:
        if main:
            _interrupt["sending"] = True
        try:
            view = memoryview(frame)
            while view:
                n = os.write(PROTO_FD, view)
                view = view[n:]
        finally:
            if main:
                _interrupt["sending"] = False
    # A SIGINT that came while a frame was half written is raised now, between frames.
    if main and _interrupt["deferred"]:
        _interrupt["deferred"] = False
        raise KeyboardInterrupt


def _read_exact(n):
    chunks = []
    while n > 0:
        chunk = os.read(PROTO_FD, min(n, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def receive():
    (size,) = struct.unpack(">I", _read_exact(4))
    if size > MAX_IN_FRAME:
        raise EOFError
    return json.loads(_read_exact(size).decode("utf-8"))


def emit_text(name, text):
    """Send cell output, at most OUTPUT_CAP (+1, so the agent sees the overflow) per cell."""
    cell_id = _cell["id"]
    if not text:
        return
    if cell_id is None:
        send({"type": "log", "text": text[:4096]})
        return
    room = OUTPUT_CAP + 1 - _cell["sent"]
    if room <= 0:
        if not _cell["dropped"]:
            _cell["dropped"] = True
            send({"id": cell_id, "type": "dropped", "bytes": len(text)})
        return
    text = text[:room]
    _cell["sent"] += len(text)
    send({"id": cell_id, "type": "stream", "name": name, "text": text})


class OutStream(io.TextIOBase):
    """sys.stdout / sys.stderr: a line goes out at once; a burst of lines is batched for 5 ms."""

    def __init__(self, name, fd, flusher):
        super().__init__()
        self.name = name
        self._fd = fd
        self._buf = []
        self._lock = threading.Lock()
        self._last = 0.0
        self._flusher = flusher

    encoding = "utf-8"
    errors = "replace"

    def writable(self):
        return True

    def isatty(self):
        return False

    def fileno(self):
        return self._fd

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not %s" % type(s).__name__)
        if not s:
            return 0
        with self._lock:
            self._buf.append(s)
        now = time.monotonic()
        if "\n" in s and now - self._last > 0.002:
            self.flush()
        else:
            self._flusher.set()
        return len(s)

    def flush(self):
        # What subprocesses and C code wrote to fd 1/2 before this text goes out first.
        if _capture is not None:
            _capture.drain()
        with self._lock:
            text = "".join(self._buf)
            self._buf.clear()
        if text:
            self._last = time.monotonic()
            emit_text(self.name, text)


class FdCapture:
    """Reads what is written to fd 1 and 2 (subprocesses, C code) and sends it as cell output."""

    def __init__(self):
        self.lock = threading.Lock()
        self.fds = {}
        for fd, name in ((1, "stdout"), (2, "stderr")):
            r, w = os.pipe()
            os.dup2(w, fd)
            os.close(w)
            os.set_blocking(r, False)
            self.fds[r] = (name, codecs.getincrementaldecoder("utf-8")("replace"))
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        _main_thread_only()
        while True:
            ready, _, _ = select.select(list(self.fds), [], [])
            self.drain(ready)

    def drain(self, fds=None):
        with self.lock:
            for fd in fds or list(self.fds):
                name, decoder = self.fds[fd]
                while True:
                    try:
                        chunk = os.read(fd, 65536)
                    except BlockingIOError:
                        break
                    if not chunk:
                        break
                    emit_text(name, decoder.decode(chunk))


def _main_thread_only():
    """Helper threads block SIGINT, so the kernel delivers it to the main thread, whose blocking
    call (sleep, read) it interrupts; the cell's KeyboardInterrupt comes at once."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _flusher_loop(event, streams):
    _main_thread_only()
    while True:
        event.wait()
        time.sleep(0.005)
        event.clear()
        for s in streams:
            s.flush()


def _skip_terminal_ipython():
    """`import IPython` pulls in the terminal front end (prompt_toolkit, jedi): ~1 s and ~20 MB
    that a kernel never uses. Its one name the package needs, IPython.embed, becomes a stub."""
    stub = types.ModuleType("IPython.terminal.embed")

    def embed(*args, **kwargs):
        raise NotImplementedError("IPython.embed() is not available in a Hopdeck sandbox")

    stub.embed = embed
    sys.modules.setdefault("IPython.terminal.embed", stub)


# Modules IPython imports at once but uses only later: pydoc and stack_data for a traceback,
# asyncio for a cell with top-level `await` or %%script, urllib.request for `%load <url>`,
# logging.config when an IPython application configures logging (never, here). About 90 ms of the
# runner's ~310 ms of CPU at start (measured in a sandbox, -X importtime), a third of each boot's
# Python share. Each is imported for real the first time it is used.
_DEFERRED_MODULES = ("asyncio", "pydoc", "stack_data")
_DEFERRED_FUNCTIONS = {"urllib.request": ("Request", "urlopen"), "logging.config": ("dictConfig",)}


class _DeferredModule(types.ModuleType):
    """Stands in for a module while IPython is imported; the first attribute read imports the real
    module (from then on its names are copied here, so reads do not come back to __getattr__)."""

    def __getattr__(self, attr):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]  # still inside the IPython import: load the real one
        real = importlib.import_module(self.__name__)
        self.__dict__.update(real.__dict__)
        return getattr(real, attr)


def _deferred_function(module, name):
    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


@contextlib.contextmanager
def _deferred_imports():
    """While IPython is imported, the modules above are stand-ins; afterwards they leave
    sys.modules, so user code (and the stand-ins, on first use) import the real modules."""
    stubs = {}
    for name in _DEFERRED_MODULES:
        if name not in sys.modules:
            stubs[name] = _DeferredModule(name)
    for name, functions in _DEFERRED_FUNCTIONS.items():
        if name not in sys.modules:
            stub = types.ModuleType(name)
            for f in functions:
                setattr(stub, f, _deferred_function(name, f))
            stubs[name] = stub
    sys.modules.update(stubs)
    try:
        yield
    finally:
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]


def build_shell():
    _skip_terminal_ipython()
    # The shell's construction imports more of IPython (its magics): inside the stand-ins too.
    with _deferred_imports():
        return _build_shell()


def _build_shell():
    from traitlets.config import Config
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    def publish(data, metadata, result):
        cell_id = _cell["id"]
        if cell_id is None:
            return
        flush_streams()
        size = len(json.dumps(data, default=str))
        if size > OUTPUT_CAP:
            send({"id": cell_id, "type": "dropped", "bytes": size})
            return
        send({"id": cell_id, "type": "display", "data": data, "metadata": metadata or {}, "result": result})

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            publish(data, metadata, False)

        def clear_output(self, wait=False):
            pass

    class Hook(DisplayHook):
        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            publish(format_dict, md_dict, True)

        def finish_displayhook(self):
            pass

    class Shell(InteractiveShell):
        displayhook_class = Hook
        display_pub_class = Publisher

        def _showtraceback(self, etype, evalue, stb):
            flush_streams()
            if etype is StdinNotAvailable:
                stb = ["StdinNotAvailable: %s" % evalue]
            send({
                "id": _cell["id"],
                "type": "error",
                "ename": getattr(etype, "__name__", str(etype)),
                "evalue": str(evalue),
                "traceback": list(stb),
            })

        def enable_gui(self, gui=None):
            pass

        def init_completer(self):
            # Tab completion is not part of the agent's API; its jedi import costs ~0.3 s.
            self.Completer = None

    config = Config()
    # No history database: IPython would write every cell to SQLite on the sandbox's disk.
    config.HistoryManager.enabled = False
    return Shell.instance(config=config)


class StdinNotAvailable(Exception):
    pass


def make_input(password):
    def ask(prompt=""):
        cell_id = _cell["id"]
        if cell_id is None or not _cell.get("allow_stdin"):
            raise StdinNotAvailable(
                "input() needs an interactive client: use /execute/stream and answer the "
                "input_request frame with {\"type\":\"input\",\"value\":...}"
            )
        flush_streams()
        send({"id": cell_id, "type": "input_request", "prompt": str(prompt), "password": password})
        while True:
            msg = receive()
            if msg.get("op") == "input_reply" and msg.get("id") == cell_id:
                value = str(msg.get("value", ""))
                if not password:
                    emit_text("stdout", str(prompt) + value + "\n")
                return value

    return ask


_streams = []
_capture = None


def flush_streams():
    for s in _streams:
        s.flush()
    if _capture is not None:
        _capture.drain()


class Environment:
    """Per-run env and cwd, applied only when they differ from the last run's (notebook semantics:
    a cell's own os.chdir or os.environ change lasts while the requests do not change them)."""

    def __init__(self):
        self.last = None
        self.orig = {}

    def apply(self, env, cwd):
        wanted = json.dumps([env, cwd], sort_keys=True)
        if wanted == self.last:
            return
        for k in list(self.orig):
            if k not in env:
                v = self.orig.pop(k)
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        for k, v in env.items():
            if k not in self.orig:
                self.orig[k] = os.environ.get(k)
            os.environ[k] = str(v)
        if cwd:
            os.chdir(cwd)
        self.last = wanted


def on_sigint(signum, frame):
    """KeyboardInterrupt in the running cell, acknowledged at once with an `interrupted` frame (from
    a thread: the main thread may hold the write lock) so the agent knows the cell was reached and
    does not replace the runner while IPython formats the traceback. The agent repeats SIGINT
    until it sees the acknowledgement; repeats after the first raise only acknowledge again."""
    cell_id = _cell["id"]
    if not _in_cell or cell_id is None:
        return
    def ack():
        _main_thread_only()
        send({"type": "interrupted", "id": cell_id})

    threading.Thread(target=ack, daemon=True).start()
    if _interrupt["raised"]:
        return
    _interrupt["raised"] = True
    if _interrupt["sending"]:
        _interrupt["deferred"] = True
        return
    raise KeyboardInterrupt


def main():
    global _capture, _in_cell
    signal.signal(signal.SIGINT, on_sigint)
    shell = build_shell()
    flusher = threading.Event()
    out = OutStream("stdout", 1, flusher)
    err = OutStream("stderr", 2, flusher)
    _streams.extend([out, err])
    _capture = FdCapture()
    sys.stdout, sys.stderr = out, err
    threading.Thread(target=_flusher_loop, args=(flusher, _streams), daemon=True).start()
    builtins.input = make_input(False)
    getpass.getpass = make_input(True)
    env = Environment()
    send({"type": "ready", "pid": os.getpid()})
    while True:
        try:
            req = receive()
        except KeyboardInterrupt:
            continue
        except EOFError:
            return 0
        if req.get("op") != "execute":
            continue  # a late input_reply
        cell_id = req.get("id")
        _cell.update(id=cell_id, sent=0, dropped=False, allow_stdin=bool(req.get("allow_stdin")))
        _interrupt.update(deferred=False, raised=False)
        status = "error"
        try:
            _in_cell = True
            env.apply(req.get("env") or {}, req.get("cwd") or "")
            silent = req.get("silent") is True
            result = shell.run_cell(req.get("code", ""), store_history=not silent, silent=silent)
            status = "ok" if result.success else "error"
        except KeyboardInterrupt:
            shell.showtraceback()
        except BaseException as exc:  # setup failed (bad cwd): report it as the cell's error
            send({"id": cell_id, "type": "error", "ename": type(exc).__name__, "evalue": str(exc),
                  "traceback": []})
        finally:
            _in_cell = False
            _interrupt["deferred"] = False
        try:
            flush_streams()
        finally:
            _cell["id"] = None
            send({"id": cell_id, "type": "done", "status": status})


if __name__ == "__main__":
    sys.exit(main())
