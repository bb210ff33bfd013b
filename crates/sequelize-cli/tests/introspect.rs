//! Models both ways, on every dialect: `migration:generate --from-models` (run from a binary
//! that defines the blog's models) writes the migration that makes the blog's schema,
//! `db:migrate` runs it, `db:introspect` writes models from the result, and those models,
//! compiled here, find nothing left to migrate.

mod binary;
#[path = "../../sequelize/tests/common/mod.rs"]
mod common;

#[path = "../../../examples/blog/models.rs"]
#[allow(dead_code)]
mod blog;

/// What `db:introspect` writes for the blog's schema (checked below), compiled.
#[path = "golden/blog/mod.rs"]
#[allow(dead_code)]
mod introspected;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sequelize::migrate::{diff_models, Renames};
use sequelize::{Options, Sequelize};

const STORAGE: &[&str] = &["SequelizeMeta", "SequelizeMetaUnfinished"];

fn define_introspected(db: &Sequelize) -> sequelize::Result<()> {
    use introspected::*;
    db.define::<user::User>().register()?;
    db.define::<role::Role>().register()?;
    db.define::<user_role::UserRole>().register()?;
    db.define::<category::Category>().register()?;
    db.define::<post::Post>().register()?;
    db.define::<tag::Tag>().register()?;
    db.define::<post_tag::PostTag>().register()?;
    db.define::<comment::Comment>().register()?;
    Ok(())
}

fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "sequelize-introspect-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    dir
}

fn succeed(dir: &Path, args: &[&str]) -> String {
    binary::succeed(dir, args, &[])
}

/// The command run in this process with the models `define` defines, as a project's own
/// binary runs it.
fn in_process(
    dir: &Path,
    args: &[&str],
    define: impl Fn(&Sequelize) -> sequelize::Result<()>,
) -> ExitCode {
    let migrations = dir.join("migrations");
    let all = ["sequelize"]
        .into_iter()
        .chain(args.iter().copied())
        .chain(["--migrations-path", migrations.to_str().unwrap()]);
    sequelize_cli::run_with(all.collect::<Vec<_>>(), define)
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn models_and_migrations_round_trip_through_the_blog_schema() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for dialect in common::dialects() {
        println!("--- dialect: {dialect}");
        let options: Options =
            runtime.block_on(common::isolated_options(dialect, "introspect", true));
        let url = options.url.clone().unwrap();
        let dir = project(dialect);

        // The sequelize binary defines no models: --from-models says where they come from.
        let out = binary::run(
            &dir,
            &[
                "migration:generate",
                "--name",
                "blog",
                "--from-models",
                "--url",
                &url,
            ],
            &[],
        );
        let error = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && error.contains("sequelize_cli::main_with"),
            "{error}"
        );

        let made = in_process(
            &dir,
            &[
                "migration:generate",
                "--name",
                "blog",
                "--from-models",
                "--url",
                &url,
            ],
            blog::register,
        );
        assert_eq!(made, ExitCode::SUCCESS);
        let migrations = files(&dir.join("migrations"));
        assert!(
            migrations.len() == 1 && migrations[0].ends_with("-blog.json"),
            "{migrations:?}"
        );
        let text = succeed(&dir, &["db:migrate", "--url", &url]);
        assert!(text.contains("-blog: migrated ("), "{text}");
        assert_eq!(
            in_process(
                &dir,
                &[
                    "migration:generate",
                    "--name",
                    "again",
                    "--from-models",
                    "--url",
                    &url
                ],
                blog::register
            ),
            ExitCode::SUCCESS
        );
        assert_eq!(
            files(&dir.join("migrations")).len(),
            1,
            "nothing left to migrate"
        );

        let text = succeed(&dir, &["db:introspect", "--url", &url]);
        assert!(
            text.contains("New model was created at models/post.rs ."),
            "{text}"
        );
        let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/blog");
        for file in files(&golden) {
            let written = std::fs::read_to_string(dir.join("models").join(&file))
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            let expected = std::fs::read_to_string(golden.join(&file)).unwrap();
            assert_eq!(written, expected, "{dialect}: models/{file}");
        }
        assert_eq!(files(&dir.join("models")), files(&golden));

        // The models introspected, compiled: the database is theirs already.
        let db = Sequelize::new(options).unwrap();
        define_introspected(&db).unwrap();
        let diff = runtime
            .block_on(diff_models(&db, &Renames::default(), STORAGE))
            .unwrap();
        assert!(diff.is_empty(), "{dialect}: {}", diff.to_json());
        runtime.block_on(db.close()).unwrap();

        // --tables narrows it; a model that exists is kept unless --force.
        let out = binary::run(
            &dir,
            &["db:introspect", "--url", &url, "--tables", "tags"],
            &[],
        );
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
        let text = succeed(
            &dir,
            &[
                "db:introspect",
                "--url",
                &url,
                "--tables",
                "tags",
                "--force",
            ],
        );
        assert!(
            text.contains("models/tag.rs") && !text.contains("models/post.rs"),
            "{text}"
        );
    }
}
