#!/usr/bin/env bash
# Whole-process benchmarks of aigc-term, timed side by side with the floor: a Rust
# hello-world built with the same release profile. Writes BENCHMARKS.md (median wall time of
# many runs, ratio to the floor, peak memory from /usr/bin/time).
#
#   bash scripts/bench.sh           # full run (about 15 minutes on 2 cores), then the divan
#                                   # benches (`cargo bench --bench lookup`) for the growth table
#   bash scripts/bench.sh --quick   # fewer runs, no 100,000-term cold runs, no divan
#   BEFORE=path/to/old/aigc-term bash scripts/bench.sh
#                                   # also time an older build on the same commands
#                                   # (a "before" column; older builds parse TOML every run,
#                                   # so they get fewer runs on the large glossaries)
#
# When sdcv is installed, the 100,000-term glossary is also exported to StarDict and looked
# up with `sdcv -n --data-dir`, for scale.
# Installs hyperfine from Debian's packages when it is missing. CI does not run this.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
[ "${1:-}" = "--quick" ] && quick=true
runs=200; cold_runs=5
$quick && { runs=40; cold_runs=2; }

if ! command -v hyperfine >/dev/null; then
  echo "installing hyperfine from Debian's packages" >&2
  (apt-get install -y hyperfine || sudo apt-get install -y hyperfine) >/dev/null
fi

work=target/bench
mkdir -p "$work"
export CARGO_TERM_COLOR=never
cargo build --release --quiet
cargo build --release --quiet --example gen-glossary
bin=$(pwd)/target/release/aigc-term

# The floor: hello-world with this crate's [profile.release].
mkdir -p "$work/floor/src"
{
  printf '[package]\nname = "floor"\nversion = "0.0.0"\nedition = "2021"\n\n[workspace]\n\n'
  sed -n '/^\[profile.release\]/,/^\[/p' Cargo.toml | sed '$!b;/^\[/d'
} > "$work/floor/Cargo.toml"
printf 'fn main() {\n    println!("hello");\n}\n' > "$work/floor/src/main.rs"
cargo build --release --quiet --manifest-path "$work/floor/Cargo.toml" --target-dir "$work/floor/target"
floor=$(pwd)/$work/floor/target/release/floor

sizes="1000 10000 100000"
for n in $sizes; do
  [ -s "$work/big-$n.toml" ] || ./target/release/examples/gen-glossary "$n" > "$work/big-$n.toml"
done

export XDG_CACHE_HOME=$(pwd)/$work/cache
export NO_COLOR=1
unset AIGC_TERM_GLOSSARY LANG LC_ALL LANGUAGE || true

results=$work/results.tsv
: > "$results"

# Peak resident memory of one run, in KiB.
peak_kib() {
  /usr/bin/time -o "$work/memory" -f '%M' "$@" >/dev/null 2>&1 || true
  tail -1 "$work/memory"
}

# measure NAME TERMS RUNS COMMAND... : the command's median (ms) and its ratio to the floor,
# each the median over ROUNDS hyperfine runs of the floor and the command side by side, and
# the peak memory (KiB). Rounds, because within one hyperfine run the floor's runs all come
# before the command's, and on these machines the speed drifts between the two blocks.
rounds=5
measure() {
  local name=$1 terms=$2 count=$3; shift 3
  local per_round=$(( (count + rounds - 1) / rounds ))
  : > "$work/rounds.tsv"
  for _ in $(seq "$rounds"); do
    hyperfine -N --warmup 3 --runs "$per_round" --export-json "$work/one.json" -i "$floor" "$*" >/dev/null 2>&1
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(r[0]["median"]*1000, r[1]["median"]*1000)' "$work/one.json" >> "$work/rounds.tsv"
  done
  local median local_floor ratio ratio_range
  read -r median local_floor ratio ratio_range < <(python3 - "$work/rounds.tsv" <<'PY'
import statistics, sys
rounds = [tuple(map(float, line.split())) for line in open(sys.argv[1])]
ratios = [command / floor for floor, command in rounds]
print(statistics.median(c for _, c in rounds), statistics.median(f for f, _ in rounds),
      statistics.median(ratios), f"{min(ratios):.2f}-{max(ratios):.2f}")
PY
)
  local peak
  peak=$(peak_kib "$@")
  local before_median=- before_peak=-
  if [ -n "${BEFORE:-}" ] && [ "$1" = "$bin" ]; then
    local before_runs=$count
    [ "$terms" != - ] && [ "$terms" -ge 10000 ] && before_runs=5
    local before_command=("$BEFORE" "${@:2}")
    hyperfine -N --warmup 1 --runs "$before_runs" --export-json "$work/one.json" -i "${before_command[*]}" >/dev/null 2>&1
    before_median=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"]*1000)' "$work/one.json")
    before_peak=$(peak_kib "${before_command[@]}")
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$terms" "$median" "$peak" "$*" "$before_median" "$before_peak" "$local_floor" "$ratio" "$ratio_range" >> "$results"
  printf '%-44s %8s terms %8.3f ms %5.2fx (%s) %8s KiB  before %s ms %s KiB\n' "$name" "$terms" "$median" "$ratio" "$ratio_range" "$peak" "$before_median" "$before_peak" >&2
}

measure "floor (hello-world)" - "$runs" "$floor"
shipped=$("$bin" --json list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["terms"]))')
measure "aigc-term gan" "$shipped" "$runs" "$bin" gan
measure "aigc-term difusion (fuzzy)" "$shipped" "$runs" "$bin" difusion
measure "aigc-term search noise" "$shipped" "$runs" "$bin" search noise
measure "aigc-term --json clip" "$shipped" "$runs" "$bin" --json clip
measure "aigc-term related gan" "$shipped" "$runs" "$bin" related gan
measure "aigc-term kuosan (pinyin)" "$shipped" "$runs" "$bin" kuosan
measure "aigc-term 生成對抗網絡 (traditional)" "$shipped" "$runs" "$bin" 生成對抗網絡
measure "aigc-term stable 扩散 (mixed)" "$shipped" "$runs" "$bin" stable 扩散

for n in $sizes; do
  file=$work/big-$n.toml
  # Queries taken from the generated file: a name, a one-edit typo of it, a prefix of it,
  # an acronym (initials plus number), and a word of the definitions.
  read -r exact typo prefix acronym word < <(python3 - "$file" "$n" <<'PY'
import sys, tomllib
terms = tomllib.load(open(sys.argv[1], "rb"))["term"]
term = terms[int(sys.argv[2]) * 2 // 3]
en = term["en"]
first, rest = en.split(" ", 1)
typo = first[:2] + first[3:] + " " + rest           # one deletion
prefix = " ".join(en.split(" ")[:2]) + " " + en.split(" ")[2][:3]
print(term["id"], typo.replace(" ", "_"), prefix.replace(" ", "_"), term["abbr"][0].lower(), "sparse")
PY
)
  typo=${typo//_/ }; prefix=${prefix//_/ }
  if ! $quick || [ "$n" != 100000 ]; then
    hyperfine -N --runs "$cold_runs" --prepare "rm -rf $XDG_CACHE_HOME" --export-json "$work/one.json" -i "$bin -g $file $exact" >/dev/null 2>&1
    median=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"]*1000)' "$work/one.json")
    rm -rf "$XDG_CACHE_HOME"
    peak=$(peak_kib "$bin" -g "$file" "$exact")
    printf '%s\t%s\t%s\t%s\t%s\t-\t-\t-\t-\t-\n' "first run: parse + compile + cache" "$n" "$median" "$peak" "$bin -g $file $exact" >> "$results"
    printf '%-44s %8s terms %8.3f ms %8s KiB\n' "first run (cold)" "$n" "$median" "$peak" >&2
  fi
  "$bin" -g "$file" "$exact" >/dev/null   # the cache is warm from here on
  measure "exact ($exact)" "$n" "$runs" "$bin" -g "$file" "$exact"
  measure "fuzzy typo ($typo)" "$n" "$runs" "$bin" -g "$file" "$typo"
  measure "fuzzy prefix ($prefix)" "$n" "$runs" "$bin" -g "$file" "$prefix"
  measure "fuzzy acronym ($acronym)" "$n" "$runs" "$bin" -g "$file" "$acronym"
  measure "search $word" "$n" "$runs" "$bin" -g "$file" search "$word"
  if [ "$n" = 100000 ] && command -v sdcv >/dev/null; then
    rm -rf "$work/stardict" && mkdir -p "$work/stardict"
    "$bin" --no-default -g "$file" export --format stardict -o "$work/stardict/big" 2>/dev/null
    headword=$("$bin" --no-default -g "$file" "$exact" --field en)
    HOME=$(pwd)/$work LC_ALL=C.UTF-8 sdcv -n --data-dir "$work/stardict" "$headword" >/dev/null 2>&1 || true
    HOME=$(pwd)/$work LC_ALL=C.UTF-8 measure "sdcv, same glossary as StarDict ($headword)" "$n" "$runs" \
      sdcv -n --data-dir "$work/stardict" "$headword"
  fi
done

# In-process timings (divan): the library alone at each size, for the growth curve.
rm -f "$work/divan.txt"
if ! $quick; then
  cargo bench --quiet --bench lookup -- build exact fuzzy search > "$work/divan.txt" 2>/dev/null
fi

python3 - "$results" "$work/floor/Cargo.toml" "$work/divan.txt" <<'PY' > BENCHMARKS.md
import sys, platform, subprocess, datetime
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1], encoding="utf-8")]
floor_ms, floor_kib = float(rows[0][2]), int(rows[0][3])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown CPU")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
print("# Benchmarks\n")
print("Whole-process wall time (median of many runs, hyperfine) and peak memory (`/usr/bin/time`),")
print("side by side with the floor: a Rust hello-world built with the same release profile.")
print(f"Generated by `bash scripts/bench.sh` on {datetime.date.today()} at commit {commit}, on {cpu}")
print(f"({subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores). Ratios, not absolute times, are what to compare: these machines are noisy.\n")
print("User glossaries are generated by `cargo run --release --example gen-glossary -- N`; after the")
print("first run their compiled index is in the cache, so later runs parse no TOML.\n")
print("Each command is timed in 5 rounds, each a hyperfine run of the floor and then the command;")
print("the ratio is the median over the rounds of the command's median divided by the floor's in the")
print("same round, and *ratio range* is the lowest and highest round, to show the machine's noise.")
print("Peak memory is the maximum resident set size; with a user glossary it includes the pages of the")
print("memory-mapped index file the lookup touched (shared, clean page cache), not only memory the")
print("process allocated. The cache writer drops the pages it wrote, so that they are read back page")
print("by page rather than mapped whole as the large folios the write left behind.\n")
before = any(row[5] != "-" for row in rows)
header = "| command | terms | median | × floor | ratio range | peak memory | + floor |"
rule = "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
if before:
    header += " before: median | × floor | peak memory |"
    rule += " ---: | ---: | ---: |"
    print("The *before* columns time an older build (`BEFORE=…`, which parsed the TOML glossary on every")
    print("run) on the same commands, with fewer runs on the large glossaries.\n")
print(header)
print(rule)
for name, terms, median, peak, _, before_median, before_peak, local_floor, ratio, ratio_range in rows:
    median, peak = float(median), int(peak)
    floor = float(local_floor) if local_floor != "-" else floor_ms
    ratio = float(ratio) if ratio != "-" else median / floor
    ratio_range = ratio_range if ratio_range != "-" else ""
    line = f"| {name} | {terms} | {median:.2f} ms | {ratio:.2f} | {ratio_range} | {peak / 1024:.1f} MiB | {(peak - floor_kib) / 1024:+.1f} MiB |"
    if before:
        if before_median == "-":
            line += " | | |"
        else:
            b = float(before_median)
            line += f" {b:.2f} ms | {b / floor:.2f} | {int(before_peak) / 1024:.1f} MiB |"
    print(line)

# The divan run, if any: medians per bench and size, and the growth from 10,000 to 100,000.
import os, re
if os.path.exists(sys.argv[3]):
    units = {"ns": 1e-3, "µs": 1.0, "ms": 1e3, "s": 1e6}
    medians, bench = {}, None
    for line in open(sys.argv[3], encoding="utf-8"):
        named = re.match(r"^[│ ]*[├╰]─ ([a-z_]+)\s", line)
        sized = re.match(r"^[│ ]*[├╰]─ (\d+)\s+(?:[\d.]+ \S+\s+│\s+){2}([\d.]+) (ns|µs|ms|s)\s", line)
        if named:
            bench = named.group(1)
        elif sized and bench:
            medians.setdefault(bench, {})[int(sized.group(1))] = float(sized.group(2)) * units[sized.group(3)]
    def shown(us):
        if us >= 1e6:
            return f"{us / 1e6:.2f} s"
        return f"{us / 1e3:.2f} ms" if us >= 1e3 else f"{us:.1f} µs"
    print("\n## In-process: cost against the number of terms\n")
    print("`cargo bench --bench lookup` (divan, median) times the library alone: no process start, the")
    print("index in memory and opened afresh for each lookup (`build` compiles it from parsed terms).")
    print("Size 0 is the shipped glossary. The last column is the growth from 10,000 to 100,000 terms,")
    print("ten times the terms: a lookup that compared the query with every key would grow about 10×,")
    print("as the build does.\n")
    sizes = [0, 1000, 10000, 100000]
    print("| bench | shipped | 1,000 | 10,000 | 100,000 | 100k / 10k |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for bench, by_size in medians.items():
        cells = [shown(by_size[size]) if size in by_size else "" for size in sizes]
        growth = f"{by_size[100000] / by_size[10000]:.1f}×" if 10000 in by_size and 100000 in by_size else ""
        print(f"| {bench} | " + " | ".join(cells) + f" | {growth} |")
PY
echo "wrote BENCHMARKS.md" >&2
