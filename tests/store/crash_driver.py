"""Crash-test driver: import one folder into a vault, one line per committed file.

Run as ``python crash_driver.py VAULT FOLDER MEMORY_KIB TIME_COST PARALLELISM`` with
``CARNET_PASSPHRASE`` set. It prints ``ready`` once the vault is open, then
``done <file>`` (flushed) as soon as that file's transaction has committed: the
pipeline asks for progress on file i only after file i-1 is stored.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from carnet.ingest import import_paths
from carnet.store import open_vault
from carnet.store.keys import KdfParams


def main() -> None:
    vault, folder, memory_kib, time_cost, parallelism = sys.argv[1:6]
    kdf = KdfParams(int(memory_kib), int(time_cost), int(parallelism))
    with open_vault(vault, os.environ["CARNET_PASSPHRASE"], kdf=kdf) as v:
        print("ready", flush=True)
        previous: list[str] = []

        def progress(name: str, _done: int, _total: int) -> None:
            if previous:
                print(f"done {previous.pop()}", flush=True)
            if name:
                previous.append(name)

        import_paths(v, [Path(folder)], progress=progress)
    print("finished", flush=True)


if __name__ == "__main__":
    main()
