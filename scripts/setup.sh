#!/usr/bin/env bash
# Prepares a machine to build, test and demo the extension: Debian packages, the project's npm
# packages, code-server (the VS Code the host tests and the demo run in), PowerShell 7 and Pester
# (the live half, the Exchange simulator and its tests). Idempotent and silent
# about what is already there; runs with no prompts (CI has no stdin). Debian bookworm, as root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CODE_SERVER_VERSION=4.100.3
CODE_SERVER_DIR="$ROOT/.vscode-test/code-server"
CODE_SERVER_BIN="$CODE_SERVER_DIR/node_modules/.bin/code-server"
# @vscode/ripgrep's postinstall downloads rg from GitHub; we hand it Debian's rg from its cache.
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_ASSET_VERSION=v13.0.0-10

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

# --- Node ---------------------------------------------------------------------------------------
command -v node >/dev/null || die "Node.js 20 or newer is required (not found on PATH)."
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "Node.js 20 or newer is required (found $(node -v))."
command -v npm >/dev/null || die "npm is required (not found on PATH)."
say "node $(node -v), npm $(npm -v)"

# --- Debian packages ----------------------------------------------------------------------------
# command or file that shows the package is present -> Debian package
declare -A NEED=(
  [/usr/bin/chromium]=chromium                      # the browser the host tests drive
  [/usr/include/gssapi/gssapi.h]=libkrb5-dev        # code-server's native module kerberos
  [/usr/bin/rg]=ripgrep                             # seeds @vscode/ripgrep's download cache
  [/usr/bin/make]=make                              # node-gyp builds (kerberos, node-pty)
  [/usr/bin/g++]=g++
  [/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf]=fonts-dejavu-core   # readable screenshots
  [/usr/bin/nvim]=neovim                            # a second editor drives the server (test/neovim)
)
missing=()
for probe in "${!NEED[@]}"; do
  [ -e "$probe" ] || missing+=("${NEED[$probe]}")
done
command -v python3 >/dev/null || missing+=(python3)  # node-gyp
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]}. Run as root, or: sudo apt-get install ${missing[*]}"
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  say "Debian packages installed"
else
  say "Debian packages present (chromium, libkrb5-dev, ripgrep, neovim, build tools)"
fi

# --- the project's npm packages -----------------------------------------------------------------
# `npm ci` wipes node_modules, so skip it when node_modules already holds what the lockfile pins
# (other work may be using node_modules while this runs).
lock_satisfied() {
  [ -f package-lock.json ] && [ -f node_modules/.package-lock.json ] || return 1
  node -e '
    const want = require("./package-lock.json").packages || {};
    const have = require("./node_modules/.package-lock.json").packages || {};
    for (const [path, pkg] of Object.entries(want)) {
      if (!path || pkg.link) continue;
      const got = have[path];
      if (!got) { if (pkg.optional) continue; process.exit(1); }
      if (got.version !== pkg.version) process.exit(1);
    }
  ' 2>/dev/null
}
if [ -f package-lock.json ]; then
  if lock_satisfied; then
    say "npm packages up to date with package-lock.json"
  else
    say "npm ci"
    npm ci --no-audit --no-fund
  fi
else
  say "npm install (no package-lock.json)"
  npm install --no-audit --no-fund
fi

# --- code-server --------------------------------------------------------------------------------
installed_version() {
  node -p "require('$CODE_SERVER_DIR/node_modules/code-server/package.json').version" 2>/dev/null || true
}
if [ -x "$CODE_SERVER_BIN" ] && [ -f "$CODE_SERVER_DIR/.installed" ] \
   && [ "$(installed_version)" = "$CODE_SERVER_VERSION" ]; then
  say "code-server $CODE_SERVER_VERSION already installed in .vscode-test/code-server"
else
  say "installing code-server $CODE_SERVER_VERSION into .vscode-test/code-server (about a minute)"
  rm -rf "$CODE_SERVER_DIR"
  mkdir -p "$CODE_SERVER_DIR"
  install_tmp="$ROOT/.vscode-test/install-tmp"
  rm -rf "$install_tmp"
  mkdir -p "$install_tmp"

  case "$(uname -m)" in
    x86_64) rg_target=x86_64-unknown-linux-musl ;;
    aarch64) rg_target=aarch64-unknown-linux-gnu ;;
    *) die "unsupported architecture $(uname -m) for the ripgrep cache" ;;
  esac
  rg_cache="$install_tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
  mkdir -p "$rg_cache/rg-stage"
  cp /usr/bin/rg "$rg_cache/rg-stage/rg"
  tar -czf "$rg_cache/ripgrep-$RIPGREP_ASSET_VERSION-$rg_target.tar.gz" -C "$rg_cache/rg-stage" rg
  rm -rf "$rg_cache/rg-stage"

  # A folder of its own, not a project dependency: a package.json so npm installs here.
  printf '{ "name": "code-server-host", "private": true }\n' > "$CODE_SERVER_DIR/package.json"
  # unsafe_perm: npm refuses lifecycle scripts as root otherwise. yes: node-pty's postinstall
  # runs `npx node-gyp`, which a `yes=false` in ~/.npmrc blocks. nodedir: build native modules
  # against Debian's Node headers instead of downloading them. TMPDIR: where the ripgrep cache is.
  if ! (cd "$CODE_SERVER_DIR" && \
        TMPDIR="$install_tmp" \
        npm_config_unsafe_perm=true \
        npm_config_yes=true \
        npm_config_nodedir=/usr \
        npm_config_audit=false \
        npm_config_fund=false \
        npm_config_update_notifier=false \
        npm install --no-package-lock "code-server@$CODE_SERVER_VERSION" \
          > "$ROOT/.vscode-test/code-server-install.log" 2>&1); then
    tail -n 40 "$ROOT/.vscode-test/code-server-install.log" >&2
    die "code-server install failed (full log: .vscode-test/code-server-install.log)"
  fi
  [ -x "$CODE_SERVER_BIN" ] || die "code-server installed but $CODE_SERVER_BIN is missing"
  "$CODE_SERVER_BIN" --version > /dev/null || die "code-server does not start"
  touch "$CODE_SERVER_DIR/.installed"
  rm -rf "$install_tmp"
  say "code-server $("$CODE_SERVER_BIN" --version | head -n 1) installed"
fi

# --- PowerShell 7 and Pester --------------------------------------------------------------------
# pwsh is the PowerShell global tool from NuGet, pinned (a later 7.7 may want a newer .NET), in the
# git-ignored .tools/pwsh. Its launcher runs `dotnet`, so dotnet must stay on PATH wherever pwsh runs.
# Pester comes from NuGet through scripts/tools.csproj (PackageDownload) and is imported by path.
PWSH_VERSION=7.6.9
PESTER_VERSION=5.7.1
PWSH_DIR="$ROOT/.tools/pwsh"
NUGET_DIR="$ROOT/.tools/nuget"
# Without dotnet, pwsh could neither be installed nor started (its launcher runs dotnet).
command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is required for PowerShell $PWSH_VERSION and Pester $PESTER_VERSION in .tools/, and it is not on PATH. Install the .NET 10 SDK (https://dotnet.microsoft.com/download), then run scripts/setup.sh again."
mkdir -p "$ROOT/.tools"
if [ -x "$PWSH_DIR/pwsh" ] && [ -d "$PWSH_DIR/.store/powershell/$PWSH_VERSION" ]; then
  say "PowerShell $PWSH_VERSION present in .tools/pwsh"
else
  say "installing PowerShell $PWSH_VERSION into .tools/pwsh (dotnet tool, a few seconds)"
  # `update` installs into an empty folder and replaces another version: one command for both.
  dotnet tool update --tool-path "$PWSH_DIR" PowerShell --version "$PWSH_VERSION" >/dev/null \
    || die "could not install PowerShell $PWSH_VERSION: dotnet tool update --tool-path .tools/pwsh PowerShell --version $PWSH_VERSION failed"
fi
pwsh_version="$("$PWSH_DIR/pwsh" -NoLogo -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>&1)" \
  || die "PowerShell in .tools/pwsh does not start: $pwsh_version"
[ "$pwsh_version" = "$PWSH_VERSION" ] || die "PowerShell in .tools/pwsh is $pwsh_version, expected $PWSH_VERSION"
if [ -f "$NUGET_DIR/pester/$PESTER_VERSION/tools/Pester.psd1" ]; then
  say "Pester $PESTER_VERSION present in .tools/nuget"
else
  say "restoring Pester $PESTER_VERSION into .tools/nuget"
  # The restore's own files go to .tools too, so scripts/ stays clean.
  if ! NUGET_PACKAGES="$NUGET_DIR" dotnet restore "$ROOT/scripts/tools.csproj" --nologo -v quiet \
       -p:MSBuildProjectExtensionsPath="$ROOT/.tools/obj/" > "$ROOT/.tools/restore.log" 2>&1; then
    tail -n 20 "$ROOT/.tools/restore.log" >&2
    die "could not restore Pester $PESTER_VERSION (full log: .tools/restore.log)"
  fi
  [ -f "$NUGET_DIR/pester/$PESTER_VERSION/tools/Pester.psd1" ] || die "Pester $PESTER_VERSION restored but its Pester.psd1 is missing"
fi

say "done"
