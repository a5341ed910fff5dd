#!/usr/bin/env bash
# Regenerates the README's dashboard screenshots (docs/screenshots/*.png) from the browser tests: they start a real
# silo, run a sweep over a multi-step verl run folder and three runs with known flips, and save a screenshot of every
# page they visit under the test output. Needs Debian's Chromium (apt-get install chromium), as the tests do.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
dotnet test tests/Silo --filter "FullyQualifiedName~DashboardEndToEndTests|FullyQualifiedName~CompareEndToEndTests"
shots="$repo/tests/Silo/bin/Debug/net10.0/screenshots"
for page in sweep compare run sample samples new-refused; do
  cp "$shots/$page.png" "$repo/docs/screenshots/$page.png"
done
echo "screenshots copied to docs/screenshots/ from $shots"
