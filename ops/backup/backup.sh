#!/bin/sh
# Penpot backup: writes ONE consistent set per run into $BACKUP_DIR, then keeps the newest
# $BACKUP_RETENTION complete sets. Runs from the CronJob `penpot-backup` in the PostgreSQL image
# of the database (so pg_dump has the server's major version). Every path, host and credential
# comes from the environment the CronJob sets, so the same text runs against any server and folder.
#
# A set is the folder $BACKUP_DIR/<UTC time, YYYYMMDDTHHMMSSZ>/ with
#   database.dump   pg_dump custom format (-Fc) of $PGDATABASE (one snapshot, taken first)
#   assets.tar.gz   every file under $ASSETS_DIR (only when ASSETS_DIR is not empty)
#   SHA256SUMS      checksums of both, verified by restore.sh before it touches anything
#   MANIFEST        what the set holds
# It is written as .partial-<name> and renamed only when complete: a run cut short (killed at the
# deadline, volume full) never leaves a folder with a set name, so it is neither counted nor restored.
#
# The database is dumped before the assets are archived. Penpot (backend app/storage.clj) writes an
# object's file inside the transaction that inserts its storage_object row, and deletes files only
# through its GC after the row was marked deleted: every live file the dump refers to exists when
# the archive is taken afterwards. Files newer than the dump are unreferenced extras, never a gap.
set -eu

log() { printf 'backup: %s\n' "$*"; }
fail() { printf 'backup: FAILED: %s\n' "$*" >&2; exit 1; }

: "${BACKUP_DIR:?must be the backup volume}"
: "${BACKUP_RETENTION:?must be the number of sets to keep}"
: "${ASSETS_DIR?must be set (empty: Penpot keeps its objects in S3, no assets to archive)}"
: "${PGHOST:?}" "${PGPORT:?}" "${PGDATABASE:?}" "${PGUSER:?}" "${PGPASSWORD:?}"

case "$BACKUP_RETENTION" in
  '' | *[!0-9]*) fail "BACKUP_RETENTION=$BACKUP_RETENTION is not a whole number" ;;
esac
[ "$BACKUP_RETENTION" -ge 1 ] || fail "BACKUP_RETENTION=$BACKUP_RETENTION keeps nothing; at least 1"
[ -d "$BACKUP_DIR" ] || fail "BACKUP_DIR=$BACKUP_DIR is not a directory"
if [ -n "$ASSETS_DIR" ] && [ ! -d "$ASSETS_DIR" ]; then fail "ASSETS_DIR=$ASSETS_DIR is not a directory"; fi

# Sets hold every design and password hash: readable by the backup user only.
umask 077

SET_GLOB='[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z'

# Names of the complete sets, oldest first.
complete_sets() {
  for d in "$BACKUP_DIR"/$SET_GLOB; do
    if [ -d "$d" ]; then basename "$d"; fi
  done | LC_ALL=C sort
}

bytes() { echo $(($(wc -c < "$1"))); }

# concurrencyPolicy: Forbid means no other run is active: a .partial folder is a dead run's.
for d in "$BACKUP_DIR"/.partial-*; do
  if [ -e "$d" ]; then
    log "removing incomplete set $(basename "$d") left by an interrupted run"
    rm -rf "$d"
  fi
done

name=$(date -u +%Y%m%dT%H%M%SZ)
while [ -e "$BACKUP_DIR/$name" ]; do
  sleep 1
  name=$(date -u +%Y%m%dT%H%M%SZ)
done
partial="$BACKUP_DIR/.partial-$name"
mkdir "$partial"
# Frees the space at once when a step fails; a killed run is cleaned by the next one (above).
trap 'rm -rf "$partial"' EXIT
log "writing set $name into $BACKUP_DIR"

log "dumping database $PGDATABASE from $PGHOST:$PGPORT as $PGUSER"
pg_dump --no-password --format=custom --file="$partial/database.dump"
# Reading the table of contents back proves the archive is complete and readable by pg_restore.
toc=$(pg_restore --list "$partial/database.dump")
tables=$(printf '%s\n' "$toc" | grep -c ' TABLE DATA ' || true)
log "database: $(bytes "$partial/database.dump") bytes, $tables tables with data"

sums=database.dump
assets=none
if [ -n "$ASSETS_DIR" ]; then
  log "archiving assets from $ASSETS_DIR"
  rc=0
  # lost+found (root-only on ext4 volumes) and a restore's staging folder are not assets.
  # Sorted names and gzip --rsyncable make unchanged files give unchanged bytes in the archive, so
  # the off-node copy (upload.sh, restic) stores only what changed since the last set.
  tar -C "$ASSETS_DIR" --exclude=./lost+found --exclude=./.restoring --sort=name \
    --use-compress-program='gzip --rsyncable' -cf "$partial/assets.tar.gz" . || rc=$?
  if [ "$rc" -eq 1 ]; then
    # GNU tar: 1 = a file changed or vanished while read. New files are not in the dump (taken
    # before), vanished ones were marked deleted there (see above): the set stays consistent.
    log "warning: files changed while they were archived (tar exit 1); the set is still consistent"
  elif [ "$rc" -ne 0 ]; then
    fail "tar exited $rc while archiving $ASSETS_DIR"
  fi
  # Listing the archive reads the whole gzip stream: a truncated archive fails here.
  listing=$(tar -tzf "$partial/assets.tar.gz")
  files=$(printf '%s\n' "$listing" | grep -vc '/$' || true)
  assets="$files files"
  sums="$sums assets.tar.gz"
  log "assets: $(bytes "$partial/assets.tar.gz") bytes, $files files"
else
  log "assets: none (ASSETS_DIR is empty: objects live in S3, outside this set)"
fi

(cd "$partial" && sha256sum $sums > SHA256SUMS)
cat > "$partial/MANIFEST" <<MANIFEST
set=$name
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
database=$PGDATABASE
database_tables=$tables
pg_dump=$(pg_dump --version)
assets=$assets
MANIFEST

# Data on disk before the name says "complete".
sync
mv "$partial" "$BACKUP_DIR/$name"
trap - EXIT
log "set $name complete"

sets=$(complete_sets)
count=$(printf '%s\n' "$sets" | grep -c . || true)
excess=$((count - BACKUP_RETENTION))
if [ "$excess" -gt 0 ]; then
  for old in $(printf '%s\n' "$sets" | head -n "$excess"); do
    log "retention: removing set $old (keeping the newest $BACKUP_RETENTION)"
    rm -rf "${BACKUP_DIR:?}/$old"
  done
fi
log "complete sets kept: $(complete_sets | tr '\n' ' ')"
