#!/usr/bin/env bash
# Installs the packed library (dist/js/*.tgz from package:js) into a fresh app and runs app.js under
# the cdk-nag majors named as arguments (v2, v3; default both).
#
# Versions: CDK_VERSION (aws-cdk-lib), CONSTRUCTS_VERSION, CDK_NAG_V2_VERSION and CDK_NAG_V3_VERSION,
# exact versions (test:consumer passes the floor the library supports), or CONSUMER_VERSIONS=newest:
# the newest aws-cdk-lib 2.x, cdk-nag 2.x, cdk-nag 3.x (and constructs 10.x, which a new aws-cdk-lib
# may need) that the registry serves right now (test:consumer:newest),
# so a release that breaks the zero-findings promise shows up the day it ships.
set -euo pipefail
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(v2 v3)
root="$(cd "$(dirname "$0")/../.." && pwd)"
tgz="$(ls "$root"/dist/js/*.tgz 2>/dev/null | head -1)"
[ -n "$tgz" ] || { echo "no dist/js/*.tgz: run 'npx projen package:js' first" >&2; exit 1; }

# The highest version of $1 in range $2 that the registry serves (npm view prints one or a list).
newest() {
  npm view "$1@$2" version --json | node -e '
    const v = [JSON.parse(require("fs").readFileSync(0, "utf8"))].flat();
    const key = (s) => s.split(/[.-]/).slice(0, 3).map(Number);
    const cmp = (a, b) => key(a).reduce((d, x, i) => d || x - key(b)[i], 0);
    const best = v.filter((s) => /^\d+\.\d+\.\d+$/.test(s)).sort(cmp).pop();
    if (!best) { console.error("no release of '"$1@$2"' on the registry"); process.exit(1); }
    console.log(best);'
}

SECONDS=0
if [ "${CONSUMER_VERSIONS:-}" = newest ]; then
  CDK_VERSION="$(newest aws-cdk-lib '>=2.0.0 <3.0.0')"
  CDK_NAG_V2_VERSION="$(newest cdk-nag '>=2.0.0 <3.0.0')"
  CDK_NAG_V3_VERSION="$(newest cdk-nag '>=3.0.0 <4.0.0')"
  CONSTRUCTS_VERSION="$(newest constructs '>=10.0.0 <11.0.0')"
  echo "newest on the registry (${SECONDS}s to resolve): aws-cdk-lib ${CDK_VERSION}, cdk-nag ${CDK_NAG_V2_VERSION} (v2), cdk-nag ${CDK_NAG_V3_VERSION} (v3), constructs ${CONSTRUCTS_VERSION}"
fi
: "${CDK_VERSION:?set CDK_VERSION or CONSUMER_VERSIONS=newest}" "${CONSTRUCTS_VERSION:?}" "${CDK_NAG_V2_VERSION:?}" "${CDK_NAG_V3_VERSION:?}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/test/consumer/app.js" "$work/"
cat > "$work/package.json" <<JSON
{
  "name": "consumer-app",
  "private": true,
  "dependencies": {
    "aws-cdk-lib": "$CDK_VERSION",
    "constructs": "$CONSTRUCTS_VERSION",
    "cdk-nag": "$CDK_NAG_V3_VERSION",
    "cdk-nag-v2": "npm:cdk-nag@$CDK_NAG_V2_VERSION",
    "cdk-security-blocks": "file:$tgz"
  }
}
JSON
cd "$work"
start=$SECONDS
npm install --prefer-offline --no-audit --no-fund --loglevel=error
times="npm install $((SECONDS - start))s"
for mode in "${modes[@]}"; do
  start=$SECONDS
  node app.js "$mode"
  [ "$mode" = v2 ] && nag="$CDK_NAG_V2_VERSION" || nag="$CDK_NAG_V3_VERSION"
  times="$times, cdk-nag $nag ($mode) $((SECONDS - start))s"
done
echo "consumer test passed (aws-cdk-lib $CDK_VERSION, constructs $CONSTRUCTS_VERSION): $times, ${SECONDS}s in all"
