"""The world the local platform server serves: every simulated order version, by shop.

A platform's list APIs return the *current* version of each order (or refund) whose modified
time falls in the window, at the server's current time; a version reaches the platform's index
late when the late-update fault says so (`visible` after `modified`). Orders are spread over a
platform's shops deterministically, by a hash of the native id; a refund goes with its order.
"""

from __future__ import annotations

import bisect
import hashlib
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ingest import exact_json
from ingest.platforms.registry import PLATFORM_OF_SOURCE
from ingest.simulate import RawRecord

#: The field of a refund naming its order: a refund belongs to its order's shop.
ORDER_FIELD = {
    "taobao_refunds": "tid",
    "jd_refunds": "orderId",
    "pdd_refunds": "order_sn",
    "wechat_refunds": "order_id",
}


@dataclass(frozen=True)
class Version:
    """One version of one order, as the platform holds it."""

    source: str
    native_id: str | None
    key: str  # the object's identity in the world (the native id, or a stand-in for junk)
    owner: str  # the order it belongs to (itself for an order): what decides its shop
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
        """`shops`: each served platform's shop ids; records of other platforms are left out."""
        late = late or LateUpdates()
        rng = random.Random(f"late:{late.seed}")
        self.shops = {platform: tuple(ids) for platform, ids in shops.items()}
        by_order: dict[str, list[Version]] = defaultdict(list)
        junk = 0
        for record in records:
            platform = PLATFORM_OF_SOURCE.get(record.source)
            if platform not in self.shops:
                continue
            if record.native_id is None:
                junk += 1
                key = f"{record.source}:junk:{junk}"
            else:
                key = f"{record.source}:{record.native_id}"
            owner = key
            if record.source in ORDER_FIELD:
                owner = (
                    f"{platform}:{exact_json.loads(record.payload).get(ORDER_FIELD[record.source])}"
                )
            versions = by_order[key]
            if versions and versions[-1].payload == record.payload:
                continue  # the same version delivered twice by the simulator
            modified = int(record.emitted_at.timestamp())
            visible = modified + late.delay_seconds if rng.random() < late.rate else modified
            versions.append(
                Version(
                    record.source, record.native_id, key, owner, record.payload, modified, visible
                )
            )
        self._by_order = dict(by_order)
        self._listed: dict[tuple[str, str], list[Version]] = defaultdict(list)
        for versions in self._by_order.values():
            versions.sort(key=lambda v: v.modified)
            self._listed[versions[0].source, self.shop_of(versions[0])] += versions
        for versions in self._listed.values():
            versions.sort(key=lambda v: (v.modified, v.key))
        self._modified = {k: [v.modified for v in vs] for k, vs in self._listed.items()}

    def shop_of(self, version: Version) -> str:
        shops = self.shops[PLATFORM_OF_SOURCE[version.source]]
        return shops[shop_index(version.owner, len(shops))]

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
        listed = self.listing_all(source, shop, start, end)
        return [v for v in listed if self.current(v.key, at) is v]

    def created_listing(
        self, source: str, shop: str, start: int, end: int, at: int
    ) -> list[Version]:
        """Current versions (at `at`) of the shop's objects whose first version falls in
        [start, end]: a listing by creation (or application) time."""
        found = []
        for version in self.listing_all(source, shop, start, end):
            versions = self._by_order[version.key]
            if versions[0] is version:
                current = self.current(version.key, at)
                if current is not None:
                    found.append(current)
        return found

    def listing_all(self, source: str, shop: str, start: int, end: int) -> list[Version]:
        """Every version of the shop's objects modified in [start, end], oldest first."""
        versions = self._listed.get((source, shop), [])
        modified = self._modified.get((source, shop), [])
        low, high = bisect.bisect_left(modified, start), bisect.bisect_right(modified, end)
        return versions[low:high]

    def exposed(self, at: int) -> list[Version]:
        """Every order's current version at `at`."""
        found = (self.current(key, at) for key in self._by_order)
        return [version for version in found if version is not None]

    def last_modified(self) -> int:
        return max(v.visible for vs in self._by_order.values() for v in vs)
