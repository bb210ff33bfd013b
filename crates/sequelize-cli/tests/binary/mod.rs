//! The `sequelize` binary run by the tests, in a project folder.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs the binary in `dir` with `args`, and `env` added to the environment.
pub fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sequelize"))
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .expect("run the sequelize binary")
}

/// What the binary printed on standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs the binary, asserts that it succeeded, and returns what it printed.
pub fn succeed(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = run(dir, args, env);
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{args:?}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}
