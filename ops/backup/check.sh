#!/bin/sh
# Integrity check of the off-node repository, from the CronJob penpot-backup-check: restic check
# verifies the repository's structure (index, snapshots, trees) and reads back and decrypts
# OFFSITE_CHECK_SUBSET of the stored data (`--read-data-subset`: `n/t` or a percentage such as
# 10%), so damaged or missing packs are found before a restore needs them.
set -eu

log() { printf 'check: %s\n' "$*"; }
fail() { printf 'check: FAILED: %s\n' "$*" >&2; exit 1; }

. "$(dirname "$0")/offsite-lib.sh"
: "${OFFSITE_CHECK_SUBSET:?must be the share of data to read, e.g. 10% or 1/7}"

sets=$(repository_sets) || fail "cannot list the snapshots of $RESTIC_REPOSITORY"
[ -n "$sets" ] || fail "the repository $RESTIC_REPOSITORY holds no set of host $OFFSITE_HOST"
log "repository $RESTIC_REPOSITORY: $(printf '%s\n' "$sets" | grep -c .) sets, newest $(printf '%s\n' "$sets" | tail -n 1)"
r check --read-data-subset="$OFFSITE_CHECK_SUBSET" || fail "restic check found errors in $RESTIC_REPOSITORY (see above)"
log "repository $RESTIC_REPOSITORY is sound (data read: $OFFSITE_CHECK_SUBSET)"
