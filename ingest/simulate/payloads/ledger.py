"""Finance ledger entries: a settlement per paid, not held order, a refund entry per refund."""

from __future__ import annotations

from ingest.simulate.formats import china_date, china_millis, yuan
from ingest.simulate.lifecycle import NO_REFUND, OrderPlan

CHANNELS = {"TB": "alipay", "JD": "jdpay", "PDD": "pddpay", "WX": "wxpay"}
_CHANNEL = {
    code: f',"channel":"{channel}","platform":"{code}","order_no":"'
    for code, channel in CHANNELS.items()
}


class LedgerBook:
    """Allocates entry ids (`LE` + 12 digits) and monthly voucher numbers; renders entries."""

    def __init__(self) -> None:
        self._entries = 0
        self._vouchers: dict[str, int] = {}

    def _entry(self, plan: OrderPlan, entry_type: str, fen: int, ms: int) -> tuple[int, str, str]:
        self._entries += 1
        entry_id = f"LE{self._entries:012d}"
        month = china_date(ms)[:7]
        voucher = self._vouchers.get(month, 0) + 1
        self._vouchers[month] = voucher
        booked = str(ms) if plan.ledger_epoch else f'"{china_millis(ms)}"'
        payload = (
            f'{{"entry_id":"{entry_id}","entry_type":"{entry_type}"{_CHANNEL[plan.code]}'
            f'{plan.native_id}","amount":"{yuan(fen)}",'
            f'"booked_at":{booked},"voucher_no":"记-{month}-{voucher:05d}"}}'
        )
        return ms, entry_id, payload

    def render(self, plan: OrderPlan) -> list[tuple[int, str, str]]:
        """[(epoch ms, entry_id, payload)] for one order that reached the ledger."""
        entries = [self._entry(plan, "settlement", plan.payment_fen, plan.settled_at)]
        if plan.refund_kind != NO_REFUND:
            entries.append(self._entry(plan, "refund", plan.refund_fen, plan.refund_booked_at))
        return entries
