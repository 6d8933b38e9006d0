"""The numbers the reconciliation rules are judged by (docs/domain.md, "Reconciliation")."""

from __future__ import annotations

from datetime import timedelta

#: A window drifts when |source − store| / source exceeds this, on counts or on amounts (0.3 %).
DRIFT_THRESHOLD = 0.003
#: Reconciliation windows are this long, by payment time.
WINDOW = timedelta(minutes=30)
#: Normal booking lag after the payment: the ERP books minutes to hours later, the ledger as
#: the money arrives. Keep the ERP's under 8 hours, or a time-zone slip (8 hours late) would
#: pass as a late booking.
ERP_BOOKING_LAG = timedelta(hours=6)
LEDGER_BOOKING_LAG = timedelta(minutes=10)
#: Red board items older than this are escalated to IT.
ESCALATE_AFTER = timedelta(hours=2)
#: Share of a platform's orders that must carry each required field (99.7 %).
REQUIRED_FIELD_SHARE = 0.997
#: The drift check leaves out the newest windows for this long: the ERP and the ledger book
#: up to this long after the payment.
DRIFT_SETTLE = timedelta(hours=2)
#: The drift check judges the settled windows of this last stretch.
DRIFT_LOOKBACK = timedelta(hours=24)


def as_percent(fraction: float) -> str:
    """0.003 → '0.3 %', for people."""
    return f"{fraction * 100:g} %"
