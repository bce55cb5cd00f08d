"""Where the import's steps 1 and 3–4 run: forked worker processes, or in line.

Reading, identifying, extracting and preparing a file (canonical JSON, hashes,
compressing the original) is CPU work in Python: in a thread it would compete
with the writer for the GIL, so that on two cores the writer would wait for
the GIL after every SQLite call. Forked worker processes run these steps
truly in parallel: they read the inputs themselves (the writer never touches the
original bytes) and send back, in order and a file or two ahead at most, what
the writer needs: the file's name and SHA-256, its compressed chunks and its
records as rows (:class:`carnet.store.rows.Ready`).

The workers take turns, file by file (:func:`workers_for`: one per core left to
the writer, at most :data:`MAX_WORKERS`, fewer than the files). Each worker
reads every input (to keep count) and extracts only its share. On the 2-core
machine this runs on, that is one worker: two were 10–25 % slower (three
processes on two cores, and every file read twice).

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
import itertools
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Generator, Iterable
from contextlib import suppress
from dataclasses import replace
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from carnet.errors import CarnetError, RejectedFile
from carnet.model import Extracted
from carnet.sources.base import InputFile
from carnet.sources.registry import Registry
from carnet.store.rows import FileRef, Prepared, prepare

Extraction = tuple[str, Extracted, Prepared] | RejectedFile
Arrival = RejectedFile | tuple[InputFile | FileRef, Callable[[], Extraction]]
Arrivals = Generator[Arrival, None, None]
Inputs = Iterable[InputFile | RejectedFile]

_PR_SET_PDEATHSIG = 1
#: Most worker processes an import starts (each reads every input, and extracts its share).
MAX_WORKERS = 4
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


def _work(inputs: Inputs, registry: Registry, out: Connection, parent: int, share: int, workers: int) -> None:
    """A worker: die with the parent (a SIGKILLed import leaves no orphan), then send, in order,
    every ``workers``-th input from the ``share``-th on (all of them are read, to keep count).

    The worker builds only acyclic data (parsed JSON, records, rows), freed by reference
    counting: its cycle collector stays off, which spares, for every file, a pass over
    its whole freshly parsed tree (13 % of the worker's time for ``synthea_r4``).
    """
    gc.disable()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)
    try:
        for index, item in enumerate(inputs):
            if index % workers != share:
                continue
            message = _message(item, registry)
            out.send(message)  # blocks while the pipe holds what the writer has not taken
            if isinstance(item, InputFile) and message[0] == "lazy":
                out.send_bytes(item.data)  # as they are: a large file is not copied into a pickle
        out.send(("end",))
    except BaseException as err:  # whatever it is, the writer must hear of it
        out.send(("error", f"{type(err).__name__}: {err}"))
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
    """How many workers extract ``files`` files: one per core besides the writer's (the first
    file is extracted in line)."""
    return max(1, min(MAX_WORKERS, (os.cpu_count() or 1) - 1, files - 1))


def forked(inputs: Inputs, registry: Registry, workers: int = 1) -> Arrivals:
    """Inputs read, identified, extracted and prepared in ``workers`` forked workers, taking
    turns file by file, each a file or two ahead of the writer."""
    context = multiprocessing.get_context("fork")
    pending = iter(inputs)
    first = next(pending, None)  # done here, while the workers start on the next ones
    pool: list[tuple[BaseProcess, Connection]] = []
    for share in range(workers):
        receive, send = context.Pipe(duplex=False)
        _widen(send)
        args = (pending, registry, send, os.getpid(), share, workers)
        process = context.Process(target=_work, args=args, daemon=True)
        process.start()
        send.close()
        pool.append((process, receive))
    finished = False
    try:
        if first is not None:
            yield from inline([first], registry)
        for index in itertools.count():
            worker, receive = pool[index % workers]
            message = _receive(receive, worker)
            if message[0] == "end":  # no input left: every other worker has reached the end too
                for other, pipe in pool:
                    if other is not worker:
                        _receive(pipe, other)  # its own ("end",)
                finished = True
                return
            if message[0] == "error":
                raise CarnetError(f"the import's worker process failed: {message[1]}")
            if message[0] == "lazy":
                file = InputFile(message[1], _receive(receive, worker, raw=True), message[2])
                yield file, partial(extract, file, registry)
            else:
                yield _arrival(message)
    finally:
        for worker, receive in pool:
            receive.close()
            if not finished:
                worker.kill()  # stopped early (an error, an interrupt): nothing it does is needed any more
            worker.join()
