//! `#[derive(Model)]` for the `sequelize` crate.
//!
//! The macro reads the struct and its `#[model(...)]` / `#[attr(...)]` attributes and emits:
//! typed column constants (`User::EMAIL`), an implementation of `sequelize::Model` whose
//! definition is built once through `ModelDefinition::builder` (so naming rules live in the
//! library, shared with run-time definitions), and a `Default` that applies the attributes'
//! default values (so `User { email, ..Default::default() }` is Sequelize's
//! `User.create({ email })`).
//!
//! The crate is split by concern, one module per step:
//!
//! - `model_options` parses the struct's `#[model(...)]` options;
//! - `field_options` parses each field's `#[attr(...)]` options and rejects combinations
//!   that cannot work (`values(...)` with `data_type`, `default = uuid_v4` on a non-UUID
//!   field);
//! - `columns` rejects two fields stored in the same column;
//! - `expand` turns the parsed model into code;
//! - `types` inspects field types (`Option<T>`, what cannot hold a UUID);
//! - `sql_enum` derives `SqlEnum`, a fieldless enum as an `ENUM` attribute type.
//!
//! - `associations` parses `#[belongs_to(...)]`, `#[has_one(...)]`, `#[has_many(...)]` and
//!   `#[belongs_to_many(...)]` into association declarations, include handles and the
//!   `<Model>Includes` trait.

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

mod associations;
mod columns;
mod expand;
mod field_options;
mod model_options;
mod sql_enum;
mod types;

/// Derives `sequelize::Model` for a struct with named fields.
///
/// Struct options, `#[model(...)]`: `table = "users"`, `name = "User"`, `underscored`,
/// `freeze_table_name`, `timestamps = false`, `created_at = "inserted_at"`,
/// `updated_at = "changed_at"`, `paranoid` (soft deletes), `deleted_at = "removed_at"`,
/// `version` (optimistic locking), `omit_null`, `schema = "…"`, `comment = "…"`, MySQL's `engine`,
/// `charset` and `collate`, `index(fields("a", "b"), unique, name = "…", using = "gin",
/// kind = "fulltext", concurrently)` (any number; the other index options through
/// `db.define::<M>().index(...)`), `no_default` (do not derive `Default`).
///
/// Field options, `#[attr(...)]`: `primary_key`, `auto_increment`, `unique`,
/// `unique = "name"` (a composite unique key of the fields sharing the name),
/// `field = "column_name"`, `data_type = DataType::Text`, `values("a", "b")` (an ENUM),
/// `default = <expr>` (a constant), `default = uuid_v4`, `default = uuid_v1`,
/// `default = now`, `default = literal("CURRENT_DATE")`, `comment = "…"`,
/// `references(table = "Users", key = "id")` with `on_delete = "CASCADE"` and
/// `on_update = "…"` (a foreign key), `set = path::to::fn` (a setter of the value, before
/// validation), `get = path::to::fn` (a transform of the value as it is read), `virtual(get = path::to::fn)` (a field computed from the model, not
/// stored),
/// `validate(Validator::is_email(), Validator::len(8, 100))` (validators, as expressions).
///
/// Associations, on the struct: `#[belongs_to(User, alias = "author", foreign_key =
/// "author_id")]`, `#[has_one(Profile, alias = "profile")]`, `#[has_many(Comment, alias =
/// "comments", foreign_key = "post_id", on_delete = "CASCADE")]`, `#[belongs_to_many(Tag,
/// alias = "tags", through = "PostTags", foreign_key = "post_id", other_key = "tag_id")]`,
/// with `source_key`, `target_key`, `on_update`, `constraints = false`, `hooks` and
/// `singular`. Each gives the model an include handle named by the alias (`Post::author()`)
/// and a method of the `<Model>Includes` trait, implemented for `Instance<Model>`, that
/// reads the included rows (`post.author()?`).
///
/// A model that cannot work is rejected at compile time, with the error on the offending
/// attribute: an unknown option, `values(...)` together with `data_type`,
/// `default = uuid_v4` on a field that is not a `Uuid`, or two fields stored in the same
/// column.
#[proc_macro_derive(
    Model,
    attributes(model, attr, belongs_to, has_one, has_many, belongs_to_many)
)]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::expand(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives an `ENUM` attribute type for a fieldless enum: `SqlType` (the `ENUM` of its
/// values), `FromValue`, `From<Enum> for Value` and `as_str()`.
///
/// The stored values are the variants' names, or as `#[sql_enum(rename_all = "snake_case")]`
/// on the enum (serde's cases: `lowercase`, `UPPERCASE`, `snake_case`,
/// `SCREAMING_SNAKE_CASE`, `kebab-case`, `camelCase`, `PascalCase`) and
/// `#[sql_enum(rename = "...")]` on a variant say. Text that is no variant's value is a decode
/// error naming the enum and its values.
#[proc_macro_derive(SqlEnum, attributes(sql_enum))]
pub fn derive_sql_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    sql_enum::expand(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
