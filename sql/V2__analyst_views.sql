-- Views for billing analysts. Days and months are UTC calendar days and months.

CREATE VIEW spend_daily AS
SELECT account_id,
       model,
       (hour AT TIME ZONE 'UTC')::date AS day,
       sum(requests)::bigint          AS requests,
       sum(prompt_tokens)::bigint     AS prompt_tokens,
       sum(completion_tokens)::bigint AS completion_tokens,
       sum(list_cost_usd)     AS list_cost_usd,
       sum(list_cost_usd - cost_usd) AS discount_usd,
       sum(cost_usd)          AS cost_usd
FROM usage_hourly
GROUP BY account_id, model, (hour AT TIME ZONE 'UTC')::date;

CREATE VIEW spend_monthly AS
SELECT account_id,
       model,
       date_trunc('month', hour AT TIME ZONE 'UTC')::date AS month,
       sum(requests)::bigint          AS requests,
       sum(prompt_tokens)::bigint     AS prompt_tokens,
       sum(completion_tokens)::bigint AS completion_tokens,
       sum(list_cost_usd)     AS list_cost_usd,
       sum(list_cost_usd - cost_usd) AS discount_usd,
       sum(cost_usd)          AS cost_usd
FROM usage_hourly
GROUP BY account_id, model, date_trunc('month', hour AT TIME ZONE 'UTC')::date;

-- One line per account and month: what was used and what it cost, beside the account's
-- current credits and balance.
CREATE VIEW monthly_statement AS
SELECT m.account_id,
       m.month,
       sum(m.requests)::bigint                             AS requests,
       sum(m.prompt_tokens + m.completion_tokens)::bigint AS tokens,
       sum(m.list_cost_usd)                        AS list_cost_usd,
       sum(m.discount_usd)                         AS discount_usd,
       sum(m.cost_usd)                             AS cost_usd,
       b.credits_usd                               AS credits_usd_now,
       b.balance_usd                               AS balance_usd_now,
       b.status                                    AS status_now
FROM spend_monthly m
LEFT JOIN account_balance b USING (account_id)
GROUP BY m.account_id, m.month, b.credits_usd, b.balance_usd, b.status;

CREATE VIEW revenue_by_model_daily AS
SELECT model,
       day,
       count(DISTINCT account_id)::bigint AS accounts,
       sum(requests)::bigint              AS requests,
       sum(prompt_tokens)::bigint         AS prompt_tokens,
       sum(completion_tokens)::bigint     AS completion_tokens,
       sum(discount_usd)          AS discount_usd,
       sum(cost_usd)              AS revenue_usd
FROM spend_daily
GROUP BY model, day;
