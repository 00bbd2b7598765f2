-- The database's two roles, made or put right by a superuser; run again at will (psql -f).
--   psql "$ADMIN_URL" -v database=coop -v owner=coop_owner -v owner_password=... \
--        -v owner_createdb=NOCREATEDB -v runtime=coop_app -v runtime_password=... -f ops/sql/roles.sql
-- The owner owns the schema and everything in it and runs `migrate`. The runtime role (web,
-- worker, beat) owns nothing and is no more than a login: what it may do to each table is
-- granted by ops/privileges.py after every migrate.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I', :'owner') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I', :'runtime') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'runtime') \gexec

-- CREATEDB only where tests make their own databases (a developer's machine, CI).
ALTER ROLE :"owner" LOGIN NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS :owner_createdb;
ALTER ROLE :"runtime" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT;
SELECT format('ALTER ROLE %I PASSWORD %L', :'owner', :'owner_password') WHERE :'owner_password' <> '' \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'runtime', :'runtime_password') WHERE :'runtime_password' <> '' \gexec
-- The runtime role may not be a member of any role (it would inherit, or SET ROLE to, its rights).
SELECT format('REVOKE %I FROM %I', r.rolname, :'runtime')
  FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
 WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = :'runtime') \gexec

SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'owner')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database') \gexec
ALTER DATABASE :"database" OWNER TO :"owner";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"runtime";

\connect :"database"
\set ON_ERROR_STOP on
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"runtime";

-- A database made before the two roles (by a superuser's migrate): its tables, sequences, views
-- and functions pass to the owner. Extensions' own objects stay with the extension.
SELECT format('ALTER %s %I.%I OWNER TO %I',
              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
              n.nspname, c.relname, :'owner')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
   AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = :'owner')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
\gexec
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, :'owner')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'public' AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = :'owner')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
\gexec
