//! Two fields stored in the same column, caught at compile time where the macro can see it.
//!
//! Column names are derived by the library's `ModelDefinition` builder (camelCase, or
//! snake_case when `underscored`), which also rejects every duplicate when the definition is
//! built. The macro does not repeat those rules: it compares only explicit
//! `field = "..."` names and the field names that the model's naming rule leaves as they are.

use syn::{Field, LitStr};

use crate::field_options::FieldOptions;

/// A column a field is known to be stored in.
struct KnownColumn<'a> {
    /// The column name.
    name: String,
    /// The Rust field's name.
    field: String,
    /// The `field = "..."` literal, when the column was named explicitly.
    explicit: Option<&'a LitStr>,
}

/// Rejects two fields stored in the same column, with the error on a `field = "..."` that
/// causes the clash.
pub(crate) fn reject_duplicates(
    fields: &[(&Field, FieldOptions)],
    underscored: bool,
) -> syn::Result<()> {
    let mut known: Vec<KnownColumn<'_>> = Vec::new();
    for (field, options) in fields {
        let name = field
            .ident
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let column = match &options.field {
            Some(lit) => KnownColumn {
                name: lit.value(),
                field: name,
                explicit: Some(lit),
            },
            None if is_column_name_as_written(&name, underscored) => KnownColumn {
                name: name.clone(),
                field: name,
                explicit: None,
            },
            None => continue,
        };
        let earlier = known.iter().find(|k| k.name == column.name);
        // Two fields named alike without `field = "..."` are rustc's error (E0124), not ours.
        if let Some((earlier, lit)) =
            earlier.and_then(|e| Some((e, column.explicit.or(e.explicit)?)))
        {
            return Err(syn::Error::new(
                lit.span(),
                format!(
                    "fields `{}` and `{}` both map to column `{}`; give one of them another \
                     `field = \"...\"`",
                    earlier.field, column.field, column.name
                ),
            ));
        }
        known.push(column);
    }
    Ok(())
}

/// Whether the library stores a field without `field = "..."` in a column of its name as
/// written: an all-lowercase name is its own snake_case, and a name without `_` is its own
/// camelCase.
fn is_column_name_as_written(name: &str, underscored: bool) -> bool {
    !name.chars().any(char::is_uppercase) && (underscored || !name.contains('_'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn check(fields: &[Field], underscored: bool) -> syn::Result<()> {
        let parsed: Vec<_> = fields
            .iter()
            .map(|f| (f, FieldOptions::parse(f).unwrap()))
            .collect();
        reject_duplicates(&parsed, underscored)
    }

    #[test]
    fn explicit_columns_clash() {
        let fields: [Field; 2] = [
            parse_quote!(#[attr(field = "c")] a: i32),
            parse_quote!(#[attr(field = "c")] b: i32),
        ];
        let err = check(&fields, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "fields `a` and `b` both map to column `c`; give one of them another `field = \"...\"`"
        );
    }

    #[test]
    fn explicit_column_clashes_with_a_later_field_name() {
        let fields: [Field; 2] = [
            parse_quote!(#[attr(field = "email")] contact: String),
            parse_quote!(email: String),
        ];
        assert!(check(&fields, false).is_err());
    }

    #[test]
    fn names_the_naming_rule_changes_are_left_to_the_library() {
        // `first_name` is the column `firstName` unless the model is underscored.
        let fields: [Field; 2] = [
            parse_quote!(first_name: String),
            parse_quote!(#[attr(field = "first_name")] given_name: String),
        ];
        assert!(check(&fields, false).is_ok());
        assert!(check(&fields, true).is_err());
    }
}
