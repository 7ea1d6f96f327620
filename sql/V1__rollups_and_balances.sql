-- Hourly usage per (account, model, UTC hour of completed_at). The billing job upserts whole
-- totals computed from its exactly-once state, so a replayed write is harmless. cost_usd is what
-- the account is charged; list_cost_usd the same usage at list (or override) prices, before
-- volume discounts.
CREATE TABLE usage_hourly (
    account_id        text           NOT NULL,
    model             text           NOT NULL,
    hour              timestamptz    NOT NULL,
    requests          bigint         NOT NULL CHECK (requests >= 0),
    prompt_tokens     bigint         NOT NULL CHECK (prompt_tokens >= 0),
    completion_tokens bigint         NOT NULL CHECK (completion_tokens >= 0),
    cost_usd          numeric(38,18) NOT NULL,
    list_cost_usd     numeric(38,18) NOT NULL,
    updated_at        timestamptz    NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, model, hour),
    CHECK (date_trunc('hour', hour AT TIME ZONE 'UTC') = hour AT TIME ZONE 'UTC')
);

CREATE INDEX usage_hourly_hour_idx ON usage_hourly (hour);

-- One row per account: credits (free + purchased + adjusted), lifetime spend, their difference,
-- the status gateways enforce, and spend in the account's current UTC calendar month.
CREATE TABLE account_balance (
    account_id      text           PRIMARY KEY,
    credits_usd     numeric(38,18) NOT NULL,
    spend_usd       numeric(38,18) NOT NULL,
    balance_usd     numeric(38,18) NOT NULL,
    status          text           NOT NULL CHECK (status IN ('ACTIVE', 'BLOCKED')),
    month_spend_usd numeric(38,18) NOT NULL,
    updated_at      timestamptz    NOT NULL,
    CHECK (balance_usd = credits_usd - spend_usd)
);
