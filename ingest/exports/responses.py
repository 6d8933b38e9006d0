"""Saved API responses read from a file: one JSON document (a response, an object or an array of
either) or a JSON Lines stream, each line one response or object (docs/imports.md).

Text is UTF-8 with or without a BOM, or GB18030/GBK from older Windows tools. A line that is
not JSON is kept with the reason, like anything else that is not an object of the source.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from domain.sources import Source
from ingest import exact_json
from ingest.platforms.envelopes import Refused, Unwrapped, unwrap

JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
_ENCODINGS = ("utf-8-sig", "gb18030")


def read_responses(path: Path, source: Source) -> Iterator[Unwrapped | Refused]:
    """Every object of `source` in the file at `path`, and every part that is not one."""
    encoding = text_encoding(path)
    if path.suffix.lower() == ".json":
        text = path.read_text(encoding=encoding)
        try:
            document = exact_json.loads(text)
        except ValueError:
            pass  # several documents, one per line, under a .json name
        else:
            yield from unwrap(source, document)
            return
    yield from _lines(path, source, encoding)


def _lines(path: Path, source: Source, encoding: str) -> Iterator[Unwrapped | Refused]:
    with path.open(encoding=encoding) as lines:
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            if not text:
                continue
            value: Any
            try:
                value = exact_json.loads(text)
            except ValueError as error:
                yield Refused(text, f"not JSON: line {number}: {error}")
                continue
            yield from unwrap(source, value)


def text_encoding(path: Path) -> str:
    """The first of UTF-8 and GB18030 that decodes the whole file (streamed, bounded memory)."""
    for encoding in _ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as raw:
                while block := raw.read(1 << 20):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ValueError(f"{path}: neither UTF-8 nor GB18030/GBK text")
