#!/usr/bin/env bash
# Regenerates the README's dashboard screenshots (docs/screenshots/*.png) from the browser tests: they start a real
# silo, run the demo sweep (the README's first command on a fresh data directory), a sweep over a multi-step verl run
# folder and three runs with known flips, and save a screenshot of every page they visit under the test output. Needs Debian's Chromium (apt-get install chromium), as the tests do.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
dotnet test tests/Silo --filter "FullyQualifiedName~DemoEndToEndTests|FullyQualifiedName~DashboardEndToEndTests|FullyQualifiedName~CompareEndToEndTests"
shots="$repo/tests/Silo/bin/Debug/net10.0/screenshots"
# The demo's pages show a metric that really moves; the others come from the dashboard tests' own runs.
cp "$shots/demo-sweep.png" "$repo/docs/screenshots/sweep.png"
cp "$shots/demo-compare.png" "$repo/docs/screenshots/compare.png"
cp "$shots/demo-home.png" "$repo/docs/screenshots/overview.png"
for page in run sample samples new-refused; do
  cp "$shots/$page.png" "$repo/docs/screenshots/$page.png"
done
echo "screenshots copied to docs/screenshots/ from $shots"
