"""The refunds of one planned order, as each platform's refund API serves them (docs/payloads.md).

No platform keeps refund amounts on the order object: the simulator emits every refund as
records of the platform's refund source, with the versions a real refund goes through (asked,
then succeeded; or asked, then refused or closed). The split is derived from the plan alone
(no random draws), so the order stream is the same with or without refunds:

- Taobao refunds per sub-order: a partial refund covers the fewest sub-orders from the first
  whose amounts reach it, the last one only in part (one sub-order refunded in part when one
  suffices); a full refund covers every sub-order, the post fee with the last.
- JD, Pinduoduo and WeChat: one refund, or two for one order in `SPLIT_EVERY`.
- One refunded order in `REFUSED_EVERY` also has an earlier refund that was refused or closed,
  which refunds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.simulate.lifecycle import (
    EV_REFUND_REQUESTED,
    EV_REFUNDED,
    FULL,
    NO_REFUND,
    PARTIAL,
    REFUND_ONLY,
    OrderPlan,
)

SPLIT_EVERY = 3  # orders with index % SPLIT_EVERY == 0 are refunded in two refunds
REFUSED_EVERY = 5  # orders with index % REFUSED_EVERY == 2 also have a refused refund
REFUSED_ASKED_BEFORE_MS = 6 * 60_000  # the refused refund: asked this long before the real one
REFUSED_CLOSED_BEFORE_MS = 2 * 60_000  # and refused or closed this long before it


@dataclass(frozen=True)
class RefundPart:
    """One refund of an order: which line it covers, how much, and whether it succeeds."""

    number: int  # 0, 1, … within the order (the refund id derives from it)
    line: int  # index of the order line it covers (Taobao sub-order, PDD/WeChat SKU)
    fen: int
    succeeds: bool
    asked_at: int  # epoch ms
    settled_at: int  # epoch ms: succeeded, or refused / closed


def refund_parts(plan: OrderPlan) -> list[RefundPart]:
    """Every refund of the order, in the order they were asked for."""
    if plan.refund_kind == NO_REFUND:
        return []
    asked = next(ms for ms, kind in plan.events if kind == EV_REFUND_REQUESTED)
    done = next(ms for ms, kind in plan.events if kind == EV_REFUNDED)
    amounts = _amounts(plan)
    parts: list[RefundPart] = []
    if plan.index % REFUSED_EVERY == 2:
        line, fen = amounts[0]
        parts.append(
            RefundPart(
                0,
                line,
                fen,
                False,
                asked - REFUSED_ASKED_BEFORE_MS,
                asked - REFUSED_CLOSED_BEFORE_MS,
            )
        )
    for line, fen in amounts:
        parts.append(RefundPart(len(parts), line, fen, True, asked, done))
    return parts


def _amounts(plan: OrderPlan) -> list[tuple[int, int]]:
    """(line, fen) of each successful refund; they add up to plan.refund_fen."""
    total = plan.refund_fen
    if plan.source == "taobao":
        return _taobao_amounts(plan)
    if plan.refund_kind != REFUND_ONLY and plan.index % SPLIT_EVERY == 0 and total >= 2:
        first = total // 2
        return [(0, first), (len(plan.lines) - 1, total - first)]
    return [(0, total)]


def _taobao_amounts(plan: OrderPlan) -> list[tuple[int, int]]:
    goods = [product.price_fen * qty for product, qty in plan.lines]
    if plan.refund_kind == FULL:
        out = list(enumerate(goods))
        line, fen = out[-1]
        out[-1] = (line, fen + plan.post_fen)
        return out
    out = []
    left = plan.refund_fen
    for line, fen in enumerate(goods):
        take = min(fen, left)
        out.append((line, take))
        left -= take
        if left == 0:
            break
    if left:  # a refund above the goods (post fee included) goes with the last line
        line, fen = out[-1]
        out[-1] = (line, fen + left)
    return out


def is_return(plan: OrderPlan) -> bool:
    """Goods go back: a partial refund after shipment (full refunds happen before it, and a
    refund only 仅退款 keeps the goods)."""
    return plan.refund_kind == PARTIAL
