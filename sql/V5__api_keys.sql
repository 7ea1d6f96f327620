-- API keys of the customer side (bin/billing keys, the gateway's key store). A key is printed once
-- as sk-live-<key_id>-<secret> and never stored: the row keeps the key's SHA-256. The secret is
-- 32 random bytes from SecureRandom (256 bits), so nobody can guess a key from its hash and a
-- fast hash is right; a slow password hash (bcrypt, Argon2) protects low-entropy secrets and
-- would only cost every authentication. key_id is public (it names the key in lists, revocations
-- and usage records) and is how a presented key is found; its hash is then compared in constant time.
CREATE TABLE api_keys (
    key_id        text        PRIMARY KEY CHECK (key_id ~ '^key_[0-9a-f]{16}$'),
    account_id    text        NOT NULL CHECK (length(account_id) BETWEEN 1 AND 256 AND account_id ~ '\S'),
    name          text        CHECK (length(name) <= 200),
    secret_sha256 bytea       NOT NULL CHECK (octet_length(secret_sha256) = 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);

CREATE INDEX api_keys_by_account ON api_keys (account_id, created_at);
