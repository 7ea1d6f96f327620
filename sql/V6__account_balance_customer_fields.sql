-- What the billing page shows beside the money: the account's monthly hard limit (null: none),
-- its spend-alert thresholds (a JSON array of decimal strings, ascending, so money stays exact and
-- one column holds the whole list) and the free credits it has not spent yet. Free credits are
-- spent first: free_credits_left_usd = greatest(0, least(free credits, free credits - spend)).
ALTER TABLE account_balance ADD COLUMN monthly_hard_limit_usd numeric(38,18);
ALTER TABLE account_balance ADD COLUMN alert_thresholds_usd jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE account_balance ADD COLUMN free_credits_left_usd numeric(38,18);

-- the same columns, appended, so the view's existing columns keep their positions
CREATE OR REPLACE VIEW account_balance_now AS
SELECT account_id,
       credits_usd,
       spend_usd,
       balance_usd,
       status,
       CASE WHEN spend_month = date_trunc('month', now() AT TIME ZONE 'UTC')::date
            THEN month_spend_usd ELSE 0 END AS month_spend_usd,
       updated_at,
       version,
       monthly_hard_limit_usd,
       alert_thresholds_usd,
       free_credits_left_usd
FROM account_balance;
