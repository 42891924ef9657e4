-- The app's least-privileged role, run once as the server administrator by infra/create-app-role.sh (idempotent:
-- running it again only resets the password to the one in Key Vault). orders_app may connect to the orders database
-- and create and use its own table in schema public; it is no superuser, creates no database or role, and owns nothing
-- else. psql variable: app_password.
SELECT format('CREATE ROLE orders_app LOGIN PASSWORD %L', :'app_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'orders_app') \gexec
ALTER ROLE orders_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'app_password';
REVOKE ALL ON DATABASE orders FROM PUBLIC;
GRANT CONNECT ON DATABASE orders TO orders_app;
-- The app creates its table and indexes at start (PostgresOrderSchema.EnsureCreated) and then owns them.
GRANT USAGE, CREATE ON SCHEMA public TO orders_app;
