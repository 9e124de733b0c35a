#!/usr/bin/env bash
# Installs the real VS Code workbench used by `npm start` and `npm run test:e2e`:
# code-server 4.100.3 (VS Code 1.100.3, the last line that runs on Node 20) into .cache/workbench/,
# plus the Debian packages it and the e2e/fidelity suites need. Idempotent: a stamp keyed by the
# workbench lockfile, the Node major and the CPU arch makes a second run a no-op.
#
# Works offline except for the npm registry and Debian apt (no GitHub, no VS Code update server).
# usage: bash scripts/install-workbench.sh [--force] [--apt-only]
#   --force     reinstall code-server even if the stamp matches
#   --apt-only  only install the Debian packages (CI runs this before `npm ci`, whose native
#               dependencies need the same toolchain and headers)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE="$ROOT/.cache"
WB="$CACHE/workbench"
SPEC="$ROOT/e2e/workbench"          # package.json + package-lock.json pinning code-server's tree
CS_VERSION=4.100.3
FORCE=; APT_ONLY=
for a in "$@"; do
  case "$a" in
    --force) FORCE=1 ;;
    --apt-only) APT_ONLY=1 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done

log() { echo "[install-workbench] $*"; }
t0=$(date +%s)

# ---------------------------------------------------------------------------------------------
# 1. Debian packages. chromium drives the workbench (playwright-core, executablePath); ripgrep
#    stands in for @vscode/ripgrep's GitHub download; the toolchain and -dev headers build
#    code-server's native modules (node-pty, kerberos, spdlog, native-watchdog, argon2);
#    stress-ng and rt-tests (cyclictest) are for the fidelity suite.
APT_PKGS=(chromium ripgrep build-essential python3 pkg-config libkrb5-dev libx11-dev libxkbfile-dev
          libsecret-1-dev curl stress-ng rt-tests)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages (need root to install): ${missing[*]}"; exit 1
  fi
  log "apt-get install ${missing[*]}"
  s=$(date +%s)
  export DEBIAN_FRONTEND=noninteractive
  # Another apt run (e.g. a parallel setup step) may hold the dpkg lock: wait for it, not fail.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "apt took $(( $(date +%s) - s ))s"
else
  log "Debian packages present"
fi
[ -n "$APT_ONLY" ] && exit 0

# ---------------------------------------------------------------------------------------------
# 2. code-server, skipped when the stamp matches what is installed.
stamp_key="code-server=$CS_VERSION node=$(node -p 'process.versions.node.split(".")[0]') arch=$(uname -m) spec=$(cat "$SPEC/package.json" "$SPEC/package-lock.json" | sha256sum | cut -c1-16)"
CS_BIN="$WB/node_modules/.bin/code-server"
if [ -z "$FORCE" ] && [ -f "$WB/.installed" ] && [ "$(cat "$WB/.installed")" = "$stamp_key" ] && [ -x "$CS_BIN" ]; then
  log "code-server $CS_VERSION already installed in ${WB#$ROOT/} (stamp matches); nothing to do"
  exit 0
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || { log "code-server $CS_VERSION needs Node 20 (found $(node --version))"; exit 1; }

rm -rf "$WB"; mkdir -p "$WB" "$CACHE/tmp"
cp "$SPEC/package.json" "$SPEC/package-lock.json" "$WB/"

# @vscode/ripgrep's postinstall (inside code-server's lib/vscode) downloads rg from GitHub unless
# it finds a tarball at $TMPDIR/vscode-ripgrep-cache-<pkg version>/ripgrep-<rg version>-<target>.tar.gz.
# Seed that cache with Debian's rg 13.0.0, the same rg version @vscode/ripgrep 1.15.11 fetches.
export TMPDIR="$CACHE/tmp"
case "$(uname -m)" in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64) rg_target=aarch64-unknown-linux-gnu ;;
  *) log "unsupported arch $(uname -m)"; exit 1 ;;
esac
seed="$TMPDIR/rgseed"; mkdir -p "$seed" "$TMPDIR/vscode-ripgrep-cache-1.15.11"
cp "$(command -v rg)" "$seed/rg"
tar czf "$TMPDIR/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-$rg_target.tar.gz" -C "$seed" rg

# code-server's postinstall.sh refuses to run as root unless npm_config_unsafe_perm=true (it reads
# the variable itself; npm 11 only warns that it no longer knows the option). node-pty's install
# runs `npx node-gyp`, which needs yes=true when the user npmrc says yes=false. node-gyp must use
# the local Node headers (nodejs.org is unreachable). npm 11 only runs the install scripts listed
# in allowScripts (e2e/workbench/package.json: code-server and argon2) without a notice; the nested `npm install`
# that code-server's postinstall runs in lib/vscode then builds VS Code's own native modules.
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_fund=false npm_config_audit=false
[ -d /usr/include/node ] && export npm_config_nodedir=/usr
log "npm ci code-server@$CS_VERSION into ${WB#$ROOT/} (log: ${WB#$ROOT/}/install.log)"
s=$(date +%s)
if ! (cd "$WB" && npm ci --no-audit --no-fund > install.log 2>&1); then
  tail -40 "$WB/install.log"; log "npm ci failed"; exit 1
fi
log "npm ci took $(( $(date +%s) - s ))s"

# The install can "succeed" with install scripts skipped (npm 11 only warns), so check the results.
VSC="$WB/node_modules/code-server/lib/vscode"
for f in node_modules/node-pty/build/Release/pty.node node_modules/@vscode/spdlog/build/Release/spdlog.node \
         node_modules/kerberos/build/Release/kerberos.node node_modules/@vscode/ripgrep/bin/rg node_modules.asar; do
  [ -e "$VSC/$f" ] || { log "missing after install: lib/vscode/$f (an install script did not run)"; grep -i 'install-scripts' "$WB/install.log" || true; exit 1; }
done

# Smoke test: the server must answer /healthz.
export XDG_CONFIG_HOME="$CACHE/xdg/config" XDG_DATA_HOME="$CACHE/xdg/data" XDG_CACHE_HOME="$CACHE/xdg/cache"
"$CS_BIN" --version
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
smoke="$CACHE/tmp/smoke"; rm -rf "$smoke"; mkdir -p "$smoke"
EXTENSIONS_GALLERY='{"serviceUrl":""}' "$CS_BIN" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry \
  --disable-update-check --user-data-dir "$smoke/ud" --extensions-dir "$smoke/ext" > "$smoke/server.log" 2>&1 < /dev/null &
cs_pid=$!
ok=
for _ in $(seq 1 100); do
  if curl -fs -o /dev/null "http://127.0.0.1:$port/healthz"; then ok=1; break; fi
  sleep 0.2
done
kill "$cs_pid" 2>/dev/null || true; wait "$cs_pid" 2>/dev/null || true
[ -n "$ok" ] || { cat "$smoke/server.log"; log "code-server did not answer /healthz"; exit 1; }
rm -rf "$smoke"

echo "$stamp_key" > "$WB/.installed"
log "done in $(( $(date +%s) - t0 ))s: $CS_BIN"
