"""Native order ids in each platform's format, unique per platform, derived from counter + seed.

An id is `base + (counter * MULTIPLIER + offset) mod M`: the multiplier is coprime to M, so
distinct counters below M give distinct ids; the offset comes from the seed.
"""

from __future__ import annotations

import random

_MULTIPLIER = 7_046_029_254_386_353_131  # odd and not a multiple of 5: coprime to 10**k


class NativeIds:
    """Makes each platform's native order id from a global order counter."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(f"ordersight-sim:{seed}:ids")
        self._tb = rng.randrange(10**17)
        self._jd = rng.randrange(10**11)
        self._pdd = rng.randrange(10**15)
        self._wx = rng.randrange(10**17)

    def taobao(self, counter: int) -> int:
        """19-digit Taobao tid (a JSON number in the payload)."""
        return 3_800_000_000_000_000_000 + (counter * _MULTIPLIER + self._tb) % 10**17

    def taobao_oid(self, counter: int, line: int) -> int:
        """Taobao sub-order id of line `line` (0-3) of an order."""
        return 4_000_000_000_000_000_000 + ((counter * _MULTIPLIER + self._tb) % 10**17) * 4 + line

    def taobao_refund(self, counter: int, number: int) -> int:
        """19-digit Taobao refund_id (above 2^53) of refund `number` (0-7) of an order."""
        return (
            5_000_000_000_000_000_000 + ((counter * _MULTIPLIER + self._tb) % 10**17) * 8 + number
        )

    def refund(self, counter: int, number: int) -> int:
        """JD refund apply id / Pinduoduo after-sale id of refund `number` (0-7) of an order."""
        return 10**12 + ((counter * _MULTIPLIER + self._jd) % 10**11) * 8 + number

    def jd(self, counter: int) -> str:
        """12-digit JD orderId."""
        return str(300_000_000_000 + (counter * _MULTIPLIER + self._jd) % 10**11)

    def pdd(self, counter: int, yymmdd: str) -> str:
        """PDD order_sn: China-time creation date `yymmdd-` plus 15 digits."""
        return f"{yymmdd}-{(counter * _MULTIPLIER + self._pdd) % 10**15:015d}"

    def wechat(self, counter: int) -> str:
        """19-digit WeChat shop order_id."""
        return str(3_700_000_000_000_000_000 + (counter * _MULTIPLIER + self._wx) % 10**17)
