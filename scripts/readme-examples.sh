#!/usr/bin/env bash
# Regenerates the example blocks of README.md from real runs of the release binary, so the
# README shows what the tool prints today. Usage: bash scripts/readme-examples.sh
#
# Each block sits between `<!-- examples:NAME -->` and `<!-- /examples:NAME -->`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin=$(pwd)/target/release/aigc-term
export NO_COLOR=1
unset AIGC_TERM_GLOSSARY LANG LANGUAGE LC_ALL LC_MESSAGES || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME=$work/cache

# example ARGS...: a console block of one run, stderr included (notes go there).
example() {
  printf '```console\n$ aigc-term %s\n' "$*"
  "$bin" "$@" 2>&1 || true
  printf '```\n\n'
}

# A block with only the first N lines of the output.
head_example() {
  local lines=$1; shift
  printf '```console\n$ aigc-term %s | head -%s\n' "$*" "$lines"
  "$bin" "$@" 2>&1 | head -"$lines" || true
  printf '```\n\n'
}

{
  example gan
  example clpi --lang en
  example difusion --lang zh
  example stable diff --field en
  example kubernetes
  example fls
  example search noise --lang en
  example related gan
  example related --format dot vae
  example --json fls
  printf '```console\n$ aigc-term --json clpi | jq -c '"'"'.terms[] | {id, en, zh, tags, year, match}'"'"'\n'
  "$bin" --json clpi 2>/dev/null | jq -c '.terms[] | {id, en, zh, tags, year, match}'
  printf '```\n\n'
  example tags
  head_example 5 list --plain
} > "$work/main.md"

{
  example 扩散 --lang zh
  example kuosan --field zh
  example kuò sàn mó xíng --field zh
  example kuo4san4 --field id
  example shengcheng duikang wangluo --field zh
  example scdkwl --field zh
  example sd --field en
  example 生成對抗網絡 --field zh
  example 類神經網路 --field zh
  example stable 扩散 --field en
  example LoRA 微调 --field en
  example 推理 --field en
} > "$work/chinese.md"

{
  printf '```console\n$ aigc-term --json 擴散模型 | jq .terms[0].match\n'
  "$bin" --json 擴散模型 | jq .terms[0].match
  printf '```\n\n'
  printf '```console\n$ printf '"'"'gan\\n:lang zh\\n扩散\\n:quit\\n'"'"' | aigc-term repl\n'
  printf 'gan\n:lang zh\n扩散\n:quit\n' | "$bin" repl 2>&1 | head -20 || true
  printf '```\n\n'
  printf '```console\n$ COMPLETE=fish aigc-term -- aigc-term 生成\n'
  COMPLETE=fish "$bin" -- aigc-term 生成 | head -6 || true
  printf '```\n\n'
  printf '```console\n$ aigc-term export --format tsv | cut -f1-3,6 | head -4\n'
  "$bin" export --format tsv | cut -f1-3,6 | head -4 || true
  printf '```\n\n'
  printf '```console\n$ aigc-term export --format stardict -o dict/aigc-term && sdcv -n --data-dir dict 生成对抗网络 | head -6\n'
  mkdir -p "$work/dict"
  "$bin" export --format stardict -o "$work/dict/aigc-term" 2>&1
  if command -v sdcv >/dev/null; then
    # The first run writes sdcv's own index cache and says so; show a later run.
    HOME=$work LC_ALL=C.UTF-8 sdcv -n --data-dir "$work/dict" gan >/dev/null 2>&1 || true
    HOME=$work LC_ALL=C.UTF-8 sdcv -n --data-dir "$work/dict" 生成对抗网络 2>/dev/null | head -6 || true
  fi
  printf '```\n\n'
} > "$work/ecosystem.md"

python3 - "$work" <<'PY'
import re, sys
work = sys.argv[1]
readme = open("README.md", encoding="utf-8").read()
for name in ["main", "chinese", "ecosystem"]:
    block = open(f"{work}/{name}.md", encoding="utf-8").read().rstrip() + "\n"
    start, end = f"<!-- examples:{name} -->", f"<!-- /examples:{name} -->"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(readme):
        sys.exit(f"README.md has no {start} block")
    readme = pattern.sub(lambda _: f"{start}\n\n{block}\n{end}", readme)
open("README.md", "w", encoding="utf-8").write(readme)
PY
echo "README.md examples regenerated"
