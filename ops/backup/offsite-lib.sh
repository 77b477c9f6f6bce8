# Shared by upload.sh, check.sh and fetch.sh (sourced, never run alone). They run in the pinned
# restic image (Alpine: busybox sh and applets) as the backup's user, and reach the repository
# with what the pod's environment gives them:
#   RESTIC_REPOSITORY   the off-node repository (config penpot.backup.offsite.repository; no credentials)
#   RESTIC_PASSWORD     its encryption password (Secret; the operator keeps a copy OFF the cluster)
#   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (s3:) or RESTIC_REST_USERNAME / RESTIC_REST_PASSWORD (rest:), from the Secret
#   OFFSITE_HOST        the host name every snapshot carries (pods change names; the sets' origin does not)
# Snapshots are tagged `penpot-backup` and `set=<set name>`: one snapshot per complete set.

: "${RESTIC_REPOSITORY:?must name the off-node repository}"
: "${RESTIC_PASSWORD:?must come from the repository Secret}"
: "${OFFSITE_HOST:?must be the host name of the snapshots}"

SNAPSHOT_TAG=penpot-backup
SET_RE='[0-9]{8}T[0-9]{6}Z'

# restic with the settings every call needs. The pod's cache would be empty at every start:
# --no-cache saves writing one. Output stays in the log (the pod's only record).
r() { restic --no-cache "$@"; }

# Set names of the repository's snapshots, oldest first (one per line; empty repository: none).
repository_sets() {
  r snapshots --json --host "$OFFSITE_HOST" --tag "$SNAPSHOT_TAG" \
    | grep -oE "\"set=$SET_RE\"" | tr -d '"' | sed 's/^set=//' | LC_ALL=C sort -u
}

# The snapshot id of one set (the newest if uploaded twice), or nothing.
snapshot_of() {
  r snapshots --json --host "$OFFSITE_HOST" --tag "$SNAPSHOT_TAG,set=$1" \
    | grep -oE '"id":"[0-9a-f]{64}"' | tail -n 1 | cut -d'"' -f4
}

# Set names of $1's complete sets (folders with a set name), oldest first.
local_sets() {
  for d in "$1"/*; do
    n=${d##*/}
    if [ -d "$d" ] && printf '%s\n' "$n" | grep -Eqx "$SET_RE"; then echo "$n"; fi
  done | LC_ALL=C sort
}

# YYYYMMDDTHHMMSSZ -> "YYYY-MM-DD HH:MM:SS" (UTC; the pods run with TZ=UTC).
set_time() {
  printf '%s\n' "$1" | sed -E 's/^([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z$/\1-\2-\3 \4:\5:\6/'
}
