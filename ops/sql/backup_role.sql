-- The role pgBackRest connects as (pg1-user, BACKUP_PG_USER) where the superuser is kept for
-- nothing but setting up (docker-compose.yml); made or put right by a superuser, run again at will:
--   psql "$ADMIN_URL" -v backup=coop_backup -f ops/sql/backup_role.sql
-- It may start and stop a backup, switch and name WAL, read the settings and force a checkpoint
-- (start-fast); it reads no table. pgBackRest connects over the server's Unix socket.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I', :'backup') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'backup') \gexec
ALTER ROLE :"backup" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
GRANT pg_read_all_settings, pg_checkpoint TO :"backup";
GRANT EXECUTE ON FUNCTION pg_backup_start(text, boolean), pg_backup_stop(boolean), pg_switch_wal(),
      pg_create_restore_point(text) TO :"backup";
