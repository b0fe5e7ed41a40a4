#!/usr/bin/env bash
# Packs every package as a release would and checks what its users get (tools/PackageCheck): README with code,
# licence, repository metadata, SourceLink and symbols, no test-only or pinned-workaround dependency, no empty package.
# .ci/run runs it after the tests' Release build, so it packs with --no-build; pass --build to build first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
no_build=--no-build
if [ "${1:-}" = "--build" ]; then no_build=; fi
dotnet pack "$root/LlmKit.sln" -c Release $no_build -o "$out" -nologo -v:q -clp:ErrorsOnly
dotnet run --project "$root/tools/PackageCheck/PackageCheck.csproj" -c Release -- "$out" "$root"
