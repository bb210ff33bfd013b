//! A field's `#[attr(...)]` options (Sequelize's attribute options).

use syn::parse::{Parse, ParseStream};
use syn::{Expr, Field, LitStr, Token};

use crate::types::cannot_hold_uuid;

/// An attribute's `defaultValue`.
pub(crate) enum DefaultKind {
    /// `default = <expr>`: a constant, converted into the field's type.
    Expr(Expr),
    /// `default = uuid_v4`: a new random UUID per row.
    UuidV4,
    /// `default = now`: the current time.
    Now,
}

/// The options of a field's `#[attr(...)]`; several `#[attr]` attributes add up.
#[derive(Default)]
pub(crate) struct FieldOptions {
    /// `primary_key`: (part of) the primary key.
    pub(crate) primary_key: bool,
    /// `auto_increment`: a database-generated integer.
    pub(crate) auto_increment: bool,
    /// `unique`: a unique column.
    pub(crate) unique: bool,
    /// `field = "column_name"`: the column, when it is not derived from the field's name.
    pub(crate) field: Option<LitStr>,
    /// `data_type = DataType::Text`: the SQL type, when it is not the field type's own.
    pub(crate) data_type: Option<Expr>,
    /// `values("a", "b")`: an ENUM of these values.
    pub(crate) values: Option<Vec<LitStr>>,
    /// `default = ...`: the default value.
    pub(crate) default: Option<DefaultKind>,
    /// `validate(Validator::is_email(), Validator::len(8, 100))`: validators, as
    /// expressions.
    pub(crate) validators: Vec<Expr>,
}

impl FieldOptions {
    /// Reads every `#[attr(...)]` of a field. An unknown option, `values(...)` together with
    /// `data_type`, and `default = uuid_v4` on a field that cannot hold a UUID are errors on
    /// the option.
    pub(crate) fn parse(field: &Field) -> syn::Result<Self> {
        let mut options = FieldOptions::default();
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("attr")) {
            attr.parse_nested_meta(|meta| {
                let key = meta
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                match key.as_str() {
                    "primary_key" => options.primary_key = true,
                    "auto_increment" => options.auto_increment = true,
                    "unique" => options.unique = true,
                    "field" => options.field = Some(meta.value()?.parse()?),
                    "data_type" => {
                        if options.values.is_some() {
                            return Err(meta.error(VALUES_WITH_DATA_TYPE));
                        }
                        options.data_type = Some(meta.value()?.parse()?);
                    }
                    "values" => {
                        if options.data_type.is_some() {
                            return Err(meta.error(VALUES_WITH_DATA_TYPE));
                        }
                        let content;
                        syn::parenthesized!(content in meta.input);
                        let list = content.parse_terminated(
                            |p: ParseStream<'_>| p.parse::<LitStr>(),
                            Token![,],
                        )?;
                        options.values = Some(list.into_iter().collect());
                    }
                    "validate" => {
                        let content;
                        syn::parenthesized!(content in meta.input);
                        let list = content.parse_terminated(Expr::parse, Token![,])?;
                        options.validators.extend(list);
                    }
                    "default" => {
                        let expr: Expr = meta.value()?.parse()?;
                        options.default = Some(match &expr {
                            Expr::Path(p) if p.path.is_ident("uuid_v4") => {
                                if cannot_hold_uuid(&field.ty) {
                                    // Spans `default = uuid_v4`: what was parsed so far.
                                    return Err(meta.error(
                                        "`default = uuid_v4` needs a field of type `Uuid` \
                                         or `Option<Uuid>`",
                                    ));
                                }
                                DefaultKind::UuidV4
                            }
                            Expr::Path(p) if p.path.is_ident("now") => DefaultKind::Now,
                            _ => DefaultKind::Expr(expr),
                        });
                    }
                    _ => return Err(meta.error(format!("unknown attribute option `{key}`"))),
                }
                Ok(())
            })?;
        }
        Ok(options)
    }
}

/// The error for `values(...)` with `data_type`, on whichever of the two comes second.
const VALUES_WITH_DATA_TYPE: &str =
    "`values(...)` and `data_type` cannot be combined: `values(...)` makes the column an \
     ENUM; remove one of them";
