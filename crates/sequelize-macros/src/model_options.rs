//! The struct's `#[model(...)]` options (Sequelize's model options).

use syn::spanned::Spanned;
use syn::{Attribute, LitBool, LitStr};

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
    /// `created_at = "inserted_at"`: the attribute holding the creation time.
    pub(crate) created_at: Option<LitStr>,
    /// `updated_at = "changed_at"`: the attribute holding the last update time.
    pub(crate) updated_at: Option<LitStr>,
    /// `paranoid`: destroy sets the deletion time instead of deleting the row.
    pub(crate) paranoid: bool,
    /// `deleted_at = "removed_at"`: the attribute holding a paranoid model's deletion time.
    pub(crate) deleted_at: Option<LitStr>,
    /// `version` or `version = "revision"`: optimistic locking on that integer attribute.
    pub(crate) version: Option<LitStr>,
    /// `no_default`: do not derive `Default`.
    pub(crate) no_default: bool,
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
                    "timestamps" => {
                        let lit: LitBool = meta.value()?.parse()?;
                        options.timestamps = Some(lit.value);
                    }
                    "created_at" => options.created_at = Some(meta.value()?.parse()?),
                    "updated_at" => options.updated_at = Some(meta.value()?.parse()?),
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
