//! The `sequelize` command. Its commands are the library's ([`sequelize_cli`]); a project
//! whose `migration:generate --from-models` should see its models runs them from a binary of
//! its own that defines them ([`sequelize_cli::main_with`]).

fn main() -> std::process::ExitCode {
    sequelize_cli::main_with(|_| Ok(()))
}
