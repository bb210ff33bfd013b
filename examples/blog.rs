//! The blog of the Sequelize usage guide, in Rust: its User and Post models, their
//! associations (author, category, comments, tags through PostTags) and its queries.
//!
//! Runs on an embedded in-memory SQLite database with no setup:
//!
//! ```text
//! cargo run --example blog
//! ```
//!
//! or on PostgreSQL / MariaDB / MySQL by changing one URL:
//!
//! ```text
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/sequelize_test cargo run --example blog --features postgres
//! DATABASE_URL=mariadb://root@127.0.0.1:3306/sequelize_test cargo run --example blog --features mysql
//! ```

#[path = "blog/models.rs"]
// `models::register` (the models without hooks) is for the schema tests; this example
// defines them with their hooks, through `setup::define_models`.
#[allow(dead_code)]
mod models;
#[path = "blog/setup.rs"]
mod setup;

use models::*;
use sequelize::prelude::*;
use sequelize::Error;

fn new_post(author: &User, title: &str, published: bool) -> Post {
    Post {
        title: title.into(),
        published,
        author_id: author.id,
        ..Default::default()
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".into());
    let db = Sequelize::connect_with(Options {
        url: Some(url),
        logging: sequelize::Logging::Off,
        ..Default::default()
    })
    .await?;
    println!(
        "Connected to {} ({})",
        db.dialect().name(),
        if std::env::var("DATABASE_URL").is_ok() {
            "DATABASE_URL"
        } else {
            "embedded, in memory"
        }
    );

    // The guide's hooks (the password hashed, a post's slug from its title) and scopes
    // (`active`, `withPosts`, `published`, `recent`): examples/blog/setup.rs.
    setup::define_models(&db)?;
    db.sync(SyncOptions {
        force: true,
        ..Default::default()
    })
    .await?;

    // const newUser = await User.create({ email, password, firstName, lastName });
    let ann = User::create(User {
        email: "ann@example.com".into(),
        password: "password123".into(),
        first_name: Some("Ann".into()),
        last_name: Some("Lee".into()),
        ..Default::default()
    })
    .exec(&db)
    .await?;
    println!(
        "\nCreated user {} <{}> with id {}",
        ann.full_name(),
        ann.email,
        ann.id
    );
    println!(
        "Password stored hashed ({}…); validatePassword: {}",
        &ann.password[..7],
        ann.validate_password("password123")
    );

    // Validation runs before any SQL, every failure at once.
    let invalid = User::create(User {
        email: "not-an-email".into(),
        password: "short".into(),
        ..Default::default()
    })
    .exec(&db)
    .await
    .unwrap_err();
    if let Error::Validation(items) = &invalid {
        for item in items {
            println!("Validation failed: {} ({})", item.path, item.validator_key);
        }
    }

    // Managed transaction: both rows or neither.
    let (bob, first) = db
        .transaction(|tx| async move {
            let bob = User::create(User {
                email: "bob@example.com".into(),
                password: "hunter2hunter2".into(),
                first_name: Some("Bob".into()),
                status: "inactive".into(),
                ..Default::default()
            })
            .exec(&tx)
            .await?;
            let post = Post::create(new_post(&bob, "First Post!", true))
                .exec(&tx)
                .await?;
            Ok::<_, Error>((bob, post))
        })
        .await?;
    println!(
        "In one transaction: user {} and post {:?} ({})",
        bob.email, first.title, first.slug
    );

    for (title, published) in [
        ("Rust for Sequelize users", true),
        ("Draft: async traits", false),
    ] {
        Post::create(new_post(&ann, title, published))
            .exec(&db)
            .await?;
    }

    // An unmanaged transaction rolled back: nothing is written.
    let tx = db.begin().await?;
    Post::create(new_post(&ann, "Never published", true))
        .exec(&tx)
        .await?;
    tx.rollback().await?;

    // const user = await User.findByPk(userId);
    let found = User::find_by_pk(ann.id)
        .exec(&db)
        .await?
        .expect("ann exists");
    println!(
        "\nfindByPk: {}",
        serde_json::to_string(&found).expect("serializable")
    );

    // User.findByEmail(...)
    let by_email = User::find_by_email(&db, "bob@example.com")
        .await?
        .expect("bob exists");
    println!("findByEmail: {} is {}", by_email.email, by_email.status);

    // where: { [Op.or]: [{ firstName: ... }, { email: { [Op.like]: ... } }] }
    let matches = User::find_all()
        .filter(or([User::FIRST_NAME.eq("Bob"), User::EMAIL.like("ann@%")]))
        .order(User::EMAIL.asc())
        .exec(&db)
        .await?;
    println!(
        "Op.or search: {:?}",
        matches.iter().map(|u| u.email.as_str()).collect::<Vec<_>>()
    );

    // Post.scope('published', 'recent').findAll()
    let published = Post::find_all()
        .scope("published")
        .scope("recent")
        .exec(&db)
        .await?;
    println!("\nPublished posts:");
    for post in &published {
        println!(
            "  - {} (/{}), {} views",
            post.title, post.slug, post.view_count
        );
    }

    // Associations: a category and tags for the first post, comments by Ann and Bob.
    let news = Category::create(Category {
        name: "News".into(),
        ..Default::default()
    })
    .exec(&db)
    .await?;
    let mut first = first;
    first.category_id = Some(news.id);
    first.save(&db).await?;
    let tags = Post::tags().of(&first);
    tags.create(
        &db,
        Tag {
            name: "rust".into(),
            ..Default::default()
        },
    )
    .await?;
    tags.create(
        &db,
        Tag {
            name: "orm".into(),
            ..Default::default()
        },
    )
    .await?;
    for (author, body) in [(&ann, "Welcome!"), (&bob, "Thanks, Ann.")] {
        Post::comments()
            .of(&first)
            .create(
                &db,
                Comment {
                    body: body.into(),
                    author_id: author.id,
                    ..Default::default()
                },
            )
            .await?;
    }

    // Post.findAll({ include: [author (some attributes), category, tags (no join row),
    //   comments with their authors], where: { published: true },
    //   order: [['createdAt', 'DESC'], [{ model: Comment, as: 'comments' }, 'createdAt', 'DESC']] })
    // One statement with joins.
    let posts = Post::find_all()
        .filter(Post::PUBLISHED.eq(true))
        .include(Post::author().attributes(["id", "first_name", "last_name", "email"]))
        .include(Post::category())
        .include(Post::tags().through_attributes(Vec::<String>::new()))
        .include(Post::comments().include(Comment::author().attributes([
            "id",
            "first_name",
            "last_name",
        ])))
        .order(col("created_at").desc())
        .order(col("$comments.created_at$").desc())
        .exec(&db)
        .await?;
    println!("\nPosts with their graph (one query):");
    for post in &posts {
        let author = post.author()?.map(|a| a.full_name()).unwrap_or_default();
        let category = post.category()?.map(|c| c.name.as_str()).unwrap_or("-");
        let tags: Vec<&str> = post.tags()?.iter().map(|t| t.name.as_str()).collect();
        println!(
            "  - {} by {author} in {category}, tags {tags:?}",
            post.title
        );
        for comment in post.comments()? {
            let by = comment.author()?.map(|a| a.full_name()).unwrap_or_default();
            println!("      \"{}\" by {by}", comment.body);
        }
    }
    let hello = posts
        .iter()
        .find(|p| p.id == first.id)
        .expect("the first post");
    println!(
        "toJSON: {}",
        serde_json::to_string(hello).expect("serializable")
    );

    // User.scope('withPosts').findAll(); the posts by separate query: User.findAll({
    // include: [{ model: Post, as: 'posts', separate: true }] })
    let authors = User::find_all().scope("withPosts").exec(&db).await?;
    for author in &authors {
        println!(
            "withPosts: {} wrote {} post(s)",
            author.email,
            author.posts()?.len()
        );
    }
    let page = Post::find_all()
        .include(Post::comments().separate(true))
        .order(col("created_at").desc())
        .limit(10)
        .and_count()
        .distinct()
        .exec(&db)
        .await?;
    println!(
        "findAndCountAll: {} posts in all, {} on the page",
        page.count,
        page.rows.len()
    );

    // user.firstName = 'Jane'; await user.save();  (only the changed column is written)
    let mut ann = found;
    ann.first_name = Some("Jane".into());
    ann.last_login_at = Some(Utc::now());
    println!("\nChanged before save: {:?}", ann.changed());
    ann.save(&db).await?;
    println!("Saved: {}", ann.full_name());

    // Raw query with replacements (a list expands inside IN (...)).
    let counts = db
        .query("SELECT COUNT(*) AS n FROM posts WHERE author_id IN (:authors) AND published = :published")
        .replacements(
            Replacements::named()
                .set("authors", Replacement::list([ann.id, bob.id]))
                .set("published", true),
        )
        .plain()
        .await?
        .expect("a count row");
    println!(
        "Raw query: {} published posts by Jane and Bob",
        counts.get::<i64>("n")?
    );

    // Post.destroy({ where: { published: false } })
    let removed = Post::destroy()
        .filter(Post::PUBLISHED.eq(false))
        .exec(&db)
        .await?;
    println!(
        "Destroyed {removed} draft post(s) (paranoid: {} still in the table)",
        Post::count().paranoid(false).exec(&db).await?
    );
    println!(
        "Active users: {}",
        User::count().scope("active").exec(&db).await?
    );

    // An empty filter on a destroy is an error, never "every row".
    let refused = Post::destroy().exec(&db).await.unwrap_err();
    println!("Refused: {refused}");

    // Unique constraint violations are typed.
    let duplicate = User::create(User {
        email: "ann@example.com".into(),
        password: "x".repeat(8),
        ..Default::default()
    })
    .exec(&db)
    .await
    .unwrap_err();
    if let Error::UniqueConstraint { fields, .. } = &duplicate {
        println!("Duplicate email rejected (fields {fields:?})");
    }

    db.close().await?;
    Ok(())
}
