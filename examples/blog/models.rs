//! The blog's models (the usage guide's User, Role, Post, Category, Tag and Comment), shared by
//! the example and by the tests that diff and introspect the blog's schema.

// Two `has_many` attributes with the same `foreign_key = "author_id"` (posts and comments)
// are two associations, not a repeated attribute, as clippy reads them.
#![allow(clippy::duplicated_attributes)]

use sequelize::prelude::*;
use serde::Serialize;

/// Registers the models as they are, without the hooks and scopes examples/blog/setup.rs
/// gives them: what the tests that only need the blog's schema define.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use blog_api::models::{register, Role};
/// use sequelize::prelude::*;
///
/// let db = Sequelize::connect("sqlite::memory:").await.unwrap();
/// register(&db).unwrap();
/// db.sync(SyncOptions::default()).await.unwrap();
/// let tables = db.query_interface().show_all_tables().await.unwrap();
/// assert!(tables.contains(&"UserRoles".to_owned()), "{tables:?}");
/// # });
/// ```
pub fn register(db: &Sequelize) -> sequelize::Result<()> {
    db.define::<User>().register()?;
    db.define::<Role>().register()?;
    db.define::<Post>().register()?;
    db.define::<Category>().register()?;
    db.define::<Tag>().register()?;
    db.define::<Comment>().register()?;
    Ok(())
}

/// `User.init({...}, { tableName: 'users', underscored: true, timestamps: true,
/// paranoid: true, indexes: [...] })` of the guide. The timestamps and `deleted_at` are not
/// fields, as the guide does not declare them: Sequelize adds them, and the instance keeps
/// them (`user.get("created_at")`).
#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "users", underscored, paranoid)]
#[has_many(Post, alias = "posts", foreign_key = "author_id")]
#[has_many(Comment, alias = "comments", foreign_key = "author_id")]
#[belongs_to_many(
    Role,
    alias = "roles",
    through = "UserRoles",
    foreign_key = "user_id",
    other_key = "role_id"
)]
#[model(
    index(fields("email")),
    index(fields("status")),
    index(fields("created_at"))
)]
pub struct User {
    #[attr(primary_key, default = uuid_v4)]
    pub id: Uuid,
    #[attr(unique, validate(Validator::is_email()))]
    pub email: String,
    /// Hashed by the hooks; never serialized (the guide's `toJSON` without the password).
    #[serde(skip_serializing)]
    #[attr(validate(Validator::len(8, 100)))]
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
    #[attr(default = false)]
    pub email_verified: bool,
    #[attr(values("active", "inactive", "banned"), default = "active")]
    pub status: String,
    pub last_login_at: Option<DateTime<Utc>>,
}

impl User {
    /// The guide's `get fullName()`.
    pub fn full_name(&self) -> String {
        [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The guide's `static async findByEmail(email)`.
    pub async fn find_by_email(
        db: &impl Executor,
        email: &str,
    ) -> sequelize::Result<Option<Instance<User>>> {
        User::find_one()
            .filter(User::EMAIL.eq(email))
            .exec(db)
            .await
    }
}

/// `Post.init({...}, { tableName: 'posts', underscored: true, timestamps: true,
/// paranoid: true, indexes: [...] })` of the guide, with its `static associate(models)`.
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
#[model(
    index(fields("slug"), unique),
    index(fields("author_id")),
    index(fields("category_id"))
)]
#[model(index(fields("published", "created_at")))]
pub struct Post {
    #[attr(primary_key, default = uuid_v4)]
    pub id: Uuid,
    #[attr(data_type = DataType::String(Some(500)), validate(Validator::len(1, 500)))]
    pub title: String,
    #[attr(data_type = DataType::Text)]
    pub content: Option<String>,
    #[attr(unique, data_type = DataType::String(Some(500)))]
    pub slug: String,
    #[attr(default = false)]
    pub published: bool,
    #[attr(default = 0)]
    pub view_count: i32,
    pub author_id: Uuid,
    pub category_id: Option<Uuid>,
}

/// The guide's Role, Category, Tag and Comment models (its `models` the associations name).
#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "roles", underscored)]
#[belongs_to_many(
    User,
    alias = "users",
    through = "UserRoles",
    foreign_key = "role_id",
    other_key = "user_id"
)]
pub struct Role {
    #[attr(primary_key, default = uuid_v4)]
    pub id: Uuid,
    #[attr(unique)]
    pub name: String,
}

#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "categories", underscored)]
pub struct Category {
    #[attr(primary_key, default = uuid_v4)]
    pub id: Uuid,
    pub name: String,
}

#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "tags", underscored)]
pub struct Tag {
    #[attr(primary_key, default = uuid_v4)]
    pub id: Uuid,
    /// Unique, so that two requests creating the same new tag at once cannot both insert
    /// it: `find_or_create` finds the row the other one wrote.
    #[attr(unique)]
    pub name: String,
}

#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "comments", underscored, paranoid)]
#[belongs_to(User, alias = "author", foreign_key = "author_id")]
pub struct Comment {
    #[attr(primary_key, default = uuid_v4)]
    pub id: Uuid,
    #[attr(data_type = DataType::Text)]
    pub body: String,
    pub post_id: Uuid,
    pub author_id: Uuid,
}
