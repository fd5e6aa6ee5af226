#!/usr/bin/env bash
# Installs the packed library (dist/js/*.tgz from package:js) into a fresh app with the newest
# aws-cdk-lib, cdk-nag 2 and cdk-nag 3, and runs app.js under each major.
set -euo pipefail
CDK_VERSION="${CDK_VERSION:-2.276.0}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
tgz="$(ls "$root"/dist/js/*.tgz 2>/dev/null | head -1)"
[ -n "$tgz" ] || { echo "no dist/js/*.tgz: run 'npx projen package:js' first" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/test/consumer/app.js" "$work/"
cat > "$work/package.json" <<JSON
{
  "name": "consumer-app",
  "private": true,
  "dependencies": {
    "aws-cdk-lib": "$CDK_VERSION",
    "constructs": "10.5.1",
    "cdk-nag": "3.0.2",
    "cdk-nag-v2": "npm:cdk-nag@2.38.2",
    "cdk-security-blocks": "file:$tgz"
  }
}
JSON
cd "$work"
SECONDS=0
npm install --prefer-offline --no-audit --no-fund --loglevel=error
install=$SECONDS
node app.js v2
v2=$((SECONDS - install))
node app.js v3
echo "consumer test passed: npm install ${install}s, cdk-nag v2 ${v2}s, cdk-nag v3 $((SECONDS - install - v2))s"
