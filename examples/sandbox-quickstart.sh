#!/usr/bin/env bash
# Create a checked stream against the local sandbox, no AWS account needed.
#   examples/sandbox-quickstart.sh            (starts its own sandbox on a free port)
#   AWS_ENDPOINT_URL=http://127.0.0.1:4566 examples/sandbox-quickstart.sh   (uses a running one)
set -euo pipefail
KVSCTL=${KVSCTL:-kvsctl}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-testing} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-testing}
export AWS_REGION=${AWS_REGION:-us-east-1} AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-${AWS_REGION:-us-east-1}}

started=""
if [[ -z "${AWS_ENDPOINT_URL:-}" ]]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  $KVSCTL sandbox serve --port "$port" -o json >/dev/null &
  started=$!
  trap '[[ -n "$started" ]] && kill "$started" 2>/dev/null' EXIT
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
  for _ in $(seq 50); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen('$AWS_ENDPOINT_URL/moto-api/data.json', timeout=1)" \
      2>/dev/null && break
    sleep 0.2
  done
fi

# A customer managed key, as a security team would make it (the AWS CLI or kvsctl key create).
key_arn=$(python3 - <<'PY'
import os, boto3
kms = boto3.client("kms", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"])
key = kms.create_key(Description="quickstart camera key")["KeyMetadata"]
kms.create_alias(AliasName="alias/quickstart-cams", TargetKeyId=key["KeyId"])
print(key["Arn"])
PY
)

# Checked create: the alias is resolved and the key ARN is what KVS stores.
$KVSCTL stream create quickstart-cam --kms-key alias/quickstart-cams --retention-hours 24 \
  --media-type video/h264 --tag team=video -o json > /tmp/kvsctl-quickstart.json
stored=$($KVSCTL stream describe quickstart-cam -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["kms_key_id"])')
[[ "$stored" == "$key_arn" ]] || { echo "expected $key_arn, KVS holds $stored" >&2; exit 1; }

# Idempotent re-run: succeeds only because the stream has the same key.
$KVSCTL stream create quickstart-cam --kms-key alias/quickstart-cams --if-not-exists -o json >/dev/null
$KVSCTL stream list --name-prefix quickstart -o table
echo "quickstart-cam is encrypted with $stored"
