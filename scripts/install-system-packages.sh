#!/usr/bin/env bash
# Debian packages of the real programs the tests run, installed only when missing:
# PostgreSQL 15 (backup/restore round trip), promtool from prometheus (PrometheusRule unit tests),
# curl (the smoke check script), lua5.1 (the Argo CD health check snippet), openssl (loopback certificates of the
# HTTPS API and OpenID stand-ins), git (the change review reads the committed dist/; a CI checkout has it already),
# restic (off-node copies against a local repository) and busybox (the shell and applets of the restic image the
# off-node scripts run in). Synth itself needs none of them (without git it skips the review).
set -euo pipefail
missing=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# Lua 5.1 (Argo CD's health scripts run in gopher-lua, a Lua 5.1): the MCPServer health check of OPERATIONS.md.
command -v lua5.1 >/dev/null 2>&1 || missing+=(lua5.1)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v restic >/dev/null 2>&1 || missing+=(restic)
command -v busybox >/dev/null 2>&1 || missing+=(busybox)
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "system packages: installing ${missing[*]}"
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
