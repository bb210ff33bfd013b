//! Associations and `include` on every dialect (issue 9): the usage guide's blog (User, Post,
//! Comment, Category, Tag through PostTags) declared on the derive, synced with its foreign
//! keys in dependency order, and loaded with nested includes in one statement.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use sequelize::model::{AssociationKind, AssociationOptions, Hook, Include};
use sequelize::prelude::*;
use sequelize::{ConnectionHooks, Error};
use serde::Serialize;

#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "users", underscored)]
// `as`, Sequelize's spelling, works as well as `alias`.
#[has_many(Post, as = "posts", foreign_key = "author_id")]
struct User {
    id: i64,
    name: String,
    #[serde(skip)]
    password: String,
}

#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "categories", underscored, timestamps = false)]
struct Category {
    id: i64,
    name: String,
}

#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "tags", underscored, timestamps = false)]
struct Tag {
    id: i64,
    name: String,
}

#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "posts", underscored, paranoid)]
#[belongs_to(User, alias = "author", foreign_key = "author_id")]
#[belongs_to(Category, alias = "category", foreign_key = "category_id")]
#[has_many(
    Comment,
    alias = "comments",
    foreign_key = "post_id",
    on_delete = "CASCADE"
)]
#[belongs_to_many(
    Tag,
    alias = "tags",
    through = "PostTags",
    foreign_key = "post_id",
    other_key = "tag_id"
)]
struct Post {
    id: i64,
    title: String,
    published: bool,
    author_id: i64,
    category_id: Option<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "comments", underscored, paranoid)]
#[belongs_to(User, alias = "author", foreign_key = "author_id")]
struct Comment {
    id: i64,
    post_id: i64,
    author_id: i64,
    body: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Defines the blog on `db` (targets before and after their sources, to resolve both ways)
/// and syncs it.
async fn blog(db: &Sequelize) {
    db.define::<User>().register().unwrap();
    db.define::<Post>().register().unwrap();
    db.define::<Category>().register().unwrap();
    db.define::<Tag>().register().unwrap();
    db.define::<Comment>().register().unwrap();
    db.sync(SyncOptions::default()).await.unwrap();
}

/// The seed: Ann wrote two posts (one published, tagged rust and orm, with two comments by
/// Bob and one by Ann; one draft), Bob wrote one published post without tags or comments,
/// Cy wrote nothing.
async fn seed(db: &Sequelize) -> (Vec<Instance<User>>, Vec<Instance<Post>>) {
    let mut users = Vec::new();
    for name in ["Ann", "Bob", "Cy"] {
        let user = User {
            name: name.into(),
            password: "secret".into(),
            ..Default::default()
        };
        users.push(User::create(user).exec(db).await.unwrap());
    }
    let news = Category::create(Category {
        id: 0,
        name: "news".into(),
    })
    .exec(db)
    .await
    .unwrap();
    let mut posts = Vec::new();
    for (title, published, author, category) in [
        ("Hello", true, 0, Some(news.id)),
        ("Draft", false, 0, None),
        ("Bob's", true, 1, None),
    ] {
        let post = Post {
            title: title.into(),
            published,
            author_id: users[author].id,
            category_id: category,
            ..Default::default()
        };
        posts.push(Post::create(post).exec(db).await.unwrap());
    }
    let post_tags = db.model("PostTags").expect("the join model is defined");
    for name in ["rust", "orm"] {
        let tag = Tag::create(Tag {
            id: 0,
            name: name.into(),
        })
        .exec(db)
        .await
        .unwrap();
        post_tags
            .create([
                ("post_id", Value::Int(posts[0].id)),
                ("tag_id", Value::Int(tag.id)),
            ])
            .exec(db)
            .await
            .unwrap();
    }
    for (author, body) in [(1, "First!"), (0, "Thanks"), (1, "More")] {
        let comment = Comment {
            post_id: posts[0].id,
            author_id: users[author].id,
            body: body.into(),
            ..Default::default()
        };
        Comment::create(comment).exec(db).await.unwrap();
        // Distinct creation times, for the order by the comments' date.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    (users, posts)
}

/// A database whose statements are counted (`beforeQuery`).
async fn counted_db(dialect: &str, test: &str) -> (Sequelize, Arc<AtomicUsize>) {
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    let hooks = ConnectionHooks::default().before_query("count", move |_| {
        counter.fetch_add(1, SeqCst);
        Box::pin(async { Ok(()) })
    });
    let options = sequelize::Options {
        hooks,
        ..common::isolated_options(dialect, test, false).await
    };
    (Sequelize::connect_with(options).await.unwrap(), statements)
}

/// The usage guide's query: published posts with their author (some attributes), category,
/// tags without the join row's attributes, and comments with their authors, newest
/// comment first: one statement, and every level reachable typed.
#[tokio::test]
async fn the_guide_query_loads_the_graph_in_one_statement() {
    for dialect in common::dialects() {
        println!("--- dialect: {dialect}");
        let (db, statements) = counted_db(dialect, "assoc_graph").await;
        blog(&db).await;
        seed(&db).await;
        statements.store(0, SeqCst);
        let posts = Post::find_all()
            .filter(Post::PUBLISHED.eq(true))
            .include(Post::author().attributes(["id", "name"]))
            .include(Post::category())
            .include(Post::tags().through_attributes(Vec::<String>::new()))
            .include(Post::comments().include(Comment::author().attributes(["id", "name"])))
            .order(Post::TITLE.desc())
            .order(col("$comments.created_at$").desc())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(statements.load(SeqCst), 1, "{dialect}: one statement");
        let titles: Vec<&str> = posts.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Hello", "Bob's"], "{dialect}");
        let hello = &posts[0];
        assert_eq!(hello.author().unwrap().unwrap().name, "Ann", "{dialect}");
        assert_eq!(hello.category().unwrap().unwrap().name, "news", "{dialect}");
        let mut tags: Vec<&str> = hello
            .tags()
            .unwrap()
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        tags.sort();
        assert_eq!(tags, ["orm", "rust"], "{dialect}");
        let comments = hello.comments().unwrap();
        let bodies: Vec<&str> = comments.iter().map(|c| c.body.as_str()).collect();
        assert_eq!(
            bodies,
            ["More", "Thanks", "First!"],
            "{dialect}: newest first"
        );
        let commenters: Vec<&str> = (comments.iter())
            .map(|c| c.author().unwrap().unwrap().name.as_str())
            .collect();
        assert_eq!(commenters, ["Bob", "Ann", "Bob"], "{dialect}");
        // A post without a category, tags or comments holds empty includes.
        let bobs = &posts[1];
        assert!(bobs.category().unwrap().is_none(), "{dialect}");
        assert!(bobs.tags().unwrap().is_empty(), "{dialect}");
        assert!(bobs.comments().unwrap().is_empty(), "{dialect}");

        // Sequelize's toJSON: includes nested by name, unread attributes and the password
        // (serde(skip)) left out, the join row left out when no through attribute is read.
        let json = serde_json::to_value(hello).unwrap();
        assert_eq!(
            json["author"],
            serde_json::json!({ "id": hello.author_id, "name": "Ann" })
        );
        assert_eq!(json["category"]["name"], "news");
        assert_eq!(json["comments"].as_array().unwrap().len(), 3);
        assert_eq!(json["comments"][0]["author"]["name"], "Bob");
        assert!(
            json["tags"][0].get("PostTags").is_none(),
            "{dialect}: {json}"
        );
        db.close().await.unwrap();
    }
}

/// An optional belongsToMany include whose target filter matches only some linked tags
/// shows those, with their join rows, and keeps every post: a join row whose tag does not
/// match reads as no tag. The join is a chain (join row, then tag), not a group SQLite
/// would materialize whole.
#[tokio::test]
async fn an_optional_filtered_many_to_many_include_keeps_every_parent() {
    for dialect in common::dialects() {
        let sent = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let log = sent.clone();
        let hooks = ConnectionHooks::default().before_query("sql", move |event| {
            log.lock().unwrap().push(event.sql.to_owned());
            Box::pin(async { Ok(()) })
        });
        let options = sequelize::Options {
            hooks,
            ..common::isolated_options(dialect, "assoc_m2m_filter", false).await
        };
        let db = Sequelize::connect_with(options).await.unwrap();
        blog(&db).await;
        seed(&db).await;
        sent.lock().unwrap().clear();
        let posts = Post::find_all()
            .include(Post::tags().filter(Tag::NAME.eq("rust")).required(false))
            .order(Post::TITLE.asc())
            .exec(&db)
            .await
            .unwrap();
        let shown: Vec<(&str, Vec<&str>)> = (posts.iter())
            .map(|p| {
                (
                    p.title.as_str(),
                    p.tags().unwrap().iter().map(|t| t.name.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("Bob's", vec![]),
                ("Draft", vec![]),
                ("Hello", vec!["rust"])
            ],
            "{dialect}"
        );
        let json = serde_json::to_value(&posts[2]).unwrap();
        assert_eq!(
            json["tags"][0]["PostTags"]["post_id"], posts[2].id,
            "{dialect}: {json}"
        );
        let sql = sent.lock().unwrap().join("\n");
        assert!(
            !sql.contains("JOIN ("),
            "{dialect}: a chain of joins: {sql}"
        );
        db.close().await.unwrap();
    }
}

/// `through` attributes come under the join model's name; without `through_attributes`
/// every attribute of the join row is read.
#[tokio::test]
async fn join_rows_are_nested_under_the_join_model() {
    common::for_each_dialect("assoc_through", |db| async move {
        blog(&db).await;
        seed(&db).await;
        let post = Post::find_one()
            .filter(Post::TITLE.eq("Hello"))
            .include(Post::tags())
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        let json = serde_json::to_value(&post).unwrap();
        let tags = json["tags"].as_array().unwrap();
        assert_eq!(tags.len(), 2);
        assert_eq!(tags[0]["PostTags"]["post_id"], post.id);
        assert!(tags[0]["PostTags"].get("created_at").is_some(), "{json}");
    })
    .await;
}

/// `where` on an include makes it required (parents without a match are left out) unless
/// `required(false)`; a required include inside an optional one decides which of its rows
/// match, not which parents do.
#[tokio::test]
async fn where_required_and_nested_required() {
    common::for_each_dialect("assoc_required", |db| async move {
        blog(&db).await;
        seed(&db).await;
        let names = |users: &[Instance<User>]| -> Vec<String> {
            users.iter().map(|u| u.name.clone()).collect()
        };
        let with_published = User::find_all()
            .include(User::posts().filter(Post::PUBLISHED.eq(true)))
            .order(User::NAME.asc())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(names(&with_published), ["Ann", "Bob"]);
        assert_eq!(
            with_published[0].posts().unwrap().len(),
            1,
            "the draft is filtered"
        );

        let everyone = User::find_all()
            .include(
                User::posts()
                    .filter(Post::PUBLISHED.eq(true))
                    .required(false),
            )
            .order(User::NAME.asc())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(names(&everyone), ["Ann", "Bob", "Cy"]);
        assert!(everyone[2].posts().unwrap().is_empty());

        // Posts with their comments written by Bob; posts without such comments stay.
        let posts = Post::find_all()
            .include(
                Post::comments()
                    .required(false)
                    .include(Comment::author().filter(User::NAME.eq("Bob"))),
            )
            .order(Post::TITLE.asc())
            .exec(&db)
            .await
            .unwrap();
        let titles: Vec<&str> = posts.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Bob's", "Draft", "Hello"]);
        let hello = &posts[2];
        let bodies: Vec<&str> = hello
            .comments()
            .unwrap()
            .iter()
            .map(|c| c.body.as_str())
            .collect();
        assert_eq!(bodies.len(), 2, "{bodies:?}");
        assert!(bodies.contains(&"First!") && bodies.contains(&"More"));

        // `$nested.column$` in the top-level filter.
        let commented_by_ann = Post::find_all()
            .include(Post::comments().include(Comment::author()))
            .filter(col("$comments.author.name$").eq("Ann"))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(commented_by_ann.len(), 1);
        assert_eq!(commented_by_ann[0].title, "Hello");
    })
    .await;
}

/// A `limit` with an include of many rows counts parents, not joined rows (Sequelize's
/// `subQuery`), and a required include still decides which parents count.
#[tokio::test]
async fn limit_counts_parents_with_many_includes() {
    common::for_each_dialect("assoc_limit", |db| async move {
        blog(&db).await;
        seed(&db).await;
        let first = Post::find_all()
            .include(Post::comments())
            .order(Post::TITLE.desc())
            .limit(1)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].title, "Hello");
        assert_eq!(
            first[0].comments().unwrap().len(),
            3,
            "every comment of the one post"
        );

        let users = User::find_all()
            .include(User::posts())
            .order(User::NAME.asc())
            .limit(2)
            .offset(1)
            .exec(&db)
            .await
            .unwrap();
        let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["Bob", "Cy"]);

        let authors = User::find_all()
            .include(User::posts())
            .filter(User::NAME.ne("Ann"))
            .include(User::posts().filter(Post::PUBLISHED.eq(true)))
            .limit(5)
            .exec(&db)
            .await;
        assert!(
            authors.is_err(),
            "one association included twice is refused"
        );

        let with_posts = User::find_all()
            .include(User::posts().required(true))
            .order(User::NAME.desc())
            .limit(1)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            with_posts[0].name, "Bob",
            "Cy has no post, so Bob comes first"
        );
        let nested = Post::find_all()
            .include(Post::comments())
            .filter(col("$comments.body$").eq("More"))
            .limit(1)
            .exec(&db)
            .await;
        assert!(
            matches!(&nested, Err(Error::InvalidQuery(m)) if m.contains("limit")),
            "{nested:?}"
        );
        // subQuery: false limits the joined rows: one post, one of its comments, and a
        // filter on the comments may be used.
        let flat = Post::find_all()
            .include(Post::comments())
            .filter(col("$comments.body$").eq("More"))
            .sub_query(false)
            .limit(1)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(flat.len(), 1);
        assert_eq!(flat[0].comments().unwrap().len(), 1);
    })
    .await;
}

/// Soft-deleted rows of a paranoid target stay out of includes unless `paranoid(false)`;
/// deleting a post cascades to its comments in the database (`on_delete = "CASCADE"`), and a
/// nullable foreign key is set to NULL when its row goes (Sequelize's default).
#[tokio::test]
async fn paranoid_includes_and_foreign_key_actions() {
    common::for_each_dialect("assoc_paranoid", |db| async move {
        blog(&db).await;
        let (_, posts) = seed(&db).await;
        Comment::destroy()
            .filter(Comment::BODY.eq("Thanks"))
            .exec(&db)
            .await
            .unwrap();
        let find = |paranoid: bool| {
            Post::find_by_pk(posts[0].id)
                .include(Post::comments().paranoid(paranoid))
                .exec(&db)
        };
        assert_eq!(
            find(true).await.unwrap().unwrap().comments().unwrap().len(),
            2
        );
        assert_eq!(
            find(false)
                .await
                .unwrap()
                .unwrap()
                .comments()
                .unwrap()
                .len(),
            3
        );

        Category::destroy()
            .filter(Category::NAME.eq("news"))
            .exec(&db)
            .await
            .unwrap();
        let hello = Post::find_by_pk(posts[0].id)
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(hello.category_id, None, "SET NULL on a nullable key");

        Post::destroy()
            .filter(Post::ID.eq(posts[0].id))
            .force()
            .exec(&db)
            .await
            .unwrap();
        let left = Comment::find_all().paranoid(false).exec(&db).await.unwrap();
        assert!(left.is_empty(), "CASCADE: {left:?}");
    })
    .await;
}

/// Errors before any SQL: an include naming no association, included rows read where they
/// were not included, a foreign key the model lacks, an alias used twice.
#[tokio::test]
async fn eager_loading_errors() {
    common::for_each_dialect("assoc_errors", |db| async move {
        blog(&db).await;
        let missing = Post::find_all()
            .include(sequelize::model::Assoc::<Post, User, sequelize::model::One>::named("writer"))
            .exec(&db)
            .await;
        assert!(
            matches!(&missing, Err(Error::EagerLoading(m)) if m.contains("writer") && m.contains("author")),
            "{missing:?}"
        );
        Category::create(Category { id: 0, name: "x".into() }).exec(&db).await.unwrap();
        let category = Category::find_one().exec(&db).await.unwrap().unwrap();
        let posts = Post::find_all().exec(&db).await.unwrap();
        assert!(posts.is_empty());
        let plain = Comment::find_all().exec(&db).await.unwrap();
        assert!(plain.is_empty());
        let _ = category;
        let unread = User::create(User { name: "Dee".into(), password: "x".into(), ..Default::default() })
            .exec(&db)
            .await
            .unwrap();
        assert!(matches!(unread.posts(), Err(Error::EagerLoading(m)) if m.contains("posts")));

        let no_key = db.associate(
            "Category",
            AssociationKind::HasMany,
            "Tag",
            AssociationOptions::default().alias("tags"),
        );
        assert!(
            matches!(&no_key, Err(Error::Config(m)) if m.contains("category_id") && m.contains("Tag")),
            "{no_key:?}"
        );
        let twice = db.associate(
            "User",
            AssociationKind::HasMany,
            "Post",
            AssociationOptions::default().alias("posts").foreign_key("author_id"),
        );
        assert!(matches!(&twice, Err(Error::Config(m)) if m.contains("posts")), "{twice:?}");
    })
    .await;
}

/// `beforeAssociate` may change the options; `afterAssociate` sees the association made.
#[tokio::test]
async fn associate_hooks_run_around_each_association() {
    common::for_each_dialect("assoc_hooks", |db| async move {
        let user = db
            .define_dynamic(
                "Member",
                [Attribute::new("name", DataType::String(None))],
                ModelOptions::default(),
            )
            .unwrap();
        db.define_dynamic(
            "Note",
            [
                Attribute::new("body", DataType::Text),
                Attribute::new("writer", DataType::Integer),
            ],
            ModelOptions::default(),
        )
        .unwrap();
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        for hook in [Hook::BeforeAssociate, Hook::AfterAssociate] {
            let seen = seen.clone();
            user.runtime()
                .add_associate_hook(hook, "log", move |event, options| {
                    seen.lock().unwrap().push(format!(
                        "{} {} {} {}",
                        hook.name(),
                        event.kind.name(),
                        event.target,
                        options.foreign_key.clone().unwrap_or_default()
                    ));
                    if hook == Hook::BeforeAssociate {
                        options.foreign_key = Some("writer".into());
                    }
                    Ok(())
                })
                .unwrap();
        }
        let notes = db
            .associate(
                "Member",
                AssociationKind::HasMany,
                "Note",
                AssociationOptions::default(),
            )
            .unwrap();
        assert_eq!(notes.name, "Notes");
        assert_eq!(
            *seen.lock().unwrap(),
            [
                "beforeAssociate HasMany Note ",
                "afterAssociate HasMany Note writer"
            ]
        );
        assert!(user
            .runtime()
            .add_hook::<sequelize::model::DynInstance>(Hook::BeforeAssociate, "x", |_, _| Box::pin(
                async { Ok(()) }
            ))
            .is_err());

        // The models work with includes by name.
        db.sync(SyncOptions::default()).await.unwrap();
        let ann = user
            .create([("name", Value::from("Ann"))])
            .exec(&db)
            .await
            .unwrap();
        let note = db.model("Note").unwrap();
        note.create([
            ("body", Value::from("hi")),
            ("writer", Value::Int(ann.get("id").unwrap())),
        ])
        .exec(&db)
        .await
        .unwrap();
        let members = user
            .find_all()
            .include(Include::new("Notes"))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            members[0].included("Notes").unwrap()[0]
                .get::<String>("body")
                .unwrap(),
            "hi"
        );
        let json = serde_json::to_value(&members[0]).unwrap();
        assert_eq!(json["Notes"][0]["body"], "hi");
    })
    .await;
}

/// `separate`: a hasMany read by one query per include level for every parent at once,
/// with its own order, a limit per parent and its own includes; parents without rows hold
/// an empty list; only hasMany may be separate, as in Sequelize.
#[tokio::test]
async fn separate_reads_one_query_per_level() {
    for dialect in common::dialects() {
        println!("--- dialect: {dialect}");
        let (db, statements) = counted_db(dialect, "assoc_separate").await;
        blog(&db).await;
        seed(&db).await;
        statements.store(0, SeqCst);
        let posts = Post::find_all()
            .include(
                Post::comments()
                    .separate(true)
                    .order(Comment::CREATED_AT.desc())
                    .include(Comment::author()),
            )
            .order(Post::TITLE.asc())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            statements.load(SeqCst),
            2,
            "{dialect}: posts, then comments"
        );
        let hello = posts.iter().find(|p| p.title == "Hello").unwrap();
        let bodies: Vec<&str> = hello
            .comments()
            .unwrap()
            .iter()
            .map(|c| c.body.as_str())
            .collect();
        assert_eq!(bodies, ["More", "Thanks", "First!"], "{dialect}");
        assert_eq!(
            hello.comments().unwrap()[1].author().unwrap().unwrap().name,
            "Ann"
        );
        assert!(
            posts[0].comments().unwrap().is_empty(),
            "{dialect}: Bob's has none"
        );

        statements.store(0, SeqCst);
        let users = User::find_all()
            .include(
                User::posts()
                    .separate(true)
                    .order(Post::TITLE.asc())
                    .include(
                        Post::comments()
                            .separate(true)
                            .limit(2)
                            .order(Comment::BODY.asc()),
                    ),
            )
            .order(User::NAME.asc())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            statements.load(SeqCst),
            3,
            "{dialect}: one statement per level"
        );
        let ann = &users[0];
        let titles: Vec<&str> = ann
            .posts()
            .unwrap()
            .iter()
            .map(|p| p.title.as_str())
            .collect();
        assert_eq!(titles, ["Draft", "Hello"], "{dialect}");
        let first_two: Vec<&str> = (ann.posts().unwrap()[1].comments().unwrap().iter())
            .map(|c| c.body.as_str())
            .collect();
        assert_eq!(
            first_two,
            ["First!", "More"],
            "{dialect}: two per post, by body"
        );
        assert!(users[2].posts().unwrap().is_empty(), "{dialect}: Cy");
        let json = serde_json::to_value(&users[0]).unwrap();
        assert_eq!(json["posts"][1]["comments"].as_array().unwrap().len(), 2);

        let refused = Post::find_all()
            .include(Post::author().separate(true))
            .exec(&db)
            .await;
        assert!(
            matches!(&refused, Err(Error::EagerLoading(m)) if m.contains("hasMany")),
            "{dialect}: {refused:?}"
        );
        db.close().await.unwrap();
    }
}

/// `findAndCountAll` with includes: the page counts parents (the limit runs before the
/// joins), and `distinct` counts each parent once however many rows its includes join;
/// `count` with a required include counts only parents with a match.
#[tokio::test]
async fn counts_with_includes() {
    common::for_each_dialect("assoc_count", |db| async move {
        blog(&db).await;
        seed(&db).await;
        let page = Post::find_all()
            .include(Post::comments())
            .order(Post::TITLE.desc())
            .limit(2)
            .and_count()
            .distinct()
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(page.count, 3, "three posts, however many comments");
        assert_eq!(page.rows.len(), 2);
        assert_eq!(page.rows[0].comments().unwrap().len(), 3);

        let joined_rows = Post::count()
            .include(Post::comments())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            joined_rows, 5,
            "without distinct, joined rows count (as in Sequelize)"
        );
        let commented = Post::count()
            .include(Post::comments().required(true))
            .column(Post::ID)
            .distinct()
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(commented, 1);
    })
    .await;
}

/// The aggregate's statement of a finder run while `logged` records statements.
fn count_statement(logged: &std::sync::Mutex<Vec<String>>) -> String {
    let logged = logged.lock().unwrap();
    (logged.iter().rev())
        .find(|sql| sql.contains("COUNT("))
        .cloned()
        .unwrap_or_else(|| panic!("no COUNT among {logged:?}"))
}

/// A count leaves out the joins that cannot change it: optional includes when parents are
/// counted once (`distinct`), optional `belongsTo` ones when joined rows count. A required
/// include, one required inside an optional one, a filter naming an include's attribute
/// and a literal filter keep them, and every count is the one the joins give.
#[tokio::test]
async fn a_count_leaves_out_the_joins_that_cannot_change_it() {
    for dialect in common::dialects() {
        println!("--- dialect: {dialect}");
        let logged = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let sink = Arc::clone(&logged);
        let options = sequelize::Options {
            logging: sequelize::Logging::custom(move |sql, _| {
                sink.lock().unwrap().push(sql.to_owned())
            }),
            ..common::isolated_options(dialect, "assoc_inert", false).await
        };
        let db = Sequelize::connect_with(options).await.unwrap();
        blog(&db).await;
        seed(&db).await;
        let joins = |sql: &str| sql.matches("JOIN").count();

        let page = Post::find_all()
            .include(Post::author())
            .include(Post::category())
            .include(Post::tags())
            .include(Post::comments().include(Comment::author()))
            .order(Post::TITLE.asc())
            .limit(2)
            .and_count()
            .distinct()
            .exec(&db)
            .await
            .unwrap();
        assert_eq!((page.count, page.rows.len()), (3, 2), "{dialect}");
        let sql = count_statement(&logged);
        assert_eq!(joins(&sql), 0, "{dialect}: {sql}");

        let joined_rows = Post::count()
            .include(Post::author())
            .include(Post::comments())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(joined_rows, 5, "{dialect}: the comments' rows count");
        let sql = count_statement(&logged);
        assert_eq!(joins(&sql), 1, "{dialect}: only the comments: {sql}");

        let tagged_rust = Post::find_all()
            .include(Post::tags().required(false))
            .filter(col("$tags.name$").eq("rust"))
            .and_count()
            .distinct()
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(tagged_rust.count, 1, "{dialect}");
        assert_eq!(
            joins(&count_statement(&logged)),
            2,
            "{dialect}: PostTags, tags"
        );

        let tagged_orm = Post::find_all()
            .include(Post::author())
            .include(Post::tags().filter(Tag::NAME.eq("orm")))
            .and_count()
            .distinct()
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(tagged_orm.count, 1, "{dialect}");
        assert_eq!(
            joins(&count_statement(&logged)),
            2,
            "{dialect}: not the author"
        );

        let with_bobs_comments = Post::find_all()
            .include(Post::comments().include(Comment::author().filter(User::NAME.eq("Bob"))))
            .and_count()
            .distinct()
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            with_bobs_comments.count, 3,
            "{dialect}: the comments are optional"
        );
        assert_eq!(joins(&count_statement(&logged)), 2, "{dialect}");

        let literal_filter = Post::find_all()
            .include(Post::comments())
            .filter(literal("comments.body").eq("More"))
            .and_count()
            .distinct()
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(literal_filter.count, 1, "{dialect}");
        assert_eq!(joins(&count_statement(&logged)), 1, "{dialect}");
        db.close().await.unwrap();
    }
}

/// The mixins: get/count/has/add/remove/set/create on a hasMany, a belongsToMany (join rows
/// written and deleted) and a belongsTo, inside the caller's transaction.
#[tokio::test]
async fn mixins_read_and_write_associations() {
    common::for_each_dialect("assoc_mixins", |db| async move {
        blog(&db).await;
        let (users, posts) = seed(&db).await;
        let hello = &posts[0];
        let tags = Post::tags().of(hello);
        assert_eq!(tags.count(&db).await.unwrap(), 2);
        let mut names: Vec<String> = tags
            .get(&db)
            .await
            .unwrap()
            .iter()
            .map(|t| t.name.clone())
            .collect();
        names.sort();
        assert_eq!(names, ["orm", "rust"]);
        let rust = Tag::find_one()
            .filter(Tag::NAME.eq("rust"))
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        assert!(tags.has(&db, &[&rust]).await.unwrap());

        // A transaction sees its own writes; a rollback takes them back.
        let tx = db.begin().await.unwrap();
        let web = tags
            .create(
                &tx,
                Tag {
                    id: 0,
                    name: "web".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(tags.count(&tx).await.unwrap(), 3);
        tx.rollback().await.unwrap();
        assert_eq!(tags.count(&db).await.unwrap(), 2);
        assert!(Tag::find_by_pk(web.id).exec(&db).await.unwrap().is_none());

        let web = Tag::create(Tag {
            id: 0,
            name: "web".into(),
        })
        .exec(&db)
        .await
        .unwrap();
        tags.set(&db, &[&rust, &web]).await.unwrap();
        let mut names: Vec<String> = tags
            .get(&db)
            .await
            .unwrap()
            .iter()
            .map(|t| t.name.clone())
            .collect();
        names.sort();
        assert_eq!(names, ["rust", "web"]);
        assert_eq!(
            common::count_rows(&db, &db, "PostTags").await,
            2,
            "orm's join row deleted"
        );
        tags.remove(&db, &[&rust]).await.unwrap();
        assert!(!tags.has(&db, &[&rust, &web]).await.unwrap());
        tags.add(&db, &[&web, &rust]).await.unwrap();
        assert_eq!(
            tags.count(&db).await.unwrap(),
            2,
            "an existing join row is kept, not doubled"
        );

        let comments = Post::comments().of(hello);
        let first = comments
            .find(&db)
            .unwrap()
            .order(Comment::CREATED_AT.asc())
            .limit(1)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(first[0].body, "First!");
        let draft = &posts[1];
        Post::comments()
            .of(draft)
            .add(&db, &[&first[0]])
            .await
            .unwrap();
        assert_eq!(comments.count(&db).await.unwrap(), 2, "moved to the draft");
        let note = Post::comments()
            .of(draft)
            .create(
                &db,
                Comment {
                    author_id: users[2].id,
                    body: "Cy's".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(note.post_id, draft.id);

        let author = Post::author().of(hello).get(&db).await.unwrap();
        assert_eq!(author.unwrap().name, "Ann");
        assert_eq!(User::posts().of(&users[0]).count(&db).await.unwrap(), 2);
    })
    .await;
}

/// `create` with associated records: the author (belongsTo) before the post, the comments
/// (hasMany, each with its own author) and the tags (belongsToMany, with join rows) after
/// it, all in one transaction: a failing record leaves nothing behind.
#[tokio::test]
async fn create_with_associated_records() {
    common::for_each_dialect("assoc_nested", |db| async move {
        blog(&db).await;
        let ann = User {
            name: "Ann".into(),
            password: "secret".into(),
            ..Default::default()
        };
        let bob = User {
            name: "Bob".into(),
            password: "secret".into(),
            ..Default::default()
        };
        let comment = sequelize::model::Nested::new(Comment {
            body: "First!".into(),
            ..Default::default()
        })
        .with(Comment::author(), [bob]);
        let post = Post::create(Post {
            title: "Hello".into(),
            published: true,
            ..Default::default()
        })
        .with(Post::author(), [ann])
        .with(Post::comments(), [comment])
        .with(
            Post::tags(),
            [
                Tag {
                    id: 0,
                    name: "rust".into(),
                },
                Tag {
                    id: 0,
                    name: "orm".into(),
                },
            ],
        )
        .exec(&db)
        .await
        .unwrap();
        let author = post.author().unwrap().unwrap();
        assert_eq!(post.author_id, author.id);
        let comments = post.comments().unwrap();
        assert_eq!(comments[0].post_id, post.id);
        assert_eq!(comments[0].author().unwrap().unwrap().name, "Bob");
        assert_eq!(post.tags().unwrap().len(), 2);
        let read = Post::find_by_pk(post.id)
            .include(Post::tags())
            .include(Post::comments().include(Comment::author()))
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read.tags().unwrap().len(), 2);
        assert_eq!(
            read.comments().unwrap()[0].author().unwrap().unwrap().name,
            "Bob"
        );

        // A tag the database refuses (a duplicate primary key) rolls back the whole graph,
        // the author created before it included.
        let users_before = User::count().exec(&db).await.unwrap();
        let rust = Tag::find_one().exec(&db).await.unwrap().unwrap();
        let failing = Post::create(Post {
            title: "Again".into(),
            ..Default::default()
        })
        .with(
            Post::author(),
            [User {
                name: "Cy".into(),
                password: "x".into(),
                ..Default::default()
            }],
        )
        .with(
            Post::tags(),
            [Tag {
                id: rust.id,
                name: "dup".into(),
            }],
        )
        .exec(&db)
        .await;
        assert!(failing.is_err());
        assert_eq!(
            User::count().exec(&db).await.unwrap(),
            users_before,
            "Cy rolled back"
        );
        assert_eq!(Post::count().exec(&db).await.unwrap(), 1);
    })
    .await;
}

/// `bulkCreate` with includes (issue 9, item 4): each record's parents first, then the record,
/// its children and its join rows, all records in one transaction: a record the database
/// refuses leaves none of them behind.
#[tokio::test]
async fn bulk_create_with_associated_records() {
    use sequelize::model::Nested;
    common::for_each_dialect("assoc_nested_bulk", |db| async move {
        blog(&db).await;
        let user = |name: &str| User {
            name: name.into(),
            password: "x".into(),
            ..Default::default()
        };
        let tag = |name: &str| Tag {
            id: 0,
            name: name.into(),
        };
        let post = |title: &str, author: &str, tag: Tag| {
            let comment = Nested::new(Comment {
                body: format!("on {title}"),
                ..Default::default()
            })
            .with(Comment::author(), [user(&format!("{author}'s reader"))]);
            Nested::new(Post {
                title: title.into(),
                ..Default::default()
            })
            .with(Post::author(), [user(author)])
            .with(Post::comments(), [comment])
            .with(Post::tags(), [tag])
        };
        let batch = [
            post("One", "Ann", tag("rust")),
            post("Two", "Bob", tag("orm")),
        ];
        let created = Nested::bulk_create(batch, &db).await.unwrap();
        assert_eq!(created.len(), 2);
        for (post, (author, tag)) in created.iter().zip([("Ann", "rust"), ("Bob", "orm")]) {
            let user = post.author().unwrap().unwrap();
            assert_eq!((post.author_id, user.name.as_str()), (user.id, author));
            let comment = &post.comments().unwrap()[0];
            assert_eq!(comment.post_id, post.id);
            let reader = comment.author().unwrap().unwrap();
            assert_eq!(reader.name, format!("{author}'s reader"));
            assert_eq!(post.tags().unwrap()[0].name, tag);
        }
        let read = Post::find_all()
            .include(Post::tags())
            .include(Post::comments())
            .order(Post::ID.asc())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[1].comments().unwrap()[0].body, "on Two");
        assert_eq!(read[1].tags().unwrap()[0].name, "orm");

        // The second record's tag repeats a primary key: the first record, created before
        // it, is rolled back with it.
        let rust = Tag::find_one().exec(&db).await.unwrap().unwrap();
        let duplicate = Tag {
            id: rust.id,
            name: "dup".into(),
        };
        let batch = [
            post("Three", "Cy", tag("new")),
            post("Four", "Di", duplicate),
        ];
        assert!(Nested::bulk_create(batch, &db).await.is_err());
        let count = |n: i64, what: &str| assert_eq!(n, 2, "{what}: none of the failed batch");
        count(Post::count().exec(&db).await.unwrap(), "posts");
        count(Comment::count().exec(&db).await.unwrap(), "comments");
        count(Tag::count().exec(&db).await.unwrap(), "tags");
        let users = User::count().exec(&db).await.unwrap();
        assert_eq!(users, 4, "users: none of the failed batch");
    })
    .await;
}

/// No N+1 (issue 9, item 6): 100 users × 10 posts × 10 comments load in one statement with
/// joins, and in three with `separate` (one per level), every row in its place.
#[tokio::test]
async fn a_thousand_posts_load_without_n_plus_one() {
    for dialect in common::dialects() {
        println!("--- dialect: {dialect}");
        let (db, statements) = counted_db(dialect, "assoc_scale").await;
        blog(&db).await;
        let users: Vec<User> = (0..100)
            .map(|i| User {
                name: format!("user{i:03}"),
                password: "x".into(),
                ..Default::default()
            })
            .collect();
        let users = User::bulk_create(users).exec(&db).await.unwrap();
        let posts: Vec<Post> = (users.iter())
            .flat_map(|u| {
                (0..10).map(move |p| Post {
                    title: format!("{}-{p}", u.name),
                    author_id: u.id,
                    ..Default::default()
                })
            })
            .collect();
        let posts = Post::bulk_create(posts).exec(&db).await.unwrap();
        let comments: Vec<Comment> = (posts.iter())
            .flat_map(|p| {
                (0..10).map(move |c| Comment {
                    post_id: p.id,
                    author_id: p.author_id,
                    body: format!("{c}"),
                    ..Default::default()
                })
            })
            .collect();
        Comment::bulk_create(comments).exec(&db).await.unwrap();

        let check = |users: &[Instance<User>]| {
            assert_eq!(users.len(), 100, "{dialect}");
            for user in users {
                let posts = user.posts().unwrap();
                assert_eq!(posts.len(), 10, "{dialect}");
                for post in posts {
                    assert_eq!(post.author_id, user.id);
                    let comments = post.comments().unwrap();
                    assert_eq!(comments.len(), 10, "{dialect}");
                    assert!(comments.iter().all(|c| c.post_id == post.id));
                }
            }
        };
        statements.store(0, SeqCst);
        let joined = User::find_all()
            .include(User::posts().include(Post::comments()))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(statements.load(SeqCst), 1, "{dialect}: joins");
        check(&joined);

        statements.store(0, SeqCst);
        let separate = User::find_all()
            .include(
                User::posts()
                    .separate(true)
                    .include(Post::comments().separate(true)),
            )
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(statements.load(SeqCst), 3, "{dialect}: one per level");
        check(&separate);
        db.close().await.unwrap();
    }
}

/// Scopes and includes together: a scope may include an association (the guide's
/// `withPosts`), a finder's include survives the model's default scope (it was dropped when
/// the scopes were merged), and `hooks(false)` survives it too.
#[tokio::test]
async fn scopes_carry_includes() {
    common::for_each_dialect("assoc_scopes", |db| async move {
        db.define::<User>()
            .scope(
                "withPosts",
                sequelize::model::FindOptions {
                    include: vec![User::posts().into()],
                    ..Default::default()
                },
            )
            .register()
            .unwrap();
        db.define::<Post>()
            .default_scope(sequelize::model::FindOptions {
                filter: Some(Post::PUBLISHED.eq(true)),
                ..Default::default()
            })
            .find_hook(Hook::BeforeFind, "refuse", |_, _| {
                Box::pin(async { Err(Error::Config("hooks ran".into())) })
            })
            .register()
            .unwrap();
        db.define::<Category>().register().unwrap();
        db.define::<Tag>().register().unwrap();
        db.define::<Comment>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        seed(&db).await;

        let users = User::find_all()
            .scope("withPosts")
            .order(User::NAME.asc())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            users[0].posts().unwrap().len(),
            1,
            "the default scope of Post applies"
        );

        let posts = Post::find_all()
            .hooks(false)
            .include(Post::comments())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(posts.len(), 2, "published only");
        assert!(
            posts.iter().all(|p| p.comments().is_ok()),
            "the include survives"
        );
    })
    .await;
}

#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "folders", underscored, timestamps = false)]
#[has_many(Folder, alias = "children", foreign_key = "parent_id", hooks)]
#[belongs_to(Folder, alias = "parent", foreign_key = "parent_id")]
struct Folder {
    id: i64,
    name: String,
    parent_id: Option<i64>,
}

#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "notes", underscored, timestamps = false)]
struct Note {
    id: i64,
    body: String,
    subject_type: String,
    subject_id: i64,
}

/// A self-association (folders in folders, included two levels deep), `hooks: true`
/// (destroying a folder destroys its children one by one, with their hooks), a polymorphic
/// association scope (notes on folders and on tags, told apart by `subject_type`), and
/// `include: { all: true, nested: true }`.
#[tokio::test]
async fn self_polymorphic_cascading_and_all() {
    common::for_each_dialect("assoc_self", |db| async move {
        let destroyed = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = destroyed.clone();
        db.define::<Folder>()
            .hook(Hook::BeforeDestroy, "log", move |folder, _| {
                log.lock().unwrap().push(folder.name.clone());
                let kept = folder.name == "kept";
                Box::pin(async move {
                    if kept {
                        return Err(Error::Config("kept folders stay".into()));
                    }
                    Ok(())
                })
            })
            .register()
            .unwrap();
        db.define::<Note>().register().unwrap();
        db.define::<Tag>().register().unwrap();
        for (source, kind) in [("Folder", "folder"), ("Tag", "tag")] {
            db.associate(
                source,
                AssociationKind::HasMany,
                "Note",
                AssociationOptions::default()
                    .alias("notes")
                    .foreign_key("subject_id")
                    .scope("subject_type", kind)
                    .constraints(false),
            )
            .unwrap();
        }
        db.sync(SyncOptions::default()).await.unwrap();

        let root = Folder::create(Folder {
            name: "root".into(),
            ..Default::default()
        })
        .exec(&db)
        .await
        .unwrap();
        let children = Folder::children().of(&root);
        let docs = children
            .create(
                &db,
                Folder {
                    name: "docs".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        children
            .create(
                &db,
                Folder {
                    name: "pics".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        Folder::children()
            .of(&docs)
            .create(
                &db,
                Folder {
                    name: "drafts".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let tag = Tag::create(Tag {
            id: 0,
            name: "todo".into(),
        })
        .exec(&db)
        .await
        .unwrap();
        // The same subject id on both: the scope tells them apart.
        let note = |body: &str, kind: &str, id: i64| Note {
            id: 0,
            body: body.into(),
            subject_type: kind.into(),
            subject_id: id,
        };
        Note::create(note("on root", "folder", root.id))
            .exec(&db)
            .await
            .unwrap();
        Note::create(note("on tag", "tag", tag.id))
            .exec(&db)
            .await
            .unwrap();
        Note::create(note("on the tag too", "tag", tag.id))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(tag.id, root.id, "one subject id, two kinds of subject");

        let tree = Folder::find_all()
            .filter(Folder::PARENT_ID.is_null())
            .include(Folder::children().include(Folder::children()).include(
                sequelize::model::Assoc::<Folder, Note, sequelize::model::Many>::named("notes"),
            ))
            .include(sequelize::model::Assoc::<
                Folder,
                Note,
                sequelize::model::Many,
            >::named("notes"))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(tree.len(), 1);
        let mut names: Vec<&str> = tree[0]
            .children()
            .unwrap()
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        names.sort();
        assert_eq!(names, ["docs", "pics"]);
        let docs_read = tree[0]
            .children()
            .unwrap()
            .iter()
            .find(|f| f.name == "docs")
            .unwrap();
        assert_eq!(docs_read.children().unwrap()[0].name, "drafts");
        let notes = tree[0]
            .included(sequelize::model::Assoc::<
                Folder,
                Note,
                sequelize::model::Many,
            >::named("notes"))
            .unwrap();
        assert_eq!(notes.len(), 1, "only the folder's note: {notes:?}");
        assert_eq!(notes[0].body, "on root");

        // A note created through the association gets the scope's value.
        let tag_notes =
            sequelize::model::Assoc::<Tag, Note, sequelize::model::Many>::named("notes");
        let made = tag_notes
            .clone()
            .of(&tag)
            .create(
                &db,
                Note {
                    id: 0,
                    body: "new".into(),
                    subject_type: String::new(),
                    subject_id: 0,
                },
            )
            .await
            .unwrap();
        assert_eq!(made.subject_type, "tag");
        assert_eq!(tag_notes.of(&tag).count(&db).await.unwrap(), 3);

        let everything = Folder::find_all()
            .filter(Folder::NAME.eq("docs"))
            .include_all(sequelize::model::IncludeAll::All, false)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(everything[0].parent().unwrap().unwrap().name, "root");
        assert_eq!(everything[0].children().unwrap().len(), 1);

        // hooks: true: after the folder's own beforeDestroy, its children go, each through
        // its hooks (docs before its own child, drafts).
        let mut root = root;
        root.destroy(&db).await.unwrap();
        let order = destroyed.lock().unwrap().clone();
        assert_eq!(order[0], "root", "{order:?}");
        let at = |name: &str| order.iter().position(|n| n == name).unwrap();
        assert!(at("docs") < at("drafts"), "{order:?}");
        assert_eq!(order.len(), 4, "{order:?}");
        assert_eq!(Folder::count().exec(&db).await.unwrap(), 0);

        // A refused destroy leaves its dependents alone: they go after its hooks.
        let mut kept = Folder::create(Folder {
            name: "kept".into(),
            ..Default::default()
        })
        .exec(&db)
        .await
        .unwrap();
        Folder::children()
            .of(&kept)
            .create(
                &db,
                Folder {
                    name: "inside".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(kept.destroy(&db).await.is_err());
        assert_eq!(Folder::count().exec(&db).await.unwrap(), 2);
    })
    .await;
}

#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "albums", underscored, timestamps = false)]
#[has_many(Photo, alias = "photos", foreign_key = "album_id")]
struct Album {
    #[attr(primary_key, default = uuid_v4)]
    id: Uuid,
    title: String,
}

#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "photos", underscored, timestamps = false)]
struct Photo {
    #[attr(primary_key, default = uuid_v4)]
    id: Uuid,
    album_id: Uuid,
    caption: String,
}

/// Keys of another type than integers (UUIDs, which SQLite hands back as text) match their
/// parents, joined and separate alike.
#[tokio::test]
async fn uuid_keys_match_their_parents() {
    common::for_each_dialect("assoc_uuid", |db| async move {
        db.define::<Album>().register().unwrap();
        db.define::<Photo>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        for title in ["summer", "winter"] {
            let album = Album::create(Album {
                title: title.into(),
                ..Default::default()
            })
            .exec(&db)
            .await
            .unwrap();
            for n in 0..3 {
                Album::photos()
                    .of(&album)
                    .create(
                        &db,
                        Photo {
                            caption: format!("{title} {n}"),
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap();
            }
        }
        for separate in [false, true] {
            let albums = Album::find_all()
                .include(Album::photos().separate(separate))
                .order(Album::TITLE.asc())
                .exec(&db)
                .await
                .unwrap();
            assert_eq!(albums.len(), 2);
            for album in &albums {
                let photos = album.photos().unwrap();
                assert_eq!(photos.len(), 3, "separate {separate}");
                assert!(photos.iter().all(|p| p.caption.starts_with(&album.title)));
            }
        }
    })
    .await;
}

/// A separate include over more parents than a statement takes parameters (SQLite 32,766,
/// MySQL 65,535): their keys go in as many statements as needed (one array on PostgreSQL).
#[tokio::test]
async fn separate_includes_split_at_the_parameter_limit() {
    common::for_each_dialect("assoc_many_parents", |db| async move {
        db.define::<Album>().register().unwrap();
        db.define::<Photo>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let albums: Vec<Album> = (0..40_000)
            .map(|i| Album {
                id: Uuid::new_v4(),
                title: format!("{i:05}"),
            })
            .collect();
        let photos: Vec<Photo> = (albums.iter().step_by(1000))
            .map(|a| Photo {
                id: Uuid::new_v4(),
                album_id: a.id,
                caption: a.title.clone(),
            })
            .collect();
        Album::bulk_create(albums).exec(&db).await.unwrap();
        Photo::bulk_create(photos).exec(&db).await.unwrap();
        let albums = Album::find_all()
            .include(Album::photos().separate(true))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(albums.len(), 40_000);
        let with_photos: Vec<&Instance<Album>> = (albums.iter())
            .filter(|a| !a.photos().unwrap().is_empty())
            .collect();
        assert_eq!(with_photos.len(), 40);
        assert!(with_photos
            .iter()
            .all(|a| a.photos().unwrap()[0].caption == a.title));
    })
    .await;
}
