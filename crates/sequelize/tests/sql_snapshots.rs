//! The SQL each dialect renders, pinned with insta snapshots (one per statement and
//! dialect, under `tests/snapshots/`). Review changes with `cargo insta review`.

mod common;

use sequelize::dialect::by_name;
use sequelize::sql::{
    ArrayOperator, CastType, ColumnDef, ConflictAction, CreateIndex, CreateTable, DefaultValue,
    Delete, DropTable, Expr, Function, Ident, Insert, Join, JoinKind, JsonPathSegment, JsonRead,
    OnConflict, Select, SelectItem, Source, Statement, TableRef, Update,
};
use sequelize::{DataType, Lock, RowLock, Value};

/// Every dialect the suite covers, rendered; the snapshot holds all of them side by side.
fn rendered(statement: &Statement) -> String {
    let mut out = String::new();
    for name in common::ALL_DIALECTS {
        let dialect = by_name(name).unwrap_or_else(|e| {
            panic!("{name}: {e}; run the suite with scripts/test.sh (all features)")
        });
        match dialect.render(statement) {
            Ok(r) => out.push_str(&format!("{name}: {}\n  params: {:?}\n", r.sql, r.params)),
            Err(e) => out.push_str(&format!("{name}: error: {e}\n")),
        }
    }
    out
}

#[test]
fn select_with_filter_order_limit_lock() {
    let mut select = Select::new(TableRef::new("users").alias("u"));
    select.columns = vec![
        Expr::qualified("u", "id").into(),
        Expr::column("email").into(),
    ];
    let select = Select {
        order: vec![Expr::column("created_at").desc(), Expr::column("id").asc()],
        limit: Some(10),
        offset: Some(20),
        lock: Some(Lock::Update.into()),
        ..select
    }
    .filter(
        Expr::column("status")
            .eq("active")
            .and(
                Expr::column("age")
                    .gte(18)
                    .or(Expr::column("nickname").is_null()),
            )
            .and(Expr::column("email").like("%@example.com").not())
            .and(Expr::column("id").is_in([1, 2, 3]))
            .and(Expr::column("id").not_in(Vec::<i64>::new())),
    );
    insta::assert_snapshot!(rendered(&Statement::Select(select)));
}

/// Every lock strength and option: PostgreSQL has them all; MySQL has `OF` but not the key
/// strengths; MariaDB neither; SQLite leaves plain locks out and refuses skip/no-wait.
#[test]
fn row_lock_forms() {
    let locks = [
        RowLock::from(Lock::Update),
        Lock::Share.into(),
        Lock::KeyShare.into(),
        Lock::NoKeyUpdate.into(),
        Lock::Update.skip_locked(),
        Lock::Share.no_wait(),
        Lock::Update.of("jobs").of("users").no_wait(),
        Lock::Share.of("jobs"),
    ];
    let all = locks
        .into_iter()
        .map(|lock| {
            let select = Select {
                lock: Some(lock.clone()),
                ..Select::new(TableRef::new("jobs"))
            };
            format!("{lock:?}\n{}", rendered(&Statement::Select(select)))
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(all);
}

/// `Op.regexp` and its variants: PostgreSQL's operators; elsewhere `REGEXP` with the case
/// flag concatenated before the bound pattern.
#[test]
fn regexp_forms() {
    let all =
        [(false, false), (true, false), (false, true), (true, true)]
            .into_iter()
            .map(|(negated, case_insensitive)| {
                let select = Select::new(TableRef::new("users"))
                    .filter(Expr::column("name").regexp("^a+$", negated, case_insensitive));
                rendered(&Statement::Select(select))
            })
            .collect::<Vec<_>>()
            .join("\n");
    insta::assert_snapshot!(all);
}

#[test]
fn select_offset_without_limit() {
    let select = Select {
        offset: Some(5),
        ..Select::new(TableRef::new("users"))
    };
    insta::assert_snapshot!(rendered(&Statement::Select(select)));
}

#[test]
fn insert_update_delete() {
    let insert = Statement::Insert(Insert {
        table: TableRef::new("users"),
        columns: vec!["email".into(), "status".into()],
        rows: vec![
            vec![Expr::value("a@x.io"), Expr::value("active")],
            vec![Expr::value("b@x.io"), Expr::value(Value::Null)],
        ],
        returning: vec!["id".into(), "email".into()],
        on_conflict: None,
    });
    let defaults = Statement::Insert(Insert {
        table: TableRef::new("counters"),
        columns: vec![],
        rows: vec![],
        returning: vec!["id".into()],
        on_conflict: None,
    });
    let update = Statement::Update(Update {
        table: TableRef::new("users"),
        set: vec![("status".into(), Expr::value("banned"))],
        filter: Expr::column("id").eq(7),
    });
    let delete = Statement::Delete(Delete {
        table: TableRef::new("users"),
        filter: Expr::column("id").eq(7),
    });
    let all = [insert, defaults, update, delete]
        .iter()
        .map(rendered)
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(all);
}

#[test]
fn create_table_with_every_type() {
    let types = [
        DataType::String(None),
        DataType::String(Some(500)),
        DataType::Char(Some(2)),
        DataType::Text,
        DataType::SmallInt,
        DataType::Integer,
        DataType::BigInt,
        DataType::Float,
        DataType::Double,
        DataType::Decimal(Some((10, 2))),
        DataType::Boolean,
        DataType::Date(None),
        DataType::DateOnly,
        DataType::Time,
        DataType::Uuid,
        DataType::Json,
        DataType::Jsonb,
        DataType::Blob,
        DataType::Enum(vec!["active".into(), "it's".into()]),
    ];
    let mut columns = vec![ColumnDef::new("id", DataType::Integer)
        .primary_key()
        .auto_increment()];
    columns.extend(
        types
            .into_iter()
            .enumerate()
            .map(|(i, t)| ColumnDef::new(format!("c{i}"), t)),
    );
    columns.push(
        ColumnDef::new("status", DataType::String(Some(16)))
            .not_null()
            .unique()
            .default_value(DefaultValue::Value("new".into())),
    );
    columns
        .push(ColumnDef::new("created_at", DataType::Date(None)).default_value(DefaultValue::Now));
    let create = Statement::CreateTable(CreateTable {
        if_not_exists: true,
        ..CreateTable::new("everything", columns)
    });
    insta::assert_snapshot!(rendered(&create));
}

/// The types some databases lack or write in their own way: one `CREATE TABLE` each, so that
/// every dialect's answer (its type, the `CHECK` of a narrower integer, or the error naming
/// the dialect and the type) shows.
#[test]
fn types_each_database_writes_its_own_way() {
    let unsigned = |t| DataType::Unsigned(Box::new(t));
    let types = [
        DataType::BinaryString(Some(20)),
        DataType::TinyInt,
        DataType::MediumInt,
        unsigned(DataType::TinyInt),
        unsigned(DataType::Integer),
        unsigned(DataType::BigInt),
        DataType::TinyText,
        DataType::LongText,
        DataType::CiText,
        DataType::MediumBlob,
        DataType::Date(Some(3)),
        DataType::Range(Box::new(DataType::Integer)),
        DataType::Inet,
        DataType::Cidr,
        DataType::MacAddr,
        DataType::TsVector,
        DataType::Hstore,
    ];
    let mut out = String::new();
    for data_type in types {
        out.push_str(&format!("-- {data_type}\n"));
        let mut column = ColumnDef::new("c", data_type);
        if let DataType::Date(_) = column.data_type {
            // MySQL wants the default's precision to be the column's.
            column = column.default_value(DefaultValue::Now);
        }
        let create = Statement::CreateTable(CreateTable {
            if_not_exists: false,
            ..CreateTable::new("t", vec![column])
        });
        out.push_str(&rendered(&create));
    }
    insta::assert_snapshot!(out);
}

/// Foreign keys, composite unique keys, comments, MySQL's table options, literal defaults
/// and the index options, as each database writes them (or refuses them).
#[test]
fn constraints_comments_and_index_options() {
    use sequelize::sql::{
        Constraint, ConstraintKind, ConstraintType, DefaultValue, Direction, IndexColumn,
        IndexKind, IndexMethod, References, ReferentialAction, TableOptions,
    };
    let edition = ConstraintKind::ForeignKey {
        columns: vec!["series".into(), "volume".into()],
        table: "editions".into(),
        keys: vec!["series".into(), "volume".into()],
        on_delete: Some(ReferentialAction::Restrict),
        on_update: None,
    };
    let create = Statement::CreateTable(CreateTable {
        constraints: vec![
            Constraint::new(
                "one_title_per_author",
                ConstraintKind::Unique(vec!["author_id".into(), "title".into()]),
            ),
            Constraint::new(
                "title_is_not_x",
                ConstraintKind::Check(Expr::column("title").ne("x' OR 1=1 --")),
            ),
            Constraint::new("books_edition_fk", edition),
        ],
        options: TableOptions {
            comment: Some("it's the books".into()),
            engine: Some("InnoDB".into()),
            charset: Some("utf8mb4".into()),
            collate: None,
        },
        ..CreateTable::new(
            "books",
            vec![
                ColumnDef::new("id", DataType::Integer)
                    .primary_key()
                    .auto_increment(),
                ColumnDef::new("title", DataType::String(Some(100))).comment("*/ DROP TABLE x; --"),
                ColumnDef::new("author_id", DataType::Integer).references(
                    References::new("authors", "id")
                        .on_delete(ReferentialAction::Cascade)
                        .on_update(ReferentialAction::SetNull),
                ),
                ColumnDef::new("day", DataType::DateOnly)
                    .default_value(sequelize::literal("CURRENT_DATE").into()),
            ],
        )
    });
    let mut out = rendered(&create);
    let comment = Statement::Comment {
        table: "books".into(),
        column: Some("title".into()),
        text: "it's".into(),
    };
    out.push_str(&rendered(&comment));
    let indexes = [
        CreateIndex {
            unique: true,
            filter: Some(
                Expr::column("published")
                    .eq(true)
                    .and(Expr::column("title").ne("x")),
            ),
            ..CreateIndex::new(
                "books",
                "published_titles",
                vec![Ident::from("title").into()],
            )
        },
        CreateIndex {
            using: Some(IndexMethod::Gin),
            ..CreateIndex::new(
                "books",
                "books_tags",
                vec![IndexColumn::new("tags").operator("jsonb_path_ops")],
            )
        },
        CreateIndex {
            using: Some(IndexMethod::BTree),
            ..CreateIndex::new(
                "books",
                "books_title_desc",
                vec![IndexColumn::new("title").order(Direction::Desc).length(20)],
            )
        },
        CreateIndex {
            kind: Some(IndexKind::FullText),
            ..CreateIndex::new("books", "books_body", vec![Ident::from("body").into()])
        },
    ];
    for index in indexes {
        out.push_str(&rendered(&Statement::CreateIndex(index)));
    }
    let alterations = [
        Statement::AddConstraint {
            table: "books".into(),
            constraint: Constraint::new(
                "books_pages_ck",
                ConstraintKind::Check(Expr::column("pages").gt(0)),
            ),
        },
        Statement::AddConstraint {
            table: "books".into(),
            constraint: Constraint::new("books_pk", ConstraintKind::PrimaryKey(vec!["id".into()])),
        },
        Statement::DropConstraint {
            table: "books".into(),
            name: "books_edition_fk".into(),
            kind: Some(ConstraintType::ForeignKey),
        },
        Statement::DropConstraint {
            table: "books".into(),
            name: "one_title_per_author".into(),
            kind: Some(ConstraintType::Unique),
        },
        Statement::SetDefault {
            table: "books".into(),
            column: "title".into(),
            default: Some(DefaultValue::Value("untitled".into())),
        },
        Statement::SetDefault {
            table: "books".into(),
            column: "title".into(),
            default: None,
        },
    ];
    for statement in &alterations {
        out.push_str(&rendered(statement));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn ddl_statements() {
    let statements = [
        Statement::CreateTable(CreateTable {
            if_not_exists: false,
            ..CreateTable::new(
                "user_roles",
                vec![
                    ColumnDef::new("user_id", DataType::Uuid).primary_key(),
                    ColumnDef::new("role_id", DataType::Integer).primary_key(),
                ],
            )
        }),
        Statement::DropTable(DropTable {
            name: "users".into(),
            if_exists: true,
        }),
        Statement::AddColumn {
            table: "users".into(),
            column: ColumnDef::new("nickname", DataType::String(Some(64))),
        },
        Statement::RemoveColumn {
            table: "users".into(),
            column: "nickname".into(),
        },
        Statement::CreateIndex(CreateIndex {
            unique: true,
            ..CreateIndex::new(
                "users",
                "users_status_created_at",
                vec![
                    Ident::from("status").into(),
                    Ident::from("created_at").into(),
                ],
            )
        }),
        Statement::CreateIndex(CreateIndex {
            if_not_exists: true,
            ..CreateIndex::new("users", "users_email", vec![Ident::from("email").into()])
        }),
    ];
    let all = statements
        .iter()
        .map(rendered)
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(all);
}

#[test]
fn identifiers_are_quoted_with_the_quote_doubled() {
    // reference/security.md I1: every hostile name stays one identifier.
    let hostile = [
        "a`b",
        "a\"b",
        "a]b",
        "a'b",
        "a;b",
        "a--b",
        "a/*b",
        "a b",
        "a#b",
        "a$b",
        "a.b",
        "a%sb",
        "a\u{1b}b",
        "`myTable`.`Test`",
    ];
    let out = hostile
        .iter()
        .map(|name| {
            let select = Select::new(TableRef::new(name.to_string()))
                .filter(Expr::column(name.to_string()).eq(1));
            rendered(&Statement::Select(select))
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(out);
}

#[test]
fn invalid_statements_fail_before_sql() {
    let nul = Select::new(TableRef::new("a\0b"));
    let long = Select::new(TableRef::new("x".repeat(65)));
    let null_eq = Select::new(TableRef::new("t")).filter(Expr::column("a").eq(Value::Null));
    let out = [nul, long, null_eq]
        .into_iter()
        .map(|s| rendered(&Statement::Select(s)))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(out);
}

/// Joins of every kind, a subquery as the FROM source (an include with a limit), qualified
/// and aliased columns, functions, GROUP BY, HAVING and DISTINCT.
#[test]
fn select_with_joins_subqueries_and_grouping() {
    let limited_users = Select {
        columns: vec![Expr::qualified("u", "id").into()],
        order: vec![Expr::qualified("u", "id").asc()],
        limit: Some(10),
        ..Select::new(TableRef::new("users").alias("u"))
    }
    .filter(Expr::qualified("u", "status").eq("active"));
    let select = Select {
        distinct: true,
        columns: vec![
            Expr::qualified("User", "id").into(),
            SelectItem::new(Expr::qualified("posts", "title")).alias("posts.title"),
            SelectItem::new(Expr::function(Function::Count, [])).alias("n"),
            SelectItem::new(Expr::Function {
                function: Function::Count,
                args: vec![Expr::qualified("tags", "id")],
                distinct: true,
            })
            .alias("tags"),
            SelectItem::new(Expr::function(
                Function::Coalesce,
                [Expr::qualified("posts", "views"), Expr::value(0)],
            ))
            .alias("views"),
        ],
        joins: vec![
            Join {
                kind: JoinKind::Left,
                source: TableRef::new("posts").alias("posts").into(),
                on: Expr::qualified("posts", "author_id")
                    .eq_expr(Expr::qualified("User", "id"))
                    .and(Expr::qualified("posts", "published").eq(true)),
            },
            Join {
                kind: JoinKind::Inner,
                source: TableRef::new("tags").alias("tags").into(),
                on: Expr::qualified("tags", "post_id").eq_expr(Expr::qualified("posts", "id")),
            },
            Join {
                kind: JoinKind::Right,
                source: TableRef::new("teams").into(),
                on: Expr::qualified("teams", "id").eq_expr(Expr::qualified("User", "team_id")),
            },
        ],
        group_by: vec![
            Expr::qualified("User", "id"),
            Expr::qualified("posts", "title"),
        ],
        having: Some(Expr::function(Function::Count, []).gt(1)),
        order: vec![Expr::function(Function::Max, [Expr::qualified("posts", "views")]).desc()],
        ..Select::new(Source::subquery(limited_users, "User"))
    }
    .filter(Expr::function(Function::Lower, [Expr::qualified("posts", "title")]).like("%rust%"));
    insta::assert_snapshot!(rendered(&Statement::Select(select)));
}

/// CAST, JSON paths, EXISTS and IN with subqueries, in a WHERE.
#[test]
fn casts_json_paths_and_subqueries() {
    let recent = Select {
        columns: vec![Expr::qualified("posts", "author_id").into()],
        ..Select::new(TableRef::new("posts"))
    }
    .filter(Expr::qualified("posts", "views").gte(100));
    let has_comments = Select {
        columns: vec![Expr::literal_unchecked("1").into()],
        ..Select::new(TableRef::new("comments"))
    }
    .filter(Expr::qualified("comments", "user_id").eq_expr(Expr::qualified("users", "id")));
    let select = Select::new(TableRef::new("users")).filter(
        Expr::column("id")
            .cast(CastType::Text)
            .eq("7")
            .and(
                Expr::column("profile")
                    .json_text([
                        JsonPathSegment::Key("address".into()),
                        JsonPathSegment::Key("ci\"ty".into()),
                        JsonPathSegment::Index(0),
                    ])
                    .eq("Paris"),
            )
            .and(Expr::column("id").in_subquery(recent))
            .and(Expr::exists(has_comments))
            .and(Expr::column("score").cast(CastType::Double).gt(1.5))
            .and(Expr::column("data").cast(CastType::Json).is_not_null()),
    );
    insta::assert_snapshot!(rendered(&Statement::Select(select)));
}

/// Every reading of a JSON value (document, text, number, boolean) and JSON containment:
/// path keys are always bound; SQLite refuses containment.
#[test]
fn json_reads_and_containment() {
    let path = || {
        [
            JsonPathSegment::Key("a".into()),
            JsonPathSegment::Key("it's \"b\"".into()),
            JsonPathSegment::Index(2),
        ]
    };
    let meta = || Expr::column("meta");
    let select = Select::new(TableRef::new("docs")).filter(
        meta()
            .json_read(path(), JsonRead::Json)
            .is_not_null()
            .and(meta().json_read(path(), JsonRead::Text).eq("x"))
            .and(meta().json_read(path(), JsonRead::Number).gt(1.5))
            .and(meta().json_read(path(), JsonRead::Boolean).eq(true)),
    );
    insta::assert_snapshot!(rendered(&Statement::Select(select)));
    let contains = Select::new(TableRef::new("docs"))
        .filter(meta().json_contains(serde_json::json!({ "tags": ["rust"] })));
    insta::assert_snapshot!(rendered(&Statement::Select(contains)));
}

/// Array columns and operators: PostgreSQL's `type[]`, `@>`, `<@`, `&&`; the other
/// dialects refuse both.
#[test]
fn array_columns_and_operators() {
    let create = Statement::CreateTable(CreateTable {
        if_not_exists: false,
        ..CreateTable::new(
            "articles",
            vec![ColumnDef::new(
                "tags",
                DataType::Array(Box::new(DataType::String(Some(40)))),
            )],
        )
    });
    insta::assert_snapshot!(rendered(&create));
    let tags = || Expr::column("tags");
    let select = Select::new(TableRef::new("articles")).filter(
        tags()
            .array_compare(ArrayOperator::Contains, vec!["a".to_string()])
            .and(tags().array_compare(
                ArrayOperator::ContainedBy,
                vec!["a".to_string(), "b".to_string()],
            ))
            .and(tags().array_compare(ArrayOperator::Overlaps, Vec::<String>::new())),
    );
    insta::assert_snapshot!(rendered(&Statement::Select(select)));
}

/// Upserts: update on conflict, and do nothing.
#[test]
fn upsert_conflict_clauses() {
    let upsert = |action| {
        Statement::Insert(Insert {
            table: TableRef::new("users"),
            columns: vec!["email".into(), "name".into(), "visits".into()],
            rows: vec![vec![
                Expr::value("a@x.io"),
                Expr::value("Ann"),
                Expr::value(1),
            ]],
            returning: vec!["id".into()],
            on_conflict: Some(OnConflict {
                target: vec!["email".into()],
                action,
            }),
        })
    };
    let all = [
        upsert(ConflictAction::Update(vec!["name".into(), "visits".into()])),
        upsert(ConflictAction::DoNothing),
    ]
    .iter()
    .map(rendered)
    .collect::<Vec<_>>()
    .join("\n");
    insta::assert_snapshot!(all);
}

/// `increment`: the database adds, `SET x = x + ?`.
#[test]
fn increments_add_in_the_database() {
    let update = Statement::Update(Update {
        table: TableRef::new("counters"),
        set: vec![(
            "hits".into(),
            Expr::column("hits").compare(sequelize::sql::BinaryOp::Add, Expr::value(2)),
        )],
        filter: Expr::column("id").eq(1),
    });
    insta::assert_snapshot!(rendered(&update));
}

/// BETWEEN, case-insensitive LIKE (PostgreSQL's ILIKE, LOWER() elsewhere) and LIKE with `!`
/// as the escape character.
#[test]
fn between_and_like_forms() {
    let select = Select::new(TableRef::new("players")).filter(
        Expr::column("score")
            .between(2, 7)
            .and(Expr::column("team").like_with("red%", false, true, false))
            .and(Expr::column("team").like_with("50!%%", true, false, true)),
    );
    insta::assert_snapshot!(rendered(&Statement::Select(select)));
}
