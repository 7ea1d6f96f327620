package dev.billing.gateway.keys;

/** A key's row as authentication needs it: whose it is, the hash to compare, whether it still works. */
record StoredKey(String keyId, String accountId, byte[] secretSha256, boolean revoked) {}
