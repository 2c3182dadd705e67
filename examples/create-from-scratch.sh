#!/usr/bin/env bash
# From nothing to streams that CI can hold right: IAM roles, a KVS key with a least-privilege policy,
# and the streams of examples/streams.toml — against the local sandbox, no AWS account needed.
#   examples/create-from-scratch.sh            (starts its own sandbox on a free port)
#   AWS_ENDPOINT_URL=http://127.0.0.1:4566 examples/create-from-scratch.sh   (uses a running one)
set -euo pipefail
KVSCTL=${KVSCTL:-kvsctl}
HERE=$(cd "$(dirname "$0")" && pwd)
SPEC=${SPEC:-$HERE/streams.toml}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-testing} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-testing}
export AWS_REGION=${AWS_REGION:-us-east-1} AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-${AWS_REGION:-us-east-1}}
ACCT=123456789012  # the sandbox's account (moto's default)
ADMIN=arn:aws:iam::$ACCT:role/KeyAdmin
PRODUCER=arn:aws:iam::$ACCT:role/CameraProducer
CONSUMER=arn:aws:iam::$ACCT:role/VideoAnalytics

work=$(mktemp -d)
started=""
trap 'rm -rf "$work"; [[ -n "$started" ]] && kill "$started" 2>/dev/null; true' EXIT
if [[ -z "${AWS_ENDPOINT_URL:-}" ]]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  $KVSCTL sandbox serve --port "$port" -o json >/dev/null &
  started=$!
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
  for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('$AWS_ENDPOINT_URL/moto-api/data.json', timeout=1)" \
      2>/dev/null && break
    sleep 0.2
  done
fi

echo "== 1. IAM roles: producers may PutMedia, consumers GetMedia (normally your IaC does this)"
python3 - <<'PY'
import json, os, boto3
iam = boto3.client("iam", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"])
trust = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
for name, action in (("KeyAdmin", None), ("CameraProducer", "kinesisvideo:PutMedia"),
                     ("VideoAnalytics", "kinesisvideo:GetMedia")):
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    if action:
        doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
            action, "kinesisvideo:GetDataEndpoint", "kinesisvideo:DescribeStream"], "Resource": "*"}]}
        iam.put_role_policy(RoleName=name, PolicyName="kvs", PolicyDocument=json.dumps(doc))
    print(f"  role/{name}")
PY

echo "== 2. The key policy kvsctl recommends (offline)"
$KVSCTL key recommend-policy --admin "$ADMIN" --producer "$PRODUCER" --consumer "$CONSUMER" -o json > "$work/policy.json"
python3 -c 'import json,sys; d=json.load(sys.stdin); print("  Sids:", ", ".join(s["Sid"] for s in d["Statement"]))' < "$work/policy.json"

echo "== 3. Create the key: that policy, rotation on, alias/kvs-cams"
key_arn=$($KVSCTL key create --alias alias/kvs-cams --admin "$ADMIN" --producer "$PRODUCER" --consumer "$CONSUMER" \
  --description "camera fleet" --tag team=video -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"]["arn"])')
echo "  $key_arn"

echo "== 4. Plan, then create the streams the spec declares"
$KVSCTL apply "$SPEC" --dry-run -o table
$KVSCTL apply "$SPEC" -o json > "$work/apply.json"
python3 -c 'import json,sys; d=json.load(sys.stdin); [print("  "+s["name"]+": "+s["action"]) for s in d["streams"]]; assert d["ok"]' < "$work/apply.json"

echo "== 5. Every stream holds the key ARN (never the alias)"
for name in $(python3 -c 'import json,sys; print(" ".join(s["name"] for s in json.load(sys.stdin)["streams"]))' < "$work/apply.json"); do
  held=$($KVSCTL stream describe "$name" -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["kms_key_id"])')
  [[ "$held" == "$key_arn" ]] || { echo "$name holds $held, expected $key_arn" >&2; exit 1; }
done
$KVSCTL key describe alias/kvs-cams -o table

echo "== 6. Run it again: nothing to do"
$KVSCTL apply "$SPEC" -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert {s["action"] for s in d["streams"]} == {"exists"}, d'
echo "from scratch: done, key $key_arn"
