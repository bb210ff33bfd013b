//! The SQL AST run on every dialect: joins of each kind, a subquery as the FROM source,
//! aliases, functions, GROUP BY/HAVING, DISTINCT, CAST, JSON paths, EXISTS and IN with a
//! subquery, and upserts. `sql_snapshots.rs` pins the text; this checks that each database
//! accepts it and answers as expected.

mod common;

use common::for_each_dialect;
use sequelize::prelude::*;
use sequelize::sql::{
    CastType, ColumnDef, ConflictAction, Expr, Function, Insert, Join, JoinKind, JsonPathSegment,
    OnConflict, Select, SelectItem, Source, Statement, TableRef,
};
use sequelize::Row;

async fn insert(
    db: &Sequelize,
    table: &'static str,
    columns: &[&'static str],
    rows: Vec<Vec<Value>>,
) {
    let statement = Statement::Insert(Insert {
        table: TableRef::new(table),
        columns: columns.iter().map(|c| (*c).into()).collect(),
        rows: rows
            .into_iter()
            .map(|row| row.into_iter().map(Expr::Value).collect())
            .collect(),
        returning: vec![],
        on_conflict: None,
    });
    db.execute(&statement).await.unwrap();
}

async fn setup(db: &Sequelize) {
    let qi = db.query_interface();
    qi.create_table(
        "teams",
        vec![
            ColumnDef::new("id", DataType::Integer).primary_key(),
            ColumnDef::new("name", DataType::String(None)),
        ],
    )
    .await
    .unwrap();
    qi.create_table(
        "users",
        vec![
            ColumnDef::new("id", DataType::Integer)
                .primary_key()
                .auto_increment(),
            ColumnDef::new("name", DataType::String(None)),
            ColumnDef::new("email", DataType::String(None)).unique(),
            ColumnDef::new("team_id", DataType::Integer),
            ColumnDef::new("score", DataType::Double),
            ColumnDef::new("profile", DataType::Json),
            ColumnDef::new("visits", DataType::Integer),
        ],
    )
    .await
    .unwrap();
    qi.create_table(
        "posts",
        vec![
            ColumnDef::new("id", DataType::Integer).primary_key(),
            ColumnDef::new("author_id", DataType::Integer),
            ColumnDef::new("title", DataType::String(None)),
            ColumnDef::new("views", DataType::Integer),
            ColumnDef::new("published", DataType::Boolean),
        ],
    )
    .await
    .unwrap();
    insert(
        db,
        "teams",
        &["id", "name"],
        vec![
            vec![1.into(), "core".into()],
            vec![2.into(), "docs".into()],
            vec![3.into(), "empty".into()],
        ],
    )
    .await;
    let city = |c: &str| Value::from(serde_json::json!({"address": {"city": c}}));
    insert(
        db,
        "users",
        &["name", "email", "team_id", "score", "profile", "visits"],
        vec![
            vec![
                "Ann".into(),
                "ann@x".into(),
                1.into(),
                2.5.into(),
                city("Paris"),
                1.into(),
            ],
            vec![
                "Bob".into(),
                "bob@x".into(),
                1.into(),
                0.5.into(),
                city("Oslo"),
                1.into(),
            ],
            vec![
                "Cy".into(),
                "cy@x".into(),
                2.into(),
                3.0.into(),
                city("Paris"),
                1.into(),
            ],
        ],
    )
    .await;
    insert(
        db,
        "posts",
        &["id", "author_id", "title", "views", "published"],
        vec![
            vec![
                1.into(),
                1.into(),
                "Rust tips".into(),
                150.into(),
                true.into(),
            ],
            vec![
                2.into(),
                1.into(),
                "rust async".into(),
                50.into(),
                true.into(),
            ],
            vec![3.into(), 2.into(), "Go".into(), 10.into(), false.into()],
            vec![
                4.into(),
                3.into(),
                "RUST macros".into(),
                300.into(),
                true.into(),
            ],
        ],
    )
    .await;
}

async fn rows(db: &Sequelize, select: Select) -> Vec<Row> {
    db.execute(&select.into()).await.unwrap().rows.into_rows()
}

#[tokio::test]
async fn joins_subqueries_and_grouping_run_everywhere() {
    for_each_dialect("sql_ast_select", |db| async move {
        setup(&db).await;

        // The first two users (a limited subquery as the source), their published posts
        // (LEFT JOIN with a condition in ON), grouped, with HAVING.
        let first_two = Select {
            columns: vec![
                Expr::qualified("u", "id").into(),
                Expr::qualified("u", "name").into(),
            ],
            order: vec![Expr::qualified("u", "id").asc()],
            limit: Some(2),
            ..Select::new(TableRef::new("users").alias("u"))
        };
        let per_user = Select {
            columns: vec![
                Expr::qualified("User", "name").into(),
                SelectItem::new(Expr::function(
                    Function::Count,
                    [Expr::qualified("posts", "id")],
                ))
                .alias("n"),
                SelectItem::new(Expr::function(
                    Function::Coalesce,
                    [
                        Expr::function(Function::Max, [Expr::qualified("posts", "views")]),
                        Expr::value(0),
                    ],
                ))
                .alias("top"),
            ],
            joins: vec![Join {
                kind: JoinKind::Left,
                source: TableRef::new("posts").alias("posts").into(),
                on: Expr::qualified("posts", "author_id")
                    .eq_expr(Expr::qualified("User", "id"))
                    .and(Expr::qualified("posts", "published").eq(true)),
            }],
            group_by: vec![
                Expr::qualified("User", "id"),
                Expr::qualified("User", "name"),
            ],
            having: Some(Expr::function(Function::Count, [Expr::qualified("posts", "id")]).gte(1)),
            order: vec![Expr::qualified("User", "id").asc()],
            ..Select::new(Source::subquery(first_two, "User"))
        };
        let found = rows(&db, per_user).await;
        assert_eq!(found.len(), 1, "Bob has no published post");
        assert_eq!(found[0].get::<String>("name").unwrap(), "Ann");
        assert_eq!(found[0].get::<i64>("n").unwrap(), 2);
        assert_eq!(found[0].get::<i64>("top").unwrap(), 150);

        // RIGHT JOIN keeps the team without members; INNER JOIN and DISTINCT.
        let members = Select {
            columns: vec![
                Expr::qualified("teams", "name").into(),
                SelectItem::new(Expr::function(
                    Function::Count,
                    [Expr::qualified("users", "id")],
                ))
                .alias("members"),
            ],
            joins: vec![Join {
                kind: JoinKind::Right,
                source: TableRef::new("teams").into(),
                on: Expr::qualified("teams", "id").eq_expr(Expr::qualified("users", "team_id")),
            }],
            group_by: vec![Expr::qualified("teams", "name")],
            order: vec![Expr::qualified("teams", "name").asc()],
            ..Select::new(TableRef::new("users"))
        };
        let counts: Vec<(String, i64)> = rows(&db, members)
            .await
            .iter()
            .map(|r| (r.get("name").unwrap(), r.get("members").unwrap()))
            .collect();
        assert_eq!(
            counts,
            [("core".into(), 2), ("docs".into(), 1), ("empty".into(), 0)]
        );
        let authors_of_published = Select {
            distinct: true,
            columns: vec![Expr::qualified("users", "name").into()],
            joins: vec![Join {
                kind: JoinKind::Inner,
                source: TableRef::new("posts").into(),
                on: Expr::qualified("posts", "author_id").eq_expr(Expr::qualified("users", "id")),
            }],
            order: vec![Expr::qualified("users", "name").asc()],
            ..Select::new(TableRef::new("users"))
        }
        .filter(Expr::qualified("posts", "published").eq(true));
        let names: Vec<String> = rows(&db, authors_of_published)
            .await
            .iter()
            .map(|r| r.get("name").unwrap())
            .collect();
        assert_eq!(names, ["Ann", "Cy"]);

        // Functions over text.
        let lowered = Select {
            columns: vec![
                SelectItem::new(Expr::function(Function::Lower, [Expr::column("title")]))
                    .alias("lower"),
                SelectItem::new(Expr::function(Function::Upper, [Expr::column("title")]))
                    .alias("upper"),
                SelectItem::new(Expr::function(
                    Function::CharLength,
                    [Expr::column("title")],
                ))
                .alias("len"),
            ],
            ..Select::new(TableRef::new("posts"))
        }
        .filter(Expr::column("id").eq(4));
        let row = &rows(&db, lowered).await[0];
        assert_eq!(row.get::<String>("lower").unwrap(), "rust macros");
        assert_eq!(row.get::<String>("upper").unwrap(), "RUST MACROS");
        assert_eq!(row.get::<i64>("len").unwrap(), 11);
    })
    .await;
}

#[tokio::test]
async fn casts_json_paths_and_subquery_conditions_run_everywhere() {
    for_each_dialect("sql_ast_where", |db| async move {
        setup(&db).await;
        let popular_authors = Select {
            columns: vec![Expr::qualified("posts", "author_id").into()],
            ..Select::new(TableRef::new("posts"))
        }
        .filter(Expr::qualified("posts", "views").gte(100));
        let in_a_team = Select {
            columns: vec![Expr::qualified("teams", "id").into()],
            ..Select::new(TableRef::new("teams"))
        }
        .filter(Expr::qualified("teams", "id").eq_expr(Expr::qualified("users", "team_id")));
        let city = Expr::column("profile").json_text([
            JsonPathSegment::Key("address".into()),
            JsonPathSegment::Key("city".into()),
        ]);
        let select = Select {
            columns: vec![Expr::column("id").into()],
            order: vec![Expr::column("id").asc()],
            ..Select::new(TableRef::new("users"))
        }
        .filter(
            city.eq("Paris")
                .and(Expr::column("id").in_subquery(popular_authors))
                .and(Expr::exists(in_a_team))
                .and(Expr::column("score").cast(CastType::Double).gt(1.0))
                .and(Expr::column("id").cast(CastType::Text).ne("99")),
        );
        let ids: Vec<i64> = rows(&db, select)
            .await
            .iter()
            .map(|r| r.get("id").unwrap())
            .collect();
        assert_eq!(ids, [1, 3]);
    })
    .await;
}

#[tokio::test]
async fn upserts_run_everywhere() {
    for_each_dialect("sql_ast_upsert", |db| async move {
        setup(&db).await;
        let upsert = |email: &str, name: &str, visits: i64, action| {
            Statement::Insert(Insert {
                table: TableRef::new("users"),
                columns: vec!["email".into(), "name".into(), "visits".into()],
                rows: vec![vec![
                    Expr::value(email),
                    Expr::value(name),
                    Expr::value(visits),
                ]],
                returning: vec![],
                on_conflict: Some(OnConflict {
                    target: vec!["email".into()],
                    action,
                }),
            })
        };
        let update = ConflictAction::Update(vec!["name".into(), "visits".into()]);
        db.execute(&upsert("ann@x", "Ann 2", 5, update.clone()))
            .await
            .unwrap();
        db.execute(&upsert("bob@x", "Bobby", 9, ConflictAction::DoNothing))
            .await
            .unwrap();
        db.execute(&upsert("dee@x", "Dee", 1, update))
            .await
            .unwrap();
        let select = Select {
            columns: vec![
                Expr::column("id").into(),
                Expr::column("name").into(),
                Expr::column("visits").into(),
            ],
            order: vec![Expr::column("id").asc()],
            ..Select::new(TableRef::new("users"))
        };
        let people: Vec<(i64, String, i64)> = rows(&db, select)
            .await
            .iter()
            .map(|r| {
                (
                    r.get("id").unwrap(),
                    r.get("name").unwrap(),
                    r.get("visits").unwrap(),
                )
            })
            .collect();
        assert_eq!(people.len(), 4, "{people:?}");
        assert_eq!(people[0], (1, "Ann 2".into(), 5), "updated in place");
        assert_eq!(people[1], (2, "Bob".into(), 1), "kept as it was");
        assert_eq!((people[3].1.as_str(), people[3].2), ("Dee", 1), "inserted");
    })
    .await;
}
