//! `#[derive(SqlEnum)]`: a fieldless Rust enum as an `ENUM` attribute type.
//!
//! Emits `SqlType` (the `ENUM` of the variants' names), `FromValue` (a stored name back to
//! its variant; any other text is a decode error), `From<Enum> for Value` and `as_str`.
//! Names are the variants' own unless `#[sql_enum(rename_all = "...")]` on the enum or
//! `#[sql_enum(rename = "...")]` on a variant says otherwise, as serde spells them.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr};

/// The case conversions of `rename_all`, named as serde names them.
const CASES: &[&str] = &[
    "lowercase",
    "UPPERCASE",
    "snake_case",
    "SCREAMING_SNAKE_CASE",
    "kebab-case",
    "camelCase",
    "PascalCase",
];

pub(crate) fn expand(input: DeriveInput) -> syn::Result<TokenStream> {
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "SqlEnum is derived for enums whose variants have no fields",
        ));
    };
    let mut rename_all: Option<LitStr> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("sql_enum")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                let case: LitStr = meta.value()?.parse()?;
                if !CASES.contains(&case.value().as_str()) {
                    return Err(syn::Error::new_spanned(
                        &case,
                        format!("unknown case; use one of {}", CASES.join(", ")),
                    ));
                }
                rename_all = Some(case);
                Ok(())
            } else {
                Err(meta.error("unknown sql_enum option; use rename_all = \"...\""))
            }
        })?;
    }
    if data.variants.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "an ENUM needs at least one variant",
        ));
    }
    let mut variants = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            return Err(syn::Error::new_spanned(
                variant,
                "SqlEnum variants have no fields: each is one value of the ENUM",
            ));
        }
        let mut name = match &rename_all {
            Some(case) => convert(&variant.ident.to_string(), &case.value()),
            None => variant.ident.to_string(),
        };
        for attr in variant
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("sql_enum"))
        {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    name = meta.value()?.parse::<LitStr>()?.value();
                    Ok(())
                } else {
                    Err(meta.error("unknown sql_enum option; use rename = \"...\""))
                }
            })?;
        }
        if names.contains(&name) {
            return Err(syn::Error::new_spanned(
                variant,
                format!("two variants are stored as {name:?}"),
            ));
        }
        names.push(name);
        variants.push(&variant.ident);
    }
    let ident = &input.ident;
    let type_name = ident.to_string();
    let listed = names.join(", ");
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics #ident #ty_generics #where_clause {
            /// The value stored for this variant.
            pub fn as_str(&self) -> &'static str {
                match self { #(Self::#variants => #names,)* }
            }
        }

        impl #impl_generics ::sequelize::__private::SqlType for #ident #ty_generics #where_clause {
            fn data_type() -> ::sequelize::DataType {
                ::sequelize::DataType::Enum(vec![#(#names.to_string()),*])
            }
        }

        impl #impl_generics ::sequelize::FromValue for #ident #ty_generics #where_clause {
            fn from_value(value: ::sequelize::Value) -> ::sequelize::Result<Self> {
                let text = <::std::string::String as ::sequelize::FromValue>::from_value(value)?;
                match text.as_str() {
                    #(#names => Ok(Self::#variants),)*
                    _ => Err(::sequelize::Error::Decode(format!(
                        "the text is not one of the values of {} ({})", #type_name, #listed
                    ))),
                }
            }
        }

        impl #impl_generics ::std::convert::From<#ident #ty_generics> for ::sequelize::Value #where_clause {
            fn from(value: #ident #ty_generics) -> Self {
                ::sequelize::Value::Text(value.as_str().to_owned())
            }
        }
    })
}

/// A variant's name (`InReview`) in a case of `rename_all`.
fn convert(name: &str, case: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for c in name.chars() {
        if c.is_uppercase() || words.is_empty() {
            words.push(String::new());
        }
        words.last_mut().expect("a word was pushed").push(c);
    }
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let capitalized = |w: &String| {
        let mut chars = w.chars();
        chars.next().map_or_else(String::new, |first| {
            first.to_uppercase().chain(chars).collect()
        })
    };
    match case {
        "lowercase" => lower.concat(),
        "UPPERCASE" => lower.concat().to_uppercase(),
        "snake_case" => lower.join("_"),
        "SCREAMING_SNAKE_CASE" => lower.join("_").to_uppercase(),
        "kebab-case" => lower.join("-"),
        "camelCase" => {
            let mut out = lower[0].clone();
            out.extend(lower[1..].iter().map(capitalized));
            out
        }
        _ => lower.iter().map(capitalized).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::convert;

    #[test]
    fn cases_are_serdes() {
        assert_eq!(convert("InReview", "snake_case"), "in_review");
        assert_eq!(convert("InReview", "SCREAMING_SNAKE_CASE"), "IN_REVIEW");
        assert_eq!(convert("InReview", "kebab-case"), "in-review");
        assert_eq!(convert("InReview", "camelCase"), "inReview");
        assert_eq!(convert("InReview", "lowercase"), "inreview");
        assert_eq!(convert("InReview", "UPPERCASE"), "INREVIEW");
        assert_eq!(convert("InReview", "PascalCase"), "InReview");
    }
}
