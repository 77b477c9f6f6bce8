#!/bin/sh
# Post-sync smoke check: run by the Argo CD PostSync hook Job `<app>-smoke-check` (lib/smoke-check.ts),
# which mounts this file from a generated ConfigMap. POSIX sh + curl only (the image is curlimages/curl:
# busybox ash); test/smoke-check-script.test.ts runs this exact file from dist/ with dash.
#
# Every check runs (a failure does not hide the next one); the script exits 1 when any failed, so the
# hook Job fails and the sync shows red. Each failure prints: check name, URL, HTTP status or curl
# error, and an excerpt of the body. The last lines repeat the failures: with the Job's
# terminationMessagePolicy FallbackToLogsOnError they also become the container's termination message
# (pod status: `kubectl describe pod`, the hook pod's live manifest in Argo CD).
#
# Environment (set by the Job; a test swaps only the URLs):
#   SMOKE_TARGETS              one check per line: "<kind> <name> <url>"
#                                http  GET <url> must answer 200
#                                mcp   an MCP `initialize` POSTed to <url> (streamable HTTP) must return a
#                                      JSON-RPC result with protocolVersion and serverInfo (JSON or SSE reply)
#                                mcp-unauth  an `initialize` without a token must be refused: HTTP 401 with a
#                                      `WWW-Authenticate: Bearer` header
#                                mcp-auth    both halves: mcp-unauth, then `initialize` with
#                                      `Authorization: Bearer <the token in SMOKE_BEARER_FILE>` must succeed
#   SMOKE_ATTEMPTS             tries per check before it counts as failed (default 3)
#   SMOKE_RETRY_DELAY_SECONDS  pause between tries (default 3)
#   SMOKE_TIMEOUT_SECONDS      bound of each request (default 10)
#   SMOKE_BEARER_FILE           file holding the pod's bearer token (a projected ServiceAccount token), for
#                              mcp-auth checks. Read into a header file in the temp dir: never an argument.
# Exit: 0 all passed, 1 a check failed, 2 the configuration above is unusable.

set -u

attempts=${SMOKE_ATTEMPTS:-3}
delay=${SMOKE_RETRY_DELAY_SECONDS:-3}
timeout=${SMOKE_TIMEOUT_SECONDS:-10}
for n in "$attempts" "$delay" "$timeout"; do
  case $n in
    '' | *[!0-9]*) echo "smoke check: SMOKE_ATTEMPTS, SMOKE_RETRY_DELAY_SECONDS and SMOKE_TIMEOUT_SECONDS must be whole numbers (got '$n')" >&2; exit 2 ;;
  esac
done
[ "$attempts" -ge 1 ] || attempts=1

# The protocol revision that introduced streamable HTTP; a server answers with the one it speaks.
INITIALIZE='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"platform-smoke-check","version":"1.0.0"}}}'

work=$(mktemp -d "${TMPDIR:-/tmp}/smoke-check.XXXXXX") || { echo "smoke check: cannot create a temp dir" >&2; exit 2; }
trap 'rm -rf "$work"' EXIT

# One line, at most 300 characters, of a file (a body or curl's error).
excerpt() {
  tr '\r\n\t' '   ' < "$1" | cut -c1-300
}

# curl with no ~/.curlrc (-q must come first), quiet but showing errors, bounded in time.
fetch() {
  curl -q -sS --max-time "$timeout" "$@"
}

# Sets $detail; returns 0 when GET $1 answers 200.
check_http() {
  status=$(fetch -o "$work/body" -w '%{http_code}' "$1" 2>"$work/err")
  rc=$?
  if [ "$rc" -ne 0 ]; then detail="no HTTP answer (curl exit $rc: $(excerpt "$work/err"))"; return 1; fi
  if [ "$status" != 200 ]; then detail="HTTP $status, expected 200; body: $(excerpt "$work/body")"; return 1; fi
  detail="HTTP 200"
}

# Sets $detail; returns 0 when an MCP initialize on $1 returns a result with protocolVersion and serverInfo.
# $2 (optional): a file of extra request headers (curl -H @file), e.g. the Authorization header.
check_mcp() {
  : > "$work/headers"
  : > "$work/no-headers"
  status=$(fetch -o "$work/body" -D "$work/headers" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -H "@${2:-$work/no-headers}" --data "$INITIALIZE" "$1" 2>"$work/err")
  rc=$?
  if [ "$rc" -ne 0 ]; then detail="no HTTP answer (curl exit $rc: $(excerpt "$work/err"))"; return 1; fi
  if [ "$status" != 200 ]; then detail="HTTP $status, expected 200; body: $(excerpt "$work/body")"; return 1; fi
  # A JSON body, or an SSE stream whose data: lines carry the JSON-RPC message.
  if grep -q '^data:' "$work/body"; then
    sed -n 's/^data:[[:space:]]*//p' "$work/body" | tr -d '\r\n' > "$work/message"
  else
    tr -d '\r\n' < "$work/body" > "$work/message"
  fi
  if grep -q '"result"[[:space:]]*:[[:space:]]*{' "$work/message" \
    && grep -q '"protocolVersion"[[:space:]]*:[[:space:]]*"' "$work/message" \
    && grep -q '"serverInfo"[[:space:]]*:[[:space:]]*{' "$work/message"; then
    version=$(sed -n 's/.*"protocolVersion"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$work/message")
    detail="HTTP 200, initialize result with protocolVersion $version"
    close_session "$1" "${2:-$work/no-headers}"
    return 0
  fi
  detail="HTTP 200 but no initialize result with protocolVersion and serverInfo; body: $(excerpt "$work/body")"
  return 1
}

# Ends the session the initialize opened (stateful servers keep it otherwise); its outcome does not matter.
close_session() {
  session=$(grep -i '^mcp-session-id:' "$work/headers" | head -n 1 | cut -d: -f2- | tr -d ' \r')
  [ -n "$session" ] && fetch -o /dev/null -X DELETE -H "@$2" -H "Mcp-Session-Id: $session" "$1" 2>/dev/null
  return 0
}

# Sets $detail; returns 0 when an initialize without a token gets 401 with a Bearer challenge.
check_mcp_unauth() {
  : > "$work/headers"
  status=$(fetch -o "$work/body" -D "$work/headers" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    --data "$INITIALIZE" "$1" 2>"$work/err")
  rc=$?
  if [ "$rc" -ne 0 ]; then detail="no HTTP answer (curl exit $rc: $(excerpt "$work/err"))"; return 1; fi
  if [ "$status" != 401 ]; then detail="HTTP $status without a token, expected 401 (the endpoint must demand a credential); body: $(excerpt "$work/body")"; return 1; fi
  if ! grep -qi '^www-authenticate:[[:space:]]*bearer' "$work/headers"; then
    detail="HTTP 401 without a token but no 'WWW-Authenticate: Bearer' header"; return 1
  fi
  detail="HTTP 401 without a token, WWW-Authenticate: Bearer"
}

# Sets $detail; returns 0 when the endpoint refuses no token and accepts the pod's token.
check_mcp_auth() {
  check_mcp_unauth "$1" || return 1
  refused=$detail
  if [ -z "${SMOKE_BEARER_FILE:-}" ] || [ ! -s "$SMOKE_BEARER_FILE" ]; then
    detail="$refused; but SMOKE_BEARER_FILE (${SMOKE_BEARER_FILE:-unset}) holds no token"; return 1
  fi
  umask 077
  printf 'Authorization: Bearer %s\n' "$(tr -d '\r\n' < "$SMOKE_BEARER_FILE")" > "$work/auth-header"
  check_mcp "$1" "$work/auth-header" || { detail="$refused; with the pod's token: $detail"; return 1; }
  detail="$refused; with the pod's token: $detail"
}

printf '%s\n' "${SMOKE_TARGETS:-}" > "$work/targets"
total=0
failed=0
: > "$work/failures"
while read -r kind name url extra; do
  case $kind in '' | '#'*) continue ;; esac
  if [ -z "${url:-}" ] || [ -n "${extra:-}" ]; then
    echo "smoke check: bad SMOKE_TARGETS line '$kind $name ${url:-} ${extra:-}'; expected '<kind> <name> <url>'" >&2
    exit 2
  fi
  case $kind in
    http | mcp | mcp-auth | mcp-unauth) ;;
    *) echo "smoke check: unknown kind '$kind' for check '$name'; allowed: http, mcp, mcp-auth, mcp-unauth" >&2; exit 2 ;;
  esac
  total=$((total + 1))
  try=1
  while :; do
    if "check_$(echo "$kind" | tr - _)" "$url"; then
      echo "ok   $name $url: $detail"
      break
    fi
    if [ "$try" -ge "$attempts" ]; then
      echo "FAIL $name $url: $detail (after $attempts tries)"
      echo "$name $url: $detail" >> "$work/failures"
      failed=$((failed + 1))
      break
    fi
    echo "retry $name ($try/$attempts) $url: $detail"
    try=$((try + 1))
    sleep "$delay"
  done
done < "$work/targets"

if [ "$total" -eq 0 ]; then
  echo "smoke check: SMOKE_TARGETS lists no check" >&2
  exit 2
fi
if [ "$failed" -gt 0 ]; then
  echo "smoke check FAILED: $failed of $total checks failed:"
  sed 's/^/  - /' "$work/failures"
  exit 1
fi
echo "smoke check passed: $total of $total checks"
