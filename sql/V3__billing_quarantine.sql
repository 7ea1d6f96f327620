-- Rows PostgreSQL refused to store (a CHECK or other constraint, a trigger's RAISE, a type rule
-- nobody foresaw), set aside by the job's sinks so that one bad row does not stop billing for
-- every other account. One row per (table, primary key): the latest refused row, the server's
-- SQLSTATE and message, and how often it was refused. The money stays exact in the job's state;
-- once the cause is fixed, the next write of that key (or `bin/billing reconcile`) repairs the
-- table. A key whose table row has updated_at after last_seen has been written since.
CREATE TABLE billing_quarantine (
    table_name text        NOT NULL,
    row_key    jsonb       NOT NULL,
    row_data   jsonb       NOT NULL,
    sqlstate   text        NOT NULL,
    message    text        NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    count      bigint      NOT NULL DEFAULT 1 CHECK (count > 0),
    PRIMARY KEY (table_name, row_key)
);
