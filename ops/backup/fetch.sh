#!/bin/sh
# First step of a restore from the off-node repository (init container of the restore Job):
# with RESTORE_FROM=repository, `restic restore` of the set RESTORE_SET (a set name or `latest`)
# into $FETCH_DIR/<set name>, the Job's scratch volume; restore.sh then verifies its checksums
# and restores it from there exactly as a set of the backup volume. With RESTORE_FROM=volume
# (the manifest's value) it does nothing.
set -eu

log() { printf 'fetch: %s\n' "$*"; }
fail() { printf 'fetch: FAILED: %s\n' "$*" >&2; exit 1; }

: "${RESTORE_FROM:?must be volume or repository}"
case "$RESTORE_FROM" in
  volume) log "RESTORE_FROM=volume: the set is read from the backup volume, nothing to fetch"; exit 0 ;;
  repository) ;;
  *) fail "RESTORE_FROM=$RESTORE_FROM is not allowed; allowed: volume or repository" ;;
esac

. "$(dirname "$0")/offsite-lib.sh"
: "${FETCH_DIR:?must be the scratch volume}"
: "${RESTORE_SET?must name the set to restore (YYYYMMDDTHHMMSSZ) or be latest}"

sets=$(repository_sets) || fail "cannot list the snapshots of $RESTIC_REPOSITORY"
if [ -z "$RESTORE_SET" ]; then
  fail "RESTORE_SET is empty: name the set to restore, or latest; sets in the repository: $(printf '%s\n' "$sets" | tr '\n' ' ')"
fi
if [ "$RESTORE_SET" = latest ]; then
  name=$(printf '%s\n' "$sets" | tail -n 1)
  [ -n "$name" ] || fail "the repository $RESTIC_REPOSITORY holds no set of host $OFFSITE_HOST"
else
  name=$RESTORE_SET
fi
id=''
if printf '%s\n' "$name" | grep -Eqx "$SET_RE"; then id=$(snapshot_of "$name"); fi
[ -n "$id" ] || fail "RESTORE_SET=$RESTORE_SET is not a set in the repository; sets: $(printf '%s\n' "$sets" | tr '\n' ' ')"

target="$FETCH_DIR/$name"
rm -rf "$target"
log "restoring set $name (snapshot ${id%"${id#????????}"}) from $RESTIC_REPOSITORY into $target"
r restore "$id" --target "$target"
[ -f "$target/SHA256SUMS" ] || fail "snapshot $id holds no SHA256SUMS: not a set written by backup.sh"
log "set $name fetched: $(ls "$target" | tr '\n' ' ')"
