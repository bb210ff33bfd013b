//! What the macro can tell from a field's type as written (it sees no type information).

use syn::{GenericArgument, PathArguments, Type};

/// `Option<T>` → `Some(T)`.
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// Types that are certainly not a UUID, by their last path segment: the primitives and the
/// other types the library maps to SQL. Any other name may be an alias of `Uuid`, so it is
/// left to the type checker.
const NOT_UUID: &[&str] = &[
    "bool",
    "char",
    "str",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "f32",
    "f64",
    "String",
    "Vec",
    "Decimal",
    "DateTime",
    "NaiveDateTime",
    "NaiveDate",
    "NaiveTime",
    "Value",
];

/// Whether a field of this type (or `Option` of it) certainly cannot hold a UUID.
pub(crate) fn cannot_hold_uuid(ty: &Type) -> bool {
    match option_inner(ty).unwrap_or(ty) {
        Type::Path(path) => {
            path.qself.is_none()
                && path
                    .path
                    .segments
                    .last()
                    .is_some_and(|last| NOT_UUID.iter().any(|name| last.ident == name))
        }
        Type::Paren(inner) => cannot_hold_uuid(&inner.elem),
        Type::Group(inner) => cannot_hold_uuid(&inner.elem),
        Type::Array(_)
        | Type::BareFn(_)
        | Type::Never(_)
        | Type::Ptr(_)
        | Type::Reference(_)
        | Type::Slice(_)
        | Type::Tuple(_) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn option_inner_unwraps_only_option() {
        let ty: Type = parse_quote!(Option<i32>);
        assert_eq!(option_inner(&ty), Some(&parse_quote!(i32)));
        assert_eq!(option_inner(&parse_quote!(Vec<i32>)), None);
    }

    #[test]
    fn uuid_detection_is_conservative() {
        for ty in [
            parse_quote!(i32),
            parse_quote!(Option<String>),
            parse_quote!(chrono::DateTime<Utc>),
            parse_quote!(&'static str),
            parse_quote!((i32, i32)),
        ] {
            assert!(cannot_hold_uuid(&ty), "{}", quote::quote!(#ty));
        }
        for ty in [
            parse_quote!(Uuid),
            parse_quote!(Option<uuid::Uuid>),
            parse_quote!(UserId),
        ] {
            assert!(!cannot_hold_uuid(&ty), "{}", quote::quote!(#ty));
        }
    }
}
