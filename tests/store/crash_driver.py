"""Crash-test driver: import one folder into a vault, one line per committed file.

Run as ``python crash_driver.py VAULT FOLDER MEMORY_KIB TIME_COST PARALLELISM`` with
``CARNET_PASSPHRASE`` set. It prints ``ready`` once the vault is open, then
``done <file>`` (flushed) for each file the pipeline says is durable (its
``on_commit`` hook), and ``finished`` at the end.

Group commits come every 0.1 s here rather than 0.5 s, so that an import of
under a second spans many of them and kills fall between commits, whatever
the speed of the machine.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from carnet import ingest
from carnet.ingest import FileResult, import_paths
from carnet.store import open_vault
from carnet.store.keys import KdfParams


def main() -> None:
    ingest.GROUP_SECONDS = 0.1
    vault, folder, memory_kib, time_cost, parallelism = sys.argv[1:6]
    kdf = KdfParams(int(memory_kib), int(time_cost), int(parallelism))
    with open_vault(vault, os.environ["CARNET_PASSPHRASE"], kdf=kdf) as v:
        print("ready", flush=True)

        def committed(files: list[FileResult]) -> None:
            for f in files:
                print(f"done {f.name}", flush=True)

        import_paths(v, [Path(folder)], on_commit=committed)
    print("finished", flush=True)


if __name__ == "__main__":
    main()
