"""Replace a report file in one step: write a hidden sibling, then move it over the target.

Readers never see a half-written file, and a failed write leaves the previous file in place
(the sibling, ``.<name>.tmp``, is removed either way).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def replacing(target: Path, mode: str = "wb", **open_args: Any) -> Iterator[IO[Any]]:
    """A handle on ``target``'s temporary sibling; moved onto ``target`` when the block succeeds.

    ``mode`` and ``open_args`` go to ``Path.open`` (``"w", encoding=..., newline=""`` for CSV).
    """
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with tmp.open(mode, **open_args) as handle:
            yield handle
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
