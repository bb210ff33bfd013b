//! The models: `sequelize model:generate` adds a module per model below.
pub mod category;
pub mod comment;
pub mod post;
pub mod post_tag;
pub mod role;
pub mod tag;
pub mod user;
pub mod user_role;
