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
    /// `default = uuid_v1`: a new time-based UUID per row.
    UuidV1,
    /// `default = literal("CURRENT_DATE")`: SQL the database evaluates.
    Literal(LitStr),
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
    /// `unique = "name"`: unique together with the other fields of that name.
    pub(crate) unique_key: Option<LitStr>,
    /// `comment = "..."`: the column's comment.
    pub(crate) comment: Option<LitStr>,
    /// `references(table = "Users", key = "id")`: a foreign key (`key` defaults to `id`).
    pub(crate) references: Option<(LitStr, Option<LitStr>)>,
    /// `on_delete = "CASCADE"`, checked against the referential actions.
    pub(crate) on_delete: Option<syn::Ident>,
    /// `on_update = "CASCADE"`.
    pub(crate) on_update: Option<syn::Ident>,
    /// `virtual(get = User::full_name_of)`: a field computed from the others (a function of
    /// `&Self`), not stored (Sequelize's `DataTypes.VIRTUAL` with a `get()`).
    pub(crate) virtual_getter: Option<Expr>,
    /// `set = normalize_email`: a function of the value, applied before it is validated and
    /// written (Sequelize's `set(value)`).
    pub(crate) setter: Option<Expr>,
    /// `get = mask`: a function of the value read from the database, applied as it is read
    /// (Sequelize's `get()` on a stored attribute).
    pub(crate) getter: Option<Expr>,
}

/// The `ReferentialAction` variant of a Sequelize spelling (`"CASCADE"`, `"SET NULL"`), or
/// an error on the literal.
pub(crate) fn referential_action(lit: &LitStr) -> syn::Result<syn::Ident> {
    let variant = match lit.value().to_ascii_uppercase().as_str() {
        "CASCADE" => "Cascade",
        "RESTRICT" => "Restrict",
        "SET NULL" => "SetNull",
        "SET DEFAULT" => "SetDefault",
        "NO ACTION" => "NoAction",
        _ => {
            return Err(syn::Error::new_spanned(
                lit,
                "unknown referential action; use CASCADE, RESTRICT, SET NULL, SET DEFAULT or \
                 NO ACTION",
            ))
        }
    };
    Ok(syn::Ident::new(variant, lit.span()))
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
                    "unique" if meta.input.peek(Token![=]) => {
                        options.unique_key = Some(meta.value()?.parse()?);
                    }
                    "unique" => options.unique = true,
                    "comment" => options.comment = Some(meta.value()?.parse()?),
                    "set" => options.setter = Some(meta.value()?.parse()?),
                    "get" => options.getter = Some(meta.value()?.parse()?),
                    "virtual" => {
                        meta.parse_nested_meta(|inner| {
                            if inner.path.is_ident("get") {
                                options.virtual_getter = Some(inner.value()?.parse()?);
                                Ok(())
                            } else {
                                Err(inner.error("use virtual(get = path::to::function)"))
                            }
                        })?;
                        if options.virtual_getter.is_none() {
                            return Err(meta.error(
                                "a virtual field needs its getter: virtual(get = …)",
                            ));
                        }
                    }
                    "on_delete" => {
                        options.on_delete = Some(referential_action(&meta.value()?.parse()?)?);
                    }
                    "on_update" => {
                        options.on_update = Some(referential_action(&meta.value()?.parse()?)?);
                    }
                    "references" => {
                        let (mut table, mut key) = (None, None);
                        meta.parse_nested_meta(|inner| {
                            if inner.path.is_ident("table") || inner.path.is_ident("model") {
                                table = Some(inner.value()?.parse::<LitStr>()?);
                            } else if inner.path.is_ident("key") {
                                key = Some(inner.value()?.parse::<LitStr>()?);
                            } else {
                                return Err(inner.error("use references(table = \"…\", key = \"…\")"));
                            }
                            Ok(())
                        })?;
                        let table = table.ok_or_else(|| {
                            meta.error("references needs the table: references(table = \"Users\")")
                        })?;
                        options.references = Some((table, key));
                    }
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
                            Expr::Path(p) if p.path.is_ident("uuid_v1") => {
                                if cannot_hold_uuid(&field.ty) {
                                    return Err(meta.error(
                                        "`default = uuid_v1` needs a field of type `Uuid` \
                                         or `Option<Uuid>`",
                                    ));
                                }
                                DefaultKind::UuidV1
                            }
                            Expr::Call(call)
                                if matches!(&*call.func, Expr::Path(p) if p.path.is_ident("literal")) =>
                            {
                                match call.args.first() {
                                    Some(Expr::Lit(syn::ExprLit {
                                        lit: syn::Lit::Str(sql),
                                        ..
                                    })) if call.args.len() == 1 => DefaultKind::Literal(sql.clone()),
                                    _ => {
                                        return Err(meta.error(
                                            "`default = literal(\"…\")` takes one string literal",
                                        ))
                                    }
                                }
                            }
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
