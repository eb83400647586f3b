#!/usr/bin/env bash
# The Vouch CI gate (run by action.yml, usable from any CI): fetch the notes, write
# `vouch report --markdown --verify` to the job summary, then run `vouch verify` and exit with
# its status. Inputs come from the environment only (never interpolated into this script):
#   VOUCH_RANGE             commit range; default: <remote>/<base>..HEAD with GITHUB_BASE_REF
#                           (pull requests), else vouch's own default
#   VOUCH_REMOTE            remote to fetch notes from (default origin)
#   VOUCH_POLICY            policy file (auditor's copy), passed as --policy when set
#   VOUCH_POLICY_FROM_BASE  "true": read the policy from the base branch (--policy-from-base)
#   VOUCH_ALLOWED_SIGNERS   allowed-signers file, passed as --allowed-signers when set
#   VOUCH_OPENPGP_KEYRING   OpenPGP public keys of the reviewers, passed as --openpgp-keyring when set
#   VOUCH_REQUIRE_SIGNED    "true": records must carry a verified signature
#   VOUCH_COMMAND           how to run vouch (default: node "$GITHUB_ACTION_PATH/dist/cli.js",
#                           built on first use)
#   GITHUB_STEP_SUMMARY     file the Markdown report is appended to (optional)
set -euo pipefail

remote="${VOUCH_REMOTE:-origin}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"

if [ -n "${VOUCH_COMMAND:-}" ]; then
  read -r -a vouch <<<"$VOUCH_COMMAND"
else
  action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}"
  if [ ! -f "$action_path/dist/cli.js" ]; then
    echo "vouch-gate: building the vouch CLI in $action_path"
    (cd "$action_path" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null && npm run build >/dev/null)
  fi
  vouch=(node "$action_path/dist/cli.js")
fi

# Notes are not fetched by a checkout. A remote without notes yet is not an error.
if ! git fetch --no-tags --quiet "$remote" '+refs/notes/vouch:refs/notes/vouch' 2>/dev/null; then
  echo "vouch-gate: $remote has no refs/notes/vouch yet"
fi
git fetch --no-tags --quiet "$remote" '+refs/notes/ai:refs/notes/ai' 2>/dev/null || true

range="${VOUCH_RANGE:-}"
if [ -z "$range" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
  git fetch --no-tags --quiet "$remote" "+refs/heads/${GITHUB_BASE_REF}:refs/remotes/${remote}/${GITHUB_BASE_REF}"
  range="${remote}/${GITHUB_BASE_REF}..HEAD"
fi
range_args=()
[ -n "$range" ] && range_args=("$range")

verify_args=()
[ "${VOUCH_REQUIRE_SIGNED:-false}" = "true" ] && verify_args+=(--require-signed)
[ -n "${VOUCH_POLICY:-}" ] && verify_args+=(--policy "$VOUCH_POLICY")
[ "${VOUCH_POLICY_FROM_BASE:-false}" = "true" ] && verify_args+=(--policy-from-base)
[ -n "${VOUCH_ALLOWED_SIGNERS:-}" ] && verify_args+=(--allowed-signers "$VOUCH_ALLOWED_SIGNERS")
[ -n "${VOUCH_OPENPGP_KEYRING:-}" ] && verify_args+=(--openpgp-keyring "$VOUCH_OPENPGP_KEYRING")

# The summary first, so it is there whatever verify says; a failed report does not hide verify.
report_args=(--markdown --verify)
[ "${VOUCH_REQUIRE_SIGNED:-false}" = "true" ] && report_args+=(--require-signed)
[ -n "${VOUCH_POLICY:-}" ] && report_args+=(--policy "$VOUCH_POLICY")
[ "${VOUCH_POLICY_FROM_BASE:-false}" = "true" ] && report_args+=(--policy-from-base)
[ -n "${VOUCH_ALLOWED_SIGNERS:-}" ] && report_args+=(--allowed-signers "$VOUCH_ALLOWED_SIGNERS")
[ -n "${VOUCH_OPENPGP_KEYRING:-}" ] && report_args+=(--openpgp-keyring "$VOUCH_OPENPGP_KEYRING")
if ! "${vouch[@]}" report "${range_args[@]}" "${report_args[@]}" >>"$summary"; then
  echo "vouch-gate: the report could not be written" >&2
fi

status=0
"${vouch[@]}" verify "${range_args[@]}" "${verify_args[@]}" || status=$?
if [ "$status" -ne 0 ]; then
  echo "vouch-gate: vouch verify failed (exit $status)" >&2
fi
exit "$status"
