"""Where the import's steps 1 and 3–4 run: forked worker processes, or in line.

Reading, identifying, extracting and preparing a file (canonical JSON, hashes,
compressing the original) is CPU work in Python: in a thread it would compete
with the writer for the GIL, so that on two cores the writer would wait for
the GIL after every SQLite call. Forked worker processes run these steps
truly in parallel: they read the inputs themselves and send back, a file or two
ahead at most, what the writer needs: the file's name and SHA-256, its
compressed chunks and its records as rows (:class:`carnet.store.rows.Ready`).

Whoever is free takes the next input (a counter in shared memory): the
workers (:func:`workers_for`: one per core left to the writer, at most
:data:`MAX_WORKERS`), and the writer itself when it has nothing to write yet
(it then holds that one result until its turn). On the 2-core machine this runs
on, that is one worker plus the writer: a worker alone left the writer idle a
third of the time (0.25–0.3 s of 0.7 s for ``synthea_r4``), and two workers were
10–25 % slower (three processes on two cores). Each worker reads every input (to
keep count) and extracts only those it took.

:func:`forked` and :func:`inline` give :data:`Arrival` s in input order: an input refused when read, or a
file with a call that returns its :data:`Extraction` (waiting if need be).

The processes are used only where it is safe and worth it (:func:`use_process`):
on Linux (fork; a worker dies with its parent), when the importing process
has no other thread (forking a threaded process can deadlock the child), and
for two files or more (a single file would only pay the start-up); otherwise
each file is extracted in line, just before it is written. Files whose
records are read lazily (NDJSON, streamed in bounded memory) come back as
their bytes (not pickled, so not copied once more): the writer's process
extracts them itself, as it reads their records.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Generator, Iterable
from contextlib import suppress
from dataclasses import replace
from functools import partial
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from typing import Any, TypeAlias

from carnet.errors import CarnetError, RejectedFile
from carnet.model import Extracted
from carnet.sources.base import InputFile
from carnet.sources.registry import Registry
from carnet.store.rows import FileRef, Prepared, prepare

Extraction = tuple[str, Extracted, Prepared] | RejectedFile
Counter: TypeAlias = "Synchronized[int]"  # a shared ``q`` value with its lock
Arrival = RejectedFile | tuple[InputFile | FileRef, Callable[[], Extraction]]
Arrivals = Generator[Arrival, None, None]
Inputs = Iterable[InputFile | RejectedFile]

_PR_SET_PDEATHSIG = 1
#: Most worker processes an import starts (each reads every input, and extracts its share).
MAX_WORKERS = 4
#: Whether the writer extracts an input itself when no worker has a result for it yet
#: (off, the workers extract everything: the writer waits instead).
WRITER_TAKES_INPUTS = True
#: Pipe capacity asked for (Linux allows up to /proc/sys/fs/pipe-max-size, 1 MiB by default).
PIPE_BYTES = 1 << 20


def extract(file: InputFile, registry: Registry) -> Extraction:
    """Steps 3–4: the one importer that claims the file, what it extracts, and the
    work on it that needs no database (see :func:`carnet.store.rows.prepare`)."""
    try:
        importer = registry.claim(file)
        extracted = importer.extract(file)
        return importer.name, extracted, prepare(file, extracted)
    except RejectedFile as err:
        return err


def use_process(files: int | None) -> bool:
    """Whether ``files`` files (None: unknown) should be read and extracted in a forked worker."""
    return (
        files is not None
        and files >= 2
        and sys.platform == "linux"
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


# --- in line, in this process --------------------------------------------------------------------


def inline(inputs: Inputs, registry: Registry) -> Arrivals:
    """Each file read, then extracted when the writer asks for it, in this thread.

    No helper thread: with the extraction's pure Python in a second thread, the
    writer waited for the GIL after each SQLite call, and the whole import was
    slower than doing one step after the other (1.19 s against 1.03 s for
    ``synthea_r4`` on the 2-core VM, best of 4).
    """
    for item in inputs:
        if isinstance(item, RejectedFile):
            yield item
        else:
            yield item, partial(extract, item, registry)


# --- in a forked worker process -----------------------------------------------------------------


def _message(item: InputFile | RejectedFile, registry: Registry) -> tuple[Any, ...]:
    """In the worker: what one input becomes on the pipe (exceptions travel as plain strings)."""
    if isinstance(item, RejectedFile):
        return ("refused", item.file, item.position, item.reason)
    ref = FileRef(item.name, item.sha256)
    got = extract(item, registry)
    if isinstance(got, RejectedFile):
        return ("rejected", ref, got.file, got.position, got.reason)
    name, extracted, prepared = got
    if prepared.records is None:
        return ("lazy", item.name, item.group)  # the bytes follow: the writer's process extracts them
    # The records travel as rows; persons without their resource (the writer needs neither).
    persons = [replace(p, resource=None) for p in extracted.persons]
    slim = Extracted(persons, [], extracted.problems, extracted.source_name, extracted.read)
    return ("ready", ref, name, slim, prepared)


def _claim(counter: Counter) -> int:
    """The next input nobody has taken yet; it is the caller's to extract."""
    with counter.get_lock():
        index = int(counter.value)
        counter.value = index + 1
    return index


def _work(inputs: Inputs, registry: Registry, out: Connection, parent: int, counter: Counter) -> None:
    """A worker: die with the parent (a SIGKILLed import leaves no orphan), then take inputs one
    at a time (:func:`_claim`) and send what each becomes, tagged with its index, in order.

    Every input is read (the index is its place in the sequence), only the claimed
    ones are extracted. The worker builds only acyclic data (parsed JSON, records,
    rows), freed by reference counting: its cycle collector stays off, which spares,
    for every file, a pass over its whole freshly parsed tree (13 % of the worker's
    time for ``synthea_r4``).
    """
    gc.disable()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)
    try:
        mine = _claim(counter)
        for index, item in enumerate(inputs):
            if index != mine:
                continue
            message = _message(item, registry)
            out.send((index, message))  # blocks while the pipe holds what the writer has not taken
            if isinstance(item, InputFile) and message[0] == "lazy":
                out.send_bytes(item.data)  # as they are: a large file is not copied into a pickle
            mine = _claim(counter)
        out.send((None, ("end",)))
    except BaseException as err:  # whatever it is, the writer must hear of it
        out.send((None, ("error", f"{type(err).__name__}: {err}")))
    finally:
        out.close()


def _widen(pipe: Connection) -> None:
    """Let the pipe hold a typical file's message (Linux: 64 KiB by default), so that the
    worker goes on with the next file while the writer has not yet taken the last one."""
    import fcntl  # POSIX only; this runs on Linux only (see use_process)

    with suppress(OSError):
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _arrival(message: tuple[Any, ...]) -> Arrival:
    kind = message[0]
    if kind == "refused":
        return RejectedFile(*message[1:])
    if kind == "rejected":
        refused = RejectedFile(*message[2:])
        return message[1], lambda: refused
    ready: tuple[str, Extracted, Prepared] = message[2:]
    return message[1], lambda: ready


def _receive(pipe: Connection, worker: BaseProcess, raw: bool = False) -> Any:
    """The worker's next message (``raw``: bytes sent as they are); its death is an error, not a hang."""
    try:
        return pipe.recv_bytes() if raw else pipe.recv()
    except EOFError:
        worker.join()
        raise CarnetError(f"the import's worker process stopped (exit code {worker.exitcode})") from None


def workers_for(files: int) -> int:
    """How many workers extract ``files`` files: one per core besides the writer's."""
    return max(1, min(MAX_WORKERS, (os.cpu_count() or 1) - 1, files - 1))


class _Worker:
    """One worker process, its pipe, and the message read from it and not yet used (at most one)."""

    def __init__(self, process: BaseProcess, pipe: Connection) -> None:
        self.process, self.pipe = process, pipe
        self.head: tuple[int, Arrival] | None = None
        self.ended = False

    def read(self, registry: Registry) -> None:
        """Take the next message from the pipe (it must be there, or come)."""
        index, message = _receive(self.pipe, self.process)
        if message[0] == "end":
            self.ended = True
        elif message[0] == "error":
            raise CarnetError(f"the import's worker process failed: {message[1]}")
        elif message[0] == "lazy":
            file = InputFile(message[1], _receive(self.pipe, self.process, raw=True), message[2])
            self.head = (index, (file, partial(extract, file, registry)))
        else:
            self.head = (index, _arrival(message))


def _extracted_now(item: InputFile | RejectedFile, registry: Registry) -> Arrival:
    """An input extracted at once, in this process (the writer had nothing to write)."""
    if isinstance(item, RejectedFile):
        return item
    got = extract(item, registry)
    return item, lambda: got


def forked(inputs: Inputs, registry: Registry, workers: int = 1) -> Arrivals:
    """Inputs read, identified, extracted and prepared by ``workers`` forked workers and, when
    it would otherwise wait, by the writer itself; given back in input order.

    Whoever is free takes the next input (:func:`_claim`, a counter in shared memory).
    The writer takes one only when no worker has a result for it; it then holds
    at most that one result until its turn. Each worker is a file or two ahead
    at most (its pipe's capacity).
    """
    context = multiprocessing.get_context("fork")
    counter: Counter = context.Value("q", 0)
    pending = iter(inputs)
    pool: list[_Worker] = []
    for _ in range(workers):
        receive, send = context.Pipe(duplex=False)
        _widen(send)
        process = context.Process(target=_work, args=(pending, registry, send, os.getpid(), counter), daemon=True)
        process.start()
        send.close()
        pool.append(_Worker(process, receive))
    mine = enumerate(pending)  # this process's own copy of the sequence, for the inputs it takes
    held: tuple[int, Arrival] | None = None  # what the writer extracted ahead of its turn
    total: int | None = None  # the number of inputs, once the writer has seen the end
    seen = 0  # inputs of ``mine`` gone by
    finished = False
    try:
        index = 0
        while total is None or index < total:
            if held is not None and held[0] == index:
                yield held[1]
                held, index = None, index + 1
                continue
            found = next((w for w in pool if w.head is not None and w.head[0] == index), None)
            if found is not None and found.head is not None:
                arrival = found.head[1]
                found.head = None
                yield arrival
                index += 1
                continue
            waiting = [w for w in pool if w.head is None and not w.ended]
            ready = wait([w.pipe for w in waiting], timeout=0) if waiting else []
            if not ready and held is None and total is None and WRITER_TAKES_INPUTS:  # nothing to write: take one
                claimed = _claim(counter)
                item = None
                for position, candidate in mine:  # the inputs before it are the workers'
                    seen = position + 1
                    if position == claimed:
                        item = candidate
                        break
                if item is None:
                    total = seen  # the end of the inputs: nothing more to take
                else:
                    held = (claimed, _extracted_now(item, registry))
                continue
            if not ready:
                if not waiting:
                    if held is None and all(w.ended and w.head is None for w in pool):
                        break  # every worker saw the end of the inputs, and every one was given back
                    raise CarnetError("the import's workers ended before every file was read")
                ready = wait([w.pipe for w in waiting])
            for worker in waiting:
                if worker.pipe in ready:
                    worker.read(registry)
        for worker in pool:
            while not worker.ended:  # each has seen the end of the inputs by now
                worker.read(registry)
        finished = True
    finally:
        for worker in pool:
            worker.pipe.close()
            if not finished:
                worker.process.kill()  # stopped early (an error, an interrupt): nothing it does is needed any more
            worker.process.join()
