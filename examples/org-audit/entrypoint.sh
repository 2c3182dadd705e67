#!/bin/sh
# The container's three jobs in the org audit (state-machine.yaml). Exit 0 or 1 from kvsctl is a completed
# audit (1: failing checks, recorded in the shard's report); 2, 3 and 4 fail the task so Step Functions retries.
set -eu
run="s3://${REPORT_BUCKET}/${RUN_ID}"
case "${1:-}" in
  list-accounts)
    aws organizations list-accounts --query 'Accounts[?State==`ACTIVE`].{id: Id}' --output json > /tmp/accounts.json
    aws s3 cp /tmp/accounts.json "$run/accounts.json"
    ;;
  audit-shard)
    accounts=$(printf '%s' "$SHARD_ACCOUNTS" | python3 -c 'import json,sys; print(",".join(a["id"] for a in json.load(sys.stdin)))')
    shard=$(printf '%s' "$accounts" | sha256sum | cut -c1-16)
    regions=""
    for r in $AUDIT_REGIONS; do regions="$regions --region $r"; done
    # shellcheck disable=SC2086
    kvsctl audit all --accounts "$accounts" --assume-role "$AUDIT_ROLE" $regions -o json --report /tmp/shard.json || rc=$?
    [ "${rc:-0}" -le 1 ] || exit "$rc"
    aws s3 cp /tmp/shard.json "$run/shards/$shard.json"
    ;;
  merge)
    aws s3 cp --recursive "$run/shards/" /tmp/shards/
    kvsctl report merge /tmp/shards/*.json -o json --report /tmp/report.json || rc=$?
    kvsctl report merge /tmp/shards/*.json -o sarif --report /tmp/report.sarif || true
    aws s3 cp /tmp/report.json "$run/report.json"
    aws s3 cp /tmp/report.sarif "$run/report.sarif"
    [ "${rc:-0}" -le 1 ]
    ;;
  *)
    exec kvsctl "$@"
    ;;
esac
