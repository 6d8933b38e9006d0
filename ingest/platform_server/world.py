"""The world the local platform server serves: every simulated order version, by shop.

A platform's list APIs return the *current* version of each order whose modified time falls in
the window, at the server's current time; a version reaches the platform's index late when the
late-update fault says so (`visible` after `modified`). Orders are spread over a platform's
shops deterministically, by a hash of the native id.
"""

from __future__ import annotations

import bisect
import hashlib
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ingest.simulate import RawRecord


@dataclass(frozen=True)
class Version:
    """One version of one order, as the platform holds it."""

    source: str
    native_id: str | None
    key: str  # the order's identity in the world (the native id, or a stand-in for junk)
    payload: str
    modified: int  # epoch seconds
    visible: int  # epoch seconds from which the platform serves it


@dataclass(frozen=True)
class LateUpdates:
    """A share of versions reaching the platform's index `delay_seconds` after their modified
    time (how an order modified at 10:00 can first be listed at 10:08)."""

    rate: float = 0.0
    delay_seconds: int = 480
    seed: int = 0


def shop_index(key: str, shops: int) -> int:
    """Which of a platform's `shops` an order belongs to."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % shops


class World:
    """Versions by source and shop, sorted by modified time, queried as of a given instant."""

    def __init__(
        self,
        records: Iterable[RawRecord],
        shops: Mapping[str, Sequence[str]],
        late: LateUpdates | None = None,
    ) -> None:
        late = late or LateUpdates()
        rng = random.Random(f"late:{late.seed}")
        self.shops = {source: tuple(ids) for source, ids in shops.items()}
        by_order: dict[str, list[Version]] = defaultdict(list)
        junk = 0
        for record in records:
            if record.source not in self.shops:
                continue
            if record.native_id is None:
                junk += 1
                key = f"{record.source}:junk:{junk}"
            else:
                key = f"{record.source}:{record.native_id}"
            versions = by_order[key]
            if versions and versions[-1].payload == record.payload:
                continue  # the same version delivered twice by the simulator
            modified = int(record.emitted_at.timestamp())
            visible = modified + late.delay_seconds if rng.random() < late.rate else modified
            versions.append(
                Version(record.source, record.native_id, key, record.payload, modified, visible)
            )
        self._by_order = dict(by_order)
        self._listed: dict[tuple[str, str], list[Version]] = defaultdict(list)
        for key, versions in self._by_order.items():
            versions.sort(key=lambda v: v.modified)
            source = versions[0].source
            shop = self.shops[source][shop_index(key, len(self.shops[source]))]
            self._listed[source, shop] += versions
        for versions in self._listed.values():
            versions.sort(key=lambda v: (v.modified, v.key))
        self._modified = {k: [v.modified for v in vs] for k, vs in self._listed.items()}

    def shop_of(self, version: Version) -> str:
        shops = self.shops[version.source]
        return shops[shop_index(version.key, len(shops))]

    def current(self, key: str, at: int) -> Version | None:
        """The version of an order the platform serves at `at` (None before it exists)."""
        found = None
        for version in self._by_order[key]:
            if version.visible <= at and (found is None or version.modified >= found.modified):
                found = version
        return found

    def listing(self, source: str, shop: str, start: int, end: int, at: int) -> list[Version]:
        """Current versions (at `at`) of the shop's orders modified in [start, end], oldest
        first."""
        versions = self._listed.get((source, shop), [])
        modified = self._modified.get((source, shop), [])
        low, high = bisect.bisect_left(modified, start), bisect.bisect_right(modified, end)
        return [v for v in versions[low:high] if self.current(v.key, at) is v]

    def exposed(self, at: int) -> list[Version]:
        """Every order's current version at `at`."""
        found = (self.current(key, at) for key in self._by_order)
        return [version for version in found if version is not None]

    def last_modified(self) -> int:
        return max(v.visible for vs in self._by_order.values() for v in vs)
