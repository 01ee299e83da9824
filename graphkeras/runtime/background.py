"""Background compilation: Numba kernels compile in one worker thread, helped by forked
processes, while NumPy runs them.

A cold start spends most of its time in Numba (about 0.2 s per generated kernel on this 2-core
machine). A function's first call runs each region whose kernel is not compiled yet through
its NumPy reference while the worker compiles; its second call waits for the kernels
(compiled.py), so the slow path never lasts beyond one call. At exit the process waits for
queued compiles, so the disk cache is complete for the next process.

Numba compiles under one process-wide lock, so threads cannot share the work; processes can.
A schedule submits its kernels inside `batch()`; when the batch closes, the kernels are split
by size between the worker thread and `config.compile_processes()` forked helpers. A helper
compiles its share into the disk cache and exits; the worker, done with its own share, waits
for the helper and loads those kernels from disk (a few ms each). The helper only fills the
cache: if it fails or is killed, the worker compiles its share itself. Measured on the MLP
train step, empty cache, 2 cores: the process (imports, one step, waiting for the kernels at
exit) took 1.9-2.3 s, against 2.7-2.9 s with the worker alone.
"""
import atexit
import contextlib
import os
import queue
import signal
import threading
import time

from .. import config

# A helper that has not finished by then is killed and its share compiled here (a hung
# helper costs this long; a slow one, its work).
HELPER_DEADLINE_S = 300

_jobs = queue.Queue()
_worker = []
_unfinished = []        # jobs submitted and not yet done, resubmitted in a forked child
_start_lock = threading.Lock()
_batches = threading.local()
_forking_helper = False


def submit(dispatcher, signature, done):
    """Compile `dispatcher` for `signature` in the background, then call done(failure or None)."""
    batch = getattr(_batches, "open", None)
    if batch is not None:
        batch.append((dispatcher, signature, done))
    else:
        _enqueue((dispatcher, signature, done, None))


@contextlib.contextmanager
def batch():
    """Collect the submits made inside; start them together when the block ends, so that
    they can be shared with helper processes."""
    outer = getattr(_batches, "open", None)
    if outer is not None:
        yield
        return
    jobs = _batches.open = []
    try:
        yield
    finally:
        _batches.open = None
    _start(jobs)    # not reached when the block raised: its kernels are not needed


def wait():
    """Block until every submitted kernel has compiled (or failed)."""
    if _worker:
        _jobs.join()


def pending():
    """How many submitted compiles have not finished."""
    return _jobs.unfinished_tasks


def _start(jobs):
    own, shares = _split(jobs)
    helpers = [(_fork_helper(share), share) for share in shares]
    # The worker compiles its own share while the helpers compile theirs, then loads theirs.
    for dispatcher, signature, done in own:
        _enqueue((dispatcher, signature, done, None))
    for helper, share in helpers:
        for dispatcher, signature, done in share:
            _enqueue((dispatcher, signature, done, helper))


def _split(jobs):
    """The worker's jobs and one share per helper, balanced by kernel size. Parallel kernels
    stay in this process: compiling them starts Numba's thread pool, which is not fork-safe."""
    helpers = config.compile_processes() if hasattr(os, "fork") else 0
    movable = [job for job in jobs if not job[0].targetoptions.get("parallel")]
    if helpers == 0 or len(jobs) < 2 or not movable or not config.disk_cache():
        return jobs, []
    # The last entry is this process: it loses ties, since it also runs the first calls
    # through NumPy and loads the helpers' kernels.
    loads = [[0, []] for _ in range(helpers + 1)]
    for job in sorted(movable, key=_size, reverse=True):
        least = min(loads, key=lambda load: load[0])
        least[0] += _size(job)
        least[1].append(job)
    shared = {id(job) for _, share in loads[:-1] for job in share}
    return ([job for job in jobs if id(job) not in shared],
            [share for _, share in loads[:-1] if share])


def _size(job):
    """Compile cost grows with the kernel's bytecode (a proxy; measured costs were 0.16-1.6 s)."""
    return len(job[0].py_func.__code__.co_code)


def _fork_helper(share):
    """A forked process that compiles `share` into the disk cache; its pid, or None when no
    fork was safe. Holding Numba's compiler lock across the fork means no thread of this
    process is inside Numba, whose locks the helper would otherwise inherit held."""
    from numba.core.compiler_lock import global_compiler_lock
    global _forking_helper
    if not global_compiler_lock._lock.acquire(blocking=False):
        return None
    try:
        _forking_helper = True
        pid = os.fork()
        if pid == 0:
            _run_helper(share)
    except OSError:
        pid = None
    finally:
        _forking_helper = False
        global_compiler_lock._lock.release()
    return pid


def _run_helper(share):
    """The helper's whole life: compile, then leave without running the parent's exit
    handlers or flushing its copies of the parent's buffers."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        failed = 0
        for dispatcher, signature, _ in share:
            try:
                dispatcher.compile(signature)
            except Exception:
                failed += 1     # the parent compiles it again and reports the error
        status = 1 if failed else 0
    finally:
        os._exit(status)


def _await_helper(pid):
    """Wait for a helper to exit (once per helper: later jobs find it reaped)."""
    deadline = time.monotonic() + HELPER_DEADLINE_S
    try:
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return
            time.sleep(0.005)
    except ChildProcessError:
        pass    # reaped already, or not our child (a fork of the parent resubmitted this job)


def _enqueue(job):
    with _start_lock:
        if not _worker:
            thread = threading.Thread(target=_work, name="graphkeras-compile", daemon=True)
            thread.start()
            _worker.append(thread)
            atexit.register(wait)
        _unfinished.append(job)
    _jobs.put(job)


def _work():
    while True:
        job = _jobs.get()
        dispatcher, signature, done, helper = job
        try:
            if helper is not None:
                _await_helper(helper)
            # Any error only keeps the region on NumPy; the worker must survive it.
            try:
                dispatcher.compile(signature)   # after a helper: loaded from the disk cache
                failure = None
            except Exception as error:
                failure = f"Numba could not compile this region: {error}"
            done(failure)
        finally:
            with _start_lock:
                _unfinished.remove(job)
            _jobs.task_done()


def _restart_in_child():
    """A forked child has no worker thread: start one for the jobs its parent had pending,
    or the child's next call would wait for them forever. A compile helper runs no jobs."""
    global _jobs, _start_lock
    if _forking_helper:
        return
    pending_jobs = list(_unfinished)
    _jobs = queue.Queue()
    _start_lock = threading.Lock()
    _worker.clear()
    _unfinished.clear()
    for job in pending_jobs:
        _enqueue(job)


os.register_at_fork(after_in_child=_restart_in_child)
