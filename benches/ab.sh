#!/usr/bin/env bash
# A/B by hand: the reference article and the home page served by several
# release builds of loa side by side, each on a fresh database of its own
# tree's content/ (with that tree's themes), page cache off and on, wrk at
# 16 connections for 6 s, rounds interleaved so that the machine's drift
# hits every build alike. Prints one line per round, build, cache and page.
#
#   git worktree add /tmp/before <commit> && (cd /tmp/before && cargo build --release)
#   cargo build --release
#   benches/ab.sh before=/tmp/before/target/release/loa=/tmp/before now=target/release/loa=.
#
# CACHES=off runs only the uncached servers. Needs wrk (apt-get install wrk).
set -euo pipefail
ART=/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh
port=8200
declare -A PORTS
pids=()
for spec in "$@"; do
  name=${spec%%=*}; rest=${spec#*=}; bin=$(realpath "${rest%%=*}"); REPO=$(realpath "${rest#*=}")
  for cache in off on; do
    dir=${TMPDIR:-/tmp}/loa-ab/$name-$cache; rm -rf $dir; mkdir -p $dir/uploads
    mib=$([ $cache = off ] && echo 0 || echo 64)
    (cd $dir && LOA_DATABASE=$dir/loa.db LOA_UPLOADS=$dir/uploads LOA_THEMES=$REPO/themes \
      LOA_CONTENT=$REPO/content LOA_BASE_URL=http://127.0.0.1:$port LOA_PAGE_CACHE_MIB=$mib \
      RUST_LOG=warn $bin serve --bind 127.0.0.1:$port > $dir/log 2>&1) &
    pids+=($!)
    PORTS[$name-$cache]=$port
    port=$((port+1))
  done
done
trap 'kill ${pids[@]} 2>/dev/null' EXIT
for k in "${!PORTS[@]}"; do
  for i in $(seq 1 300); do curl -sf -o /dev/null http://127.0.0.1:${PORTS[$k]}$ART && break; sleep 0.2; done
  curl -sf -o /dev/null http://127.0.0.1:${PORTS[$k]}$ART || { echo "$k did not come up"; cat ${TMPDIR:-/tmp}/loa-ab/$k/log; exit 1; }
done
for round in 1 2 3 4; do
  for cache in ${CACHES:-off on}; do
    for spec in "$@"; do
      name=${spec%%=*}; p=${PORTS[$name-$cache]}
      for path in $ART /; do
        r=$(wrk -t2 -c16 -d6s http://127.0.0.1:$p$path 2>/dev/null | awk '/Requests\/sec/{print $2}')
        echo "round $round  $cache  $name  $path  $r"
      done
    done
  done
done
