-- Row versions: the account's version (the one its status messages carry) when the ledger made
-- the row. An upsert never replaces a row with a higher version, so a writer that lost its task
-- but still reaches PostgreSQL (a zombie) cannot put an older total back over a newer one.
ALTER TABLE usage_hourly ADD COLUMN version bigint NOT NULL DEFAULT 0;
ALTER TABLE account_balance ADD COLUMN version bigint NOT NULL DEFAULT 0;

-- The UTC month that month_spend_usd is the spend of. An idle account rolls over to a new month
-- on its next input (no job-wide write at 00:00 on the 1st), so its row may still hold last
-- month's spend: account_balance_now shows this month's, which is zero for such an account.
ALTER TABLE account_balance ADD COLUMN spend_month date;

CREATE VIEW account_balance_now AS
SELECT account_id,
       credits_usd,
       spend_usd,
       balance_usd,
       status,
       CASE WHEN spend_month = date_trunc('month', now() AT TIME ZONE 'UTC')::date
            THEN month_spend_usd ELSE 0 END AS month_spend_usd,
       updated_at,
       version
FROM account_balance;
