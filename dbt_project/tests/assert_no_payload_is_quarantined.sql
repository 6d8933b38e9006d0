{#- Warns while any landed payload sits in quarantine (unparseable time or amount, missing field,
    unknown status), one row per source and reason, so on-call hears about bad input. The
    payloads themselves stay in raw. -#}
{{ config(severity='warn') }}

select source, reason_kind, count(*) as payloads
from {{ ref('int_payloads__quarantined') }}
group by source, reason_kind
