#!/bin/sh
# Penpot restore: puts one set written by backup.sh back: the database and, when ASSETS_DIR is set,
# the assets. Runs from the Job in dist/<env>/operations/restore-job.yaml (never synced by Argo CD)
# while Penpot's backend, frontend and exporter are scaled to 0; OPERATIONS.md has the steps.
# Every path, host and credential comes from the environment the Job sets.
#
# RESTORE_SET is a set name (YYYYMMDDTHHMMSSZ, see the backup logs) or `latest` (the newest complete set);
# it has no default: the Job manifest leaves it empty and the runbook sets it.
# RESTORE_FROM is `volume` (the sets of the backup volume, the manifest's value) or `repository`: the
# Job's init container (fetch.sh) has then taken the set from the off-node repository into $FETCH_DIR,
# and it is restored from there with the same checks and steps.
#
# Nothing live is touched until the slow, failure-prone work succeeded:
#  1. the set's checksums are verified;
#  2. the restore refuses to run while anything else is connected to the database (Penpot running);
#  3. the assets are unpacked into $ASSETS_DIR/.restoring, the dump into a new database
#     <db>_restoring (pg_restore --exit-on-error --single-transaction);
#  4. only then the databases are swapped by renaming, in one transaction, and the old one dropped;
#     then the old assets are replaced by the unpacked ones (renames on the same volume).
# Restoring into a NEW database (instead of pg_restore --clean into the live one) also removes
# tables a newer Penpot created after the backup: --clean drops only what the dump knows, which is
# exactly what a rollback after a failed upgrade must not leave behind.
set -eu

log() { printf 'restore: %s\n' "$*"; }
fail() { printf 'restore: FAILED: %s\n' "$*" >&2; exit 1; }

: "${BACKUP_DIR:?must be the backup volume}"
: "${RESTORE_SET?must name the set to restore (YYYYMMDDTHHMMSSZ) or be latest}"
: "${ASSETS_DIR?must be set (empty: Penpot keeps its objects in S3, no assets to restore)}"
: "${PGHOST:?}" "${PGPORT:?}" "${PGDATABASE:?}" "${PGUSER:?}" "${PGPASSWORD:?}"
: "${RESTORE_FROM:=volume}"
case "$RESTORE_FROM" in
  volume) ;;
  repository) BACKUP_DIR=${FETCH_DIR:?must be the scratch volume fetch.sh wrote the set into} ;;
  *) fail "RESTORE_FROM=$RESTORE_FROM is not allowed; allowed: volume or repository" ;;
esac

SET_GLOB='[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z'

complete_sets() {
  for d in "$BACKUP_DIR"/$SET_GLOB; do
    if [ -d "$d" ]; then basename "$d"; fi
  done | LC_ALL=C sort
}

# Administrative statements run in the maintenance database every cluster has.
admin_sql() { psql -X --no-password --quiet -v ON_ERROR_STOP=1 -At -d postgres "$@"; }

# Never a default: after a fresh backup of a broken state, "the newest set" is the broken one.
if [ -z "$RESTORE_SET" ]; then
  fail "RESTORE_SET is empty: name the set to restore, or latest; complete sets: $(complete_sets | tr '\n' ' ')"
fi
if [ "$RESTORE_SET" = latest ]; then
  set_name=$(complete_sets | tail -n 1)
  [ -n "$set_name" ] || fail "no complete set in $BACKUP_DIR"
else
  set_name=$RESTORE_SET
fi
if ! printf '%s\n' "$set_name" | grep -Eqx '[0-9]{8}T[0-9]{6}Z' || [ ! -d "$BACKUP_DIR/$set_name" ]; then
  fail "RESTORE_SET=$RESTORE_SET is not a complete set; complete sets: $(complete_sets | tr '\n' ' ')"
fi
set_dir="$BACKUP_DIR/$set_name"
log "set $set_name: $(tr '\n' ' ' < "$set_dir/MANIFEST")"

(cd "$set_dir" && sha256sum --check --quiet SHA256SUMS) || fail "set $set_name is damaged: its checksums do not match"
log "checksums of set $set_name verified"

with_assets=false
if [ -n "$ASSETS_DIR" ]; then
  [ -f "$set_dir/assets.tar.gz" ] || fail "set $set_name has no assets archive (taken with objects in S3?) but ASSETS_DIR is set"
  [ -d "$ASSETS_DIR" ] || fail "ASSETS_DIR=$ASSETS_DIR is not a directory"
  with_assets=true
elif [ -f "$set_dir/assets.tar.gz" ]; then
  log "warning: the set holds an assets archive but ASSETS_DIR is empty (objects in S3): it is not restored"
fi

clients=$(admin_sql -v db="$PGDATABASE" <<'SQL'
SELECT coalesce(usename, '?') || '@' || coalesce(host(client_addr), 'local') || ' (' || coalesce(nullif(application_name, ''), 'no name') || ')'
  FROM pg_stat_activity WHERE datname = :'db' AND pid <> pg_backend_pid();
SQL
)
if [ -n "$clients" ]; then
  fail "database $PGDATABASE is in use by $(printf '%s' "$clients" | tr '\n' ' '); stop Penpot first (scale penpot-backend, penpot-frontend and penpot-exporter to 0)"
fi
log "no client is connected to database $PGDATABASE"

stage="$ASSETS_DIR/.restoring"
if $with_assets; then
  rm -rf "$stage"
  mkdir "$stage"
  tar -C "$stage" -xzf "$set_dir/assets.tar.gz"
  log "assets: $(find "$stage" -type f | wc -l) files unpacked into $stage"
fi

work="${PGDATABASE}_restoring"
old="${PGDATABASE}_before_restore"
admin_sql -v work="$work" <<'SQL'
SET client_min_messages = warning;
DROP DATABASE IF EXISTS :"work";
CREATE DATABASE :"work" TEMPLATE template0;
SQL
# --no-owner/--no-acl: objects belong to the restoring user, so a set also restores into a new
# installation whose POSTGRES_USER differs. Penpot uses one login and no grants of its own.
pg_restore --no-password --exit-on-error --single-transaction --no-owner --no-acl --dbname="$work" "$set_dir/database.dump"
tables=$(psql -X --no-password -At -d "$work" -c "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
log "database: $tables tables restored into $work"

# A client that connected since the check makes the rename fail: the transaction rolls back and
# the live database stays as it was.
admin_sql -v db="$PGDATABASE" -v work="$work" -v old="$old" <<'SQL'
SET client_min_messages = warning;
DROP DATABASE IF EXISTS :"old";
SELECT count(*) > 0 AS live_exists FROM pg_database WHERE datname = :'db' \gset
BEGIN;
\if :live_exists
ALTER DATABASE :"db" RENAME TO :"old";
\endif
ALTER DATABASE :"work" RENAME TO :"db";
COMMIT;
DROP DATABASE IF EXISTS :"old";
SQL
log "database $PGDATABASE replaced by the restored one"

if $with_assets; then
  find "$ASSETS_DIR" -mindepth 1 -maxdepth 1 ! -name .restoring ! -name lost+found -exec rm -rf {} + \
    || fail "could not remove the old assets; the database is restored: run the restore again"
  find "$stage" -mindepth 1 -maxdepth 1 -exec mv {} "$ASSETS_DIR/" \; \
    || fail "could not move the restored assets into place; the database is restored: run the restore again"
  rmdir "$stage"
  log "assets: $ASSETS_DIR replaced by the $(find "$ASSETS_DIR" -path "$ASSETS_DIR/lost+found" -prune -o -type f -print | wc -l) files of the set"
fi
log "set $set_name restored; start Penpot again (OPERATIONS.md)"
