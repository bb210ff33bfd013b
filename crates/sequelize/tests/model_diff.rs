//! The migration from the database to the models (`migration:generate --from-models`), on
//! every dialect: the blog's schema made from nothing, a model changed, a column renamed;
//! each time the generated migration runs, leaves a second diff empty, and undoes itself.

mod common;

#[path = "../../../examples/blog/models.rs"]
#[allow(dead_code)]
mod blog;

use std::path::PathBuf;

use common::for_each_dialect;
use sequelize::migrate::{diff_models, Down, Migrator, ModelDiff, Renames};
use sequelize::prelude::*;

const STORAGE: &[&str] = &["SequelizeMeta", "SequelizeMetaUnfinished"];

/// Writes the diff as the only migration of a fresh folder.
fn migration_folder(test: &str, diff: &ModelDiff) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sequelize-diff-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("20240101000000-from-models.json"), diff.to_json()).unwrap();
    dir
}

/// The catalog's view of some tables, to compare schemas.
async fn schema_of(db: &Sequelize) -> Vec<String> {
    let qi = db.query_interface();
    let mut out = Vec::new();
    for table in qi.show_all_tables().await.unwrap() {
        if STORAGE.contains(&table.as_str()) {
            continue;
        }
        let schema = qi.table_schema(table.clone()).await.unwrap().unwrap();
        out.push(format!("{:?}", schema.create));
        let mut indexes: Vec<String> = schema.indexes.iter().map(|i| format!("{i:?}")).collect();
        indexes.sort();
        out.extend(indexes);
    }
    out
}

#[tokio::test]
async fn the_blog_schema_is_made_from_its_models_and_then_matches_them() {
    for_each_dialect("diff_blog", |db| async move {
        blog::register(&db).unwrap();
        let diff = diff_models(&db, &Renames::default(), STORAGE)
            .await
            .unwrap();
        let created: Vec<&str> = (diff.up.iter())
            .filter_map(|step| step["createTable"].as_str())
            .collect();
        assert_eq!(
            created,
            [
                "users",
                "roles",
                "UserRoles",
                "categories",
                "posts",
                "tags",
                "PostTags",
                "comments"
            ],
            "{}",
            diff.to_json()
        );
        let dir = migration_folder(&format!("blog-{}", db.dialect().name()), &diff);
        let migrator = Migrator::new(&db).load_dir(&dir).unwrap();
        migrator.up().await.unwrap();
        let again = diff_models(&db, &Renames::default(), STORAGE)
            .await
            .unwrap();
        assert!(again.is_empty(), "a second diff: {}", again.to_json());
        let made = schema_of(&db).await;

        // What the migration made is what `sync` makes.
        let synced = common::fresh_db(db.dialect().name(), "diff_blog_synced").await;
        blog::register(&synced).unwrap();
        synced.sync(SyncOptions::default()).await.unwrap();
        assert_eq!(schema_of(&synced).await, made);
        synced.close().await.unwrap();

        migrator.down_with(Down::all()).await.unwrap();
        let left = db.query_interface().show_all_tables().await.unwrap();
        assert!(
            left.iter().all(|t| STORAGE.contains(&t.as_str())),
            "{left:?}"
        );
    })
    .await;
}

/// The first version of a model.
#[derive(Model, Debug, Clone)]
#[model(table = "gadgets", timestamps = false)]
struct GadgetV1 {
    #[attr(primary_key, auto_increment)]
    id: i32,
    #[attr(data_type = DataType::String(Some(40)))]
    name: String,
    #[attr(values("new", "used"))]
    state: Option<String>,
    price: Option<i32>,
    legacy: Option<String>,
}

/// The second: `name` wider and optional, `state` with a default, `price` renamed to
/// `cents` and a bigint, `legacy` gone, `sku` added and unique, an index on `state`.
#[derive(Model, Debug, Clone)]
#[model(
    table = "gadgets",
    timestamps = false,
    index(fields("state"), name = "gadgets_state")
)]
struct GadgetV2 {
    #[attr(primary_key, auto_increment)]
    id: i32,
    #[attr(data_type = DataType::String(Some(120)))]
    name: Option<String>,
    #[attr(values("new", "used"), default = "new")]
    state: Option<String>,
    cents: Option<i64>,
    #[attr(unique)]
    sku: Option<String>,
}

#[tokio::test]
async fn a_changed_model_gives_the_steps_to_it_and_back() {
    for dialect in common::dialects() {
        println!("--- dialect: {dialect}");
        let options = common::isolated_options(dialect, "diff_gadgets", true).await;
        let v1 = Sequelize::connect_with(options.clone()).await.unwrap();
        v1.define::<GadgetV1>().register().unwrap();
        v1.sync(SyncOptions::default()).await.unwrap();
        v1.query("INSERT INTO gadgets (name, state, price) VALUES ('lamp', 'new', 300)")
            .exec()
            .await
            .unwrap();
        let before = schema_of(&v1).await;

        let v2 = Sequelize::connect_with(options).await.unwrap();
        v2.define::<GadgetV2>().register().unwrap();
        // Without being told, a rename is a drop and an add, with a note saying so.
        let guessed = diff_models(&v2, &Renames::default(), STORAGE)
            .await
            .unwrap();
        assert!(
            guessed
                .notes
                .iter()
                .any(|n| n.contains("--rename gadgets.<old>=<new>")),
            "{:?}",
            guessed.notes
        );
        let renames = Renames::default().column("gadgets", "price", "cents");
        let diff = diff_models(&v2, &renames, STORAGE).await.unwrap();
        let methods: Vec<String> = (diff.up.iter())
            .map(|step| {
                let object = step.as_object().unwrap();
                let method = object
                    .keys()
                    .find(|k| k.starts_with(char::is_lowercase))
                    .unwrap();
                format!(
                    "{method} {}",
                    object
                        .get("column")
                        .or(object.get("type"))
                        .map_or(String::new(), |v| v.to_string())
                )
            })
            .collect();
        for expected in [
            "renameColumn",
            "changeColumn \"name\"",
            "changeColumn \"state\"",
            "changeColumn \"cents\"",
            "addColumn \"sku\"",
            "removeColumn \"legacy\"",
            "addIndex",
        ] {
            assert!(
                methods.iter().any(|m| m.starts_with(expected)),
                "{expected} in {methods:?}\n{}",
                diff.to_json()
            );
        }
        let dir = migration_folder(&format!("gadgets-{dialect}"), &diff);
        let migrator = Migrator::new(&v2).load_dir(&dir).unwrap();
        migrator.up().await.unwrap();
        let again = diff_models(&v2, &renames, STORAGE).await.unwrap();
        assert!(again.is_empty(), "a second diff: {}", again.to_json());
        // The row is still there, its price in the renamed column.
        assert_eq!(
            common::sorted_column::<i64>(&v2, &v2, "gadgets", "cents").await,
            [300]
        );
        migrator.down_with(Down::last()).await.unwrap();
        assert_eq!(schema_of(&v1).await, before);
        assert!(diff_models(&v1, &Renames::default(), STORAGE)
            .await
            .unwrap()
            .is_empty());
        v1.close().await.unwrap();
        v2.close().await.unwrap();
    }
}
