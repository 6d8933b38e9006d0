{#- Fails when any landed payload carries a native status or refund status that the seeds do
    not map. Those payloads are quarantined (kept, not lost); the mapping seed needs a row. -#}
{{ config(severity='warn') }}

select source, raw_id, native_id, reason
from {{ ref('int_payloads__quarantined') }}
where reason like 'unknown native status:%'
   or reason like 'unknown native refund status:%'
