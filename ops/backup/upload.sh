#!/bin/sh
# Off-node copy of the Penpot backup sets: runs in the backup Job right after backup.sh wrote a
# complete set (backup.sh is the pod's init container, so this never starts after a failed set).
# Uploads every complete set of $BACKUP_DIR newer than the newest one in the repository (so a
# night whose upload failed is caught up the next night, and sets that off-node retention removed
# are never uploaded again), then applies the off-node retention, which is separate from the
# on-node one: `restic forget --keep-*` over this host's snapshots, then `prune`.
#
# Each set is one restic snapshot of the set's folder, tagged set=<name> and dated with the set's
# own time (retention counts sets by when they were taken, not by when they were uploaded).
# restic encrypts and deduplicates: unchanged tables of the dump and unchanged assets (the archive
# is written with gzip --rsyncable, see backup.sh) are stored once across all sets.
#
#   BACKUP_DIR          the backup volume (read-only here)
#   OFFSITE_KEEP_LAST / _DAILY / _WEEKLY / _MONTHLY   restic --keep-* values; 0 = not used, one at least > 0
#   OFFSITE_INIT        `true`: create the repository when it does not exist yet (first run)
set -eu

log() { printf 'upload: %s\n' "$*"; }
fail() { printf 'upload: FAILED: %s\n' "$*" >&2; exit 1; }

. "$(dirname "$0")/offsite-lib.sh"
: "${BACKUP_DIR:?must be the backup volume}"
: "${OFFSITE_KEEP_LAST:?}" "${OFFSITE_KEEP_DAILY:?}" "${OFFSITE_KEEP_WEEKLY:?}" "${OFFSITE_KEEP_MONTHLY:?}"
: "${OFFSITE_INIT:=false}"

keep=''
for k in LAST DAILY WEEKLY MONTHLY; do
  eval "v=\$OFFSITE_KEEP_$k"
  case "$v" in '' | *[!0-9]*) fail "OFFSITE_KEEP_$k=$v is not a whole number" ;; esac
  if [ "$v" -gt 0 ]; then keep="$keep --keep-$(echo "$k" | tr 'A-Z' 'a-z') $v"; fi
done
[ -n "$keep" ] || fail "no OFFSITE_KEEP_* is above 0: off-node retention would keep nothing"

# A repository that is not there yet is created on the first run (with the Secret's password);
# any other failure (wrong password, unreachable endpoint) stops here and fails the Job.
if ! out=$(r cat config 2>&1); then
  if [ "$OFFSITE_INIT" = true ] && printf '%s\n' "$out" | grep -qiE 'Is there a repository at the following location|repository does not exist'; then
    log "no repository at $RESTIC_REPOSITORY yet: creating it"
    r init
  else
    printf '%s\n' "$out" >&2
    fail "cannot open the repository $RESTIC_REPOSITORY (password, credentials or network?)"
  fi
fi

uploaded=$(repository_sets)
newest=$(printf '%s\n' "$uploaded" | tail -n 1)
log "repository $RESTIC_REPOSITORY holds $(printf '%s\n' "$uploaded" | grep -c . || true) sets; newest: ${newest:-none}"

sent=0
for name in $(local_sets "$BACKUP_DIR"); do
  # Set names sort as their times: skip what the repository already has or had.
  if [ -n "$newest" ] && [ "$(printf '%s\n%s\n' "$newest" "$name" | LC_ALL=C sort | tail -n 1)" = "$newest" ]; then continue; fi
  set_dir="$BACKUP_DIR/$name"
  # A damaged set is never copied off the node as if it were good.
  (cd "$set_dir" && sha256sum -c SHA256SUMS >/dev/null) || fail "set $name does not match its SHA256SUMS; not uploaded"
  log "uploading set $name"
  # From inside the folder: the snapshot holds the set's files at its root.
  (cd "$set_dir" && r backup --host "$OFFSITE_HOST" --tag "$SNAPSHOT_TAG" --tag "set=$name" --time "$(set_time "$name")" .)
  sent=$((sent + 1))
done
[ "$sent" -gt 0 ] || log "nothing new to upload (newest local set: $(local_sets "$BACKUP_DIR" | tail -n 1))"

# One group for all of this host's sets: each set has its own path and tag, and restic's default
# grouping (host, paths) would make every snapshot a group of one that is always kept.
log "off-node retention:$keep"
# shellcheck disable=SC2086
r forget --host "$OFFSITE_HOST" --tag "$SNAPSHOT_TAG" --group-by host $keep --prune
log "sets in the repository: $(repository_sets | tr '\n' ' ')"
