//! Eager loading next to the raw driver doing the same work by hand (issue 9, item 7): "100
//! users, their posts, their comments", with `separate` and with joins (`nested`).
//!
//! ```text
//! scripts/test.sh --no-run            # once: starts the servers, creates sequelize_test
//! cargo bench --bench includes --all-features
//! ```
//!
//! The last lines printed are the ratios (ORM median / raw-driver median) per dialect.

mod common;
mod nested;

use common::{print_ratios, run_dialects};
use nested::GROUP;

fn main() {
    run_dialects(
        nested::bench_sqlite,
        nested::bench_postgres,
        nested::bench_mysql,
    );
    print_ratios(GROUP, ("separate", "raw"), ("ms", 1e6));
    print_ratios(GROUP, ("joins", "raw_joins"), ("ms", 1e6));
    print_ratios(GROUP, ("joins", "raw"), ("ms", 1e6));
}
