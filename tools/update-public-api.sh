#!/usr/bin/env bash
# Regenerates every shipped library's public API baseline (PublicAPI.Unshipped.txt) from the code as it is: builds the
# src/ projects with empty baselines and takes the symbols PublicApiAnalyzers reports as undeclared (RS0016). Review
# the diff: it is the change to the public API.
set -euo pipefail
cd "$(dirname "$0")/.."
projects=$(ls src/*/PublicAPI.Unshipped.txt | xargs -n1 dirname)
for p in $projects; do printf '#nullable enable\n' > "$p/PublicAPI.Shipped.txt"; printf '#nullable enable\n' > "$p/PublicAPI.Unshipped.txt"; done
log=$(mktemp)
for p in $projects; do
  dotnet build "$p" -c Release -p:TreatWarningsAsErrors=false -nologo 2>&1 >>"$log" || true
done
python3 - "$log" <<'PY'
import re, sys, collections
symbols = collections.defaultdict(set)
for line in open(sys.argv[1], encoding='utf-8', errors='replace'):
    m = re.search(r"warning RS0016: Symbol '(.*)' is not part of the declared public API .*\[(.*)/[^/]+\.csproj\]", line)
    if m:
        symbols[m.group(2)].add(m.group(1))
for project, names in symbols.items():
    with open(f"{project}/PublicAPI.Unshipped.txt", "w", encoding="utf-8") as f:
        f.write("#nullable enable\n")
        for name in sorted(names, key=lambda s: s.replace('~', '')):
            f.write(name + "\n")
    print(f"{project}: {len(names)} symbols")
PY
rm -f "$log"
