#!/usr/bin/env bash
# The demo: `bash scripts/demo.sh`. Builds and packages the extension (.vsix), installs it into a
# code-server profile of its own, and serves VS Code with the example runbooks on 127.0.0.1
# (port 8080, or PORT). Runs in the foreground until Ctrl+C.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VSIX="$ROOT/.vscode-test/exchange-health-runbooks.vsix"

bash scripts/setup.sh
echo "demo: building (production bundles)"
npm run --silent build:production
echo "demo: packaging $VSIX"
mkdir -p .vscode-test
npx --no-install vsce package --no-dependencies --allow-missing-repository -o "$VSIX"
exec node test/host/demo.mjs "$VSIX"
