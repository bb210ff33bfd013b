//! What must not compile, pinned with the compiler's messages: typed filters given a value of
//! the wrong type, and models that `#[derive(Model)]` rejects, with the error on the offending
//! attribute.
//!
//! Each `ui/*.rs` is compiled on its own and must fail with exactly its `ui/*.stderr`.
//! After a deliberate change to a message (or a new compiler release rewording one),
//! regenerate them with
//! `TRYBUILD=overwrite cargo test -p sequelize --all-features --test compile_fail` and read the
//! diff.
//!
//! The tests run with every dialect feature on, and only then: the compiler's "the following
//! other types implement trait `From<T>`" lists name types of whichever dependencies are
//! built, so one `.stderr` fits one feature set.
#![cfg(all(feature = "sqlite", feature = "postgres", feature = "mysql"))]

#[test]
fn compile_fail() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
