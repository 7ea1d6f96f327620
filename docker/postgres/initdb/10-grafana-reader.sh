#!/bin/sh
# Runs once, when the postgres-data volume is initialised: a read-only login for Grafana.
# The billing job creates its tables and views later (Flyway, as postgres), so SELECT is granted
# through default privileges as well as on whatever exists now.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v reader_password="${GRAFANA_DB_PASSWORD:-grafana_reader}" <<'SQL'
CREATE ROLE grafana_reader LOGIN PASSWORD :'reader_password';
GRANT CONNECT ON DATABASE :"DBNAME" TO grafana_reader;
GRANT USAGE ON SCHEMA public TO grafana_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO grafana_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO grafana_reader;
SQL
