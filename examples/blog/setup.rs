//! The blog's models defined on a Sequelize instance with the guide's hooks and scopes:
//! shared by the example (`cargo run --example blog`) and the HTTP API (examples/blog-api).

use super::models::*;
use sequelize::model::{FindOptions, Hook};
use sequelize::prelude::*;
use sequelize::Error;

/// bcrypt's work factor. The guide uses 10; the examples keep it low so that a debug build
/// runs in a moment. Use 10 to 12 in production.
pub const BCRYPT_COST: u32 = 4;

impl User {
    /// The guide's `async validatePassword(password)`.
    pub fn validate_password(&self, password: &str) -> bool {
        bcrypt::verify(password, &self.password).unwrap_or(false)
    }
}

/// A slug from a title: lowercase letters and digits, words joined by `-`.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_owned()
}

/// Hashes the password on a blocking thread (bcrypt is slow on purpose).
async fn hash_password(user: &mut User) -> sequelize::Result<()> {
    let plain = std::mem::take(&mut user.password);
    user.password = tokio::task::spawn_blocking(move || bcrypt::hash(plain, BCRYPT_COST))
        .await
        .map_err(|e| Error::Config(format!("hashing thread: {e}")))?
        .map_err(|e| Error::Config(format!("bcrypt: {e}")))?;
    Ok(())
}

/// Defines the models on `db`: the guide's hooks (the password hashed before create, and
/// before update only when it changed; a post's slug from its title) and scopes (`active`,
/// `withPosts`, `published`, `recent`). Each association resolves once both of its models
/// are defined (the guide's `associate(models)` step).
pub fn define_models(db: &Sequelize) -> sequelize::Result<()> {
    let with_posts = FindOptions {
        include: vec![User::posts().into()],
        ..Default::default()
    };
    let active = FindOptions {
        filter: Some(User::STATUS.eq("active")),
        ..Default::default()
    };
    let published = FindOptions {
        filter: Some(Post::PUBLISHED.eq(true)),
        ..Default::default()
    };
    let recent = FindOptions {
        order: vec![col("created_at").desc()],
        limit: Some(10),
        ..Default::default()
    };
    db.define::<User>()
        .scope("active", active)
        .scope("withPosts", with_posts)
        .hook(Hook::BeforeCreate, "hashPassword", |user, _| {
            Box::pin(async move { hash_password(user).await })
        })
        .hook(Hook::BeforeUpdate, "rehashPassword", |user, ctx| {
            let changed = ctx.changed("password");
            Box::pin(async move {
                if changed {
                    hash_password(user).await?;
                }
                Ok(())
            })
        })
        .register()?;
    db.define::<Post>()
        .scope("published", published)
        .scope("recent", recent)
        .hook(Hook::BeforeCreate, "slug", |post, _| {
            Box::pin(async move {
                if post.slug.is_empty() {
                    post.slug = slugify(&post.title);
                }
                Ok(())
            })
        })
        .register()?;
    db.define::<Role>().register()?;
    db.define::<Category>().register()?;
    db.define::<Tag>().register()?;
    db.define::<Comment>().register()?;
    Ok(())
}
