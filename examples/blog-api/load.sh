#!/usr/bin/env bash
# The load figure of docs/web-service.md: requests per second of GET /posts (a page of 20
# posts with their author, category and tags, and the count) at 16 concurrent clients,
# measured with wrk, served by the blog API and by the same endpoint written by hand on the
# raw driver (src/bin/raw_posts.rs on rusqlite, src/bin/raw_posts_pg.rs on tokio-postgres),
# from the same database of 200 posts: first SQLite, then PostgreSQL.
#
# Usage: examples/blog-api/load.sh [sqlite|postgres]...   (both by default; DURATION=30 for
# longer runs; needs wrk: apt install wrk; PostgreSQL on 127.0.0.1:5432, user postgres)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt install wrk)" >&2; exit 1; }
duration=${DURATION:-10}
cargo build -q --release -p blog-api --bins
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
wait_port() { for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$1/posts" && return 0; sleep 0.1; done; return 1; }

# compare <dialect> <DATABASE_URL> <raw binary> <its environment>: seeds the database
# through the API, checks that both endpoints give the same page, then loads each.
compare() {
  local dialect=$1 url=$2 raw=$3 raw_env=$4
  echo "== $dialect"
  DATABASE_URL="$url" PORT=3100 RUST_LOG=warn target/release/blog-api &
  local api=$!
  wait_port 3100
  local author
  author=$(curl -fsS -H 'content-type: application/json' \
    -d '{"email":"load@example.com","password":"password123"}' http://127.0.0.1:3100/users \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  for i in $(seq 1 200); do
    curl -fsS -o /dev/null -H 'content-type: application/json' \
      -d "{\"title\":\"Post $i\",\"content\":\"Body $i\",\"author_id\":\"$author\",\"published\":true,\"tags\":[\"t$((i % 7))\",\"t$((i % 11 + 7))\",\"all\"]}" \
      http://127.0.0.1:3100/posts
  done
  env "$raw_env" PORT=3101 "target/release/$raw" &
  local raw_pid=$!
  wait_port 3101

  # Both give the same page: the same posts, authors and tags, and the same count.
  python3 - <<'PY'
import json, urllib.request
def page(port):
    body = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/posts?per_page=20"))
    return body["count"], [(p["id"], p["title"], p["author"]["email"], sorted(t["name"] for t in p["tags"])) for p in body["rows"]]
assert page(3100) == page(3101), (page(3100), page(3101))
print("both endpoints give the same page of", page(3100)[0], "posts")
PY

  for port in 3100 3101; do
    if [ $port = 3100 ]; then echo "-- sequelize-rs (blog API)"; else echo "-- $raw by hand"; fi
    wrk -t2 -c16 -d"${duration}s" "http://127.0.0.1:$port/posts?per_page=20" | grep -E "Requests/sec|Latency"
  done
  kill "$api" "$raw_pid"
  wait "$api" "$raw_pid" 2>/dev/null || true
}

dialects=("$@")
[ ${#dialects[@]} -gt 0 ] || dialects=(sqlite postgres)
for d in "${dialects[@]}"; do
    case $d in
      sqlite)
        compare sqlite "sqlite://$dir/blog.sqlite" raw-posts "DATABASE_FILE=$dir/blog.sqlite" ;;
      postgres)
        base=${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
        psql "$base/postgres" -q -c 'DROP DATABASE IF EXISTS blog_load' -c 'CREATE DATABASE blog_load' \
          || { echo "PostgreSQL is not reachable at $base (scripts/test.sh starts it)" >&2; exit 1; }
        compare postgres "$base/blog_load" raw-posts-pg "DATABASE_URL=$base/blog_load" ;;
      *) echo "unknown dialect $d (sqlite or postgres)" >&2; exit 1 ;;
    esac
done
