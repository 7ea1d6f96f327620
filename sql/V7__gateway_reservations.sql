-- What the gateways hold against an account's balance, shared by every replica (the gateway client
-- library's PostgresReservations). Written by gateways only; the job never reads it.

-- Per account, the newest balance any gateway has seen on account-status, with the usage it covers.
-- A reservation locks the account's row, so an account's reservations are decided one at a time.
CREATE TABLE gateway_admission (
    account_id      text        PRIMARY KEY,
    status_version  bigint      NOT NULL,
    balance_usd     numeric     NOT NULL,
    usage_partition integer,
    usage_offset    bigint,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- A request's worst case while it runs (usage_offset null), then its cost once its usage is on
-- usage-records at (usage_partition, usage_offset), until a published balance covers that position.
CREATE TABLE gateway_reservations (
    reservation_id  text        PRIMARY KEY,
    account_id      text        NOT NULL,
    gateway_id      text        NOT NULL,
    amount_usd      numeric     NOT NULL CHECK (amount_usd >= 0),
    usage_partition integer,
    usage_offset    bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL
);
CREATE INDEX gateway_reservations_by_account ON gateway_reservations (account_id);
CREATE INDEX gateway_reservations_by_gateway ON gateway_reservations (gateway_id);
