//! The struct's `#[model(...)]` options (Sequelize's model options).

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Attribute, LitBool, LitStr, Token};

/// The options of `#[model(...)]`; several `#[model]` attributes add up.
#[derive(Default)]
pub(crate) struct ModelOptions {
    /// `table = "users"`: the table name (`tableName`).
    pub(crate) table: Option<LitStr>,
    /// `name = "User"`: the model name, when it is not the struct's name.
    pub(crate) name: Option<LitStr>,
    /// `underscored`: snake_case column and table names.
    pub(crate) underscored: bool,
    /// `freeze_table_name`: the model name is the table name, unpluralized.
    pub(crate) freeze_table_name: bool,
    /// `timestamps = false`: no `createdAt`/`updatedAt` maintenance.
    pub(crate) timestamps: Option<bool>,
    /// `created_at = "inserted_at"`: the attribute holding the creation time;
    /// `created_at = false`: none.
    pub(crate) created_at: Option<TimestampName>,
    /// `updated_at = "changed_at"` or `updated_at = false`.
    pub(crate) updated_at: Option<TimestampName>,
    /// `paranoid`: destroy sets the deletion time instead of deleting the row.
    pub(crate) paranoid: bool,
    /// `deleted_at = "removed_at"`: the attribute holding a paranoid model's deletion time.
    pub(crate) deleted_at: Option<LitStr>,
    /// `version` or `version = "revision"`: optimistic locking on that integer attribute.
    pub(crate) version: Option<LitStr>,
    /// `no_default`: do not derive `Default`.
    pub(crate) no_default: bool,
    /// `comment = "..."`: the table's comment.
    pub(crate) comment: Option<LitStr>,
    /// `engine = "InnoDB"`: MySQL's storage engine.
    pub(crate) engine: Option<LitStr>,
    /// `charset = "utf8mb4"`: MySQL's default character set.
    pub(crate) charset: Option<LitStr>,
    /// `collate = "utf8mb4_bin"`: MySQL's default collation.
    pub(crate) collate: Option<LitStr>,
    /// `omit_null`: leave `NULL` values out of `INSERT` and `UPDATE`.
    pub(crate) omit_null: bool,
    /// `schema = "analytics"`: the schema the table is in.
    pub(crate) schema: Option<LitStr>,
    /// `index(fields("a", "b"), unique, name = "…", using = "gin")`: each an
    /// `Index` expression.
    pub(crate) indexes: Vec<TokenStream>,
}

/// A timestamp's name, or `false` for none.
pub(crate) enum TimestampName {
    /// `= "name"`.
    Named(LitStr),
    /// `= false`.
    Disabled,
}

/// `= "name"` or `= false` after a timestamp option.
fn timestamp_name(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<TimestampName> {
    let value = meta.value()?;
    if value.peek(LitBool) {
        let lit: LitBool = value.parse()?;
        if lit.value {
            return Err(syn::Error::new_spanned(
                lit,
                "use a name, or false for none",
            ));
        }
        Ok(TimestampName::Disabled)
    } else {
        Ok(TimestampName::Named(value.parse()?))
    }
}

/// The `Index` of one `index(...)` option.
fn index(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<TokenStream> {
    let mut fields: Option<Vec<LitStr>> = None;
    let mut options = Vec::new();
    meta.parse_nested_meta(|inner| {
        let key = inner
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        match key.as_str() {
            "fields" => {
                let content;
                syn::parenthesized!(content in inner.input);
                let list = content
                    .parse_terminated(|p: ParseStream<'_>| p.parse::<LitStr>(), Token![,])?;
                fields = Some(list.into_iter().collect());
            }
            "unique" => options.push(quote!(.unique())),
            "concurrently" => options.push(quote!(.concurrently())),
            "name" => {
                let name: LitStr = inner.value()?.parse()?;
                options.push(quote!(.name(#name)));
            }
            "using" => {
                let method: LitStr = inner.value()?.parse()?;
                let variant = match method.value().to_ascii_uppercase().as_str() {
                    "BTREE" => "BTree",
                    "HASH" => "Hash",
                    "GIST" => "Gist",
                    "SPGIST" => "SpGist",
                    "GIN" => "Gin",
                    "BRIN" => "Brin",
                    _ => {
                        return Err(syn::Error::new_spanned(
                            &method,
                            "unknown index method; use BTREE, HASH, GIST, SPGIST, GIN or BRIN",
                        ))
                    }
                };
                let variant = syn::Ident::new(variant, method.span());
                options.push(quote!(.using(::sequelize::sql::IndexMethod::#variant)));
            }
            "kind" => {
                let kind: LitStr = inner.value()?.parse()?;
                let variant = match kind.value().to_ascii_uppercase().as_str() {
                    "FULLTEXT" => "FullText",
                    "SPATIAL" => "Spatial",
                    _ => return Err(syn::Error::new_spanned(&kind, "use FULLTEXT or SPATIAL")),
                };
                let variant = syn::Ident::new(variant, kind.span());
                options.push(quote!(.kind(::sequelize::sql::IndexKind::#variant)));
            }
            _ => {
                return Err(inner.error(format!(
                    "unknown index option `{key}`; use fields(...), unique, name, using, kind, \
                     concurrently (the other options through db.define::<M>().index(...))"
                )))
            }
        }
        Ok(())
    })?;
    let fields = fields.ok_or_else(|| meta.error("an index needs fields(\"…\")"))?;
    Ok(quote!(::sequelize::model::Index::on([#(#fields),*]) #(#options)*))
}

impl ModelOptions {
    /// Reads every `#[model(...)]` among the struct's attributes; an unknown option is an
    /// error on its name.
    pub(crate) fn parse(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut options = ModelOptions::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("model")) {
            attr.parse_nested_meta(|meta| {
                let key = meta
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                match key.as_str() {
                    "table" => options.table = Some(meta.value()?.parse()?),
                    "name" => options.name = Some(meta.value()?.parse()?),
                    "underscored" => options.underscored = true,
                    "freeze_table_name" => options.freeze_table_name = true,
                    "no_default" => options.no_default = true,
                    "omit_null" => options.omit_null = true,
                    "comment" => options.comment = Some(meta.value()?.parse()?),
                    "engine" => options.engine = Some(meta.value()?.parse()?),
                    "charset" => options.charset = Some(meta.value()?.parse()?),
                    "collate" => options.collate = Some(meta.value()?.parse()?),
                    "schema" => options.schema = Some(meta.value()?.parse()?),
                    "index" => options.indexes.push(index(&meta)?),
                    "timestamps" => {
                        let lit: LitBool = meta.value()?.parse()?;
                        options.timestamps = Some(lit.value);
                    }
                    "created_at" => options.created_at = Some(timestamp_name(&meta)?),
                    "updated_at" => options.updated_at = Some(timestamp_name(&meta)?),
                    "paranoid" => options.paranoid = true,
                    "deleted_at" => options.deleted_at = Some(meta.value()?.parse()?),
                    "version" => {
                        options.version = Some(if meta.input.peek(syn::Token![=]) {
                            meta.value()?.parse()?
                        } else {
                            LitStr::new("version", meta.path.span())
                        });
                    }
                    _ => return Err(meta.error(format!("unknown model option `{key}`"))),
                }
                Ok(())
            })?;
        }
        Ok(options)
    }
}
