//! The struct's association attributes: `#[belongs_to(User, alias = "author",
//! foreign_key = "author_id")]`, `#[has_one(...)]`, `#[has_many(...)]` and
//! `#[belongs_to_many(Tag, through = "PostTags", ...)]`.
//!
//! Each becomes an `AssociationDecl` of the model (resolved by the library once both models
//! are defined on a Sequelize instance), a typed handle `Post::author()` for `include`, and a
//! method of the `<Model>Includes` trait that reads the included rows off an instance.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Attribute, Ident, LitBool, LitStr, Path};

use crate::field_options::referential_action;

/// One association attribute.
pub(crate) struct Association {
    /// `BelongsTo`, `HasOne`, `HasMany` or `BelongsToMany`.
    kind: Ident,
    /// The target model's type.
    target: Path,
    /// `alias = "…"` (or `as = "…"`): the association's name, required (it names the
    /// handle method).
    alias: LitStr,
    /// The `AssociationOptions` builder calls of the other options.
    options: Vec<TokenStream>,
}

impl Association {
    /// Whether an instance holds many of the target.
    fn is_multiple(&self) -> bool {
        self.kind == "HasMany" || self.kind == "BelongsToMany"
    }

    /// The association's handle method: its name in snake_case.
    fn method(&self) -> Ident {
        let mut name = String::new();
        for (i, c) in self.alias.value().chars().enumerate() {
            if c.is_uppercase() {
                if i > 0 {
                    name.push('_');
                }
                name.extend(c.to_lowercase());
            } else if c.is_alphanumeric() || c == '_' {
                name.push(c);
            } else {
                name.push('_');
            }
        }
        format_ident!("{}", name, span = self.alias.span())
    }
}

/// The association attributes of a struct, in order.
pub(crate) fn parse(attrs: &[Attribute]) -> syn::Result<Vec<Association>> {
    let kinds = [
        ("belongs_to", "BelongsTo"),
        ("has_one", "HasOne"),
        ("has_many", "HasMany"),
        ("belongs_to_many", "BelongsToMany"),
    ];
    let mut found = Vec::new();
    for attr in attrs {
        let Some((_, kind)) = kinds.iter().find(|(name, _)| attr.path().is_ident(name)) else {
            continue;
        };
        found.push(parse_one(attr, kind)?);
    }
    Ok(found)
}

fn parse_one(attr: &Attribute, kind: &str) -> syn::Result<Association> {
    let mut target: Option<Path> = None;
    let mut alias: Option<LitStr> = None;
    let mut options = Vec::new();
    let mut through = false;
    let many = kind == "BelongsToMany";
    attr.parse_nested_meta(|meta| {
        if target.is_none() && (meta.input.is_empty() || meta.input.peek(syn::Token![,])) {
            target = Some(meta.path.clone());
            return Ok(());
        }
        let key = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        let string = |name: &str| -> syn::Result<TokenStream> {
            let value: LitStr = meta.value()?.parse()?;
            let method = format_ident!("{}", name);
            Ok(quote!(.#method(#value)))
        };
        match key.as_str() {
            "alias" | "as" => alias = Some(meta.value()?.parse()?),
            "foreign_key" | "singular" => options.push(string(&key)?),
            "source_key" if kind != "BelongsTo" => options.push(string(&key)?),
            "target_key" if kind == "BelongsTo" || many => options.push(string(&key)?),
            "other_key" if many => options.push(string(&key)?),
            "through" if many => {
                through = true;
                options.push(string(&key)?);
            }
            "on_delete" | "on_update" => {
                let action = referential_action(&meta.value()?.parse()?)?;
                let method = format_ident!("{}", key);
                options.push(quote!(.#method(::sequelize::sql::ReferentialAction::#action)));
            }
            "constraints" => {
                let value: LitBool = meta.value()?.parse()?;
                options.push(quote!(.constraints(#value)));
            }
            "hooks" => options.push(quote!(.hooks(true))),
            _ => {
                return Err(meta.error(format!(
                    "unknown option of {}: use alias, foreign_key, {}on_delete, on_update, \
                     constraints = false, hooks{}",
                    attr.path()
                        .get_ident()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    match kind {
                        "BelongsTo" => "target_key, ",
                        "BelongsToMany" => "through, other_key, source_key, target_key, ",
                        _ => "source_key, ",
                    },
                    if kind == "HasMany" || many {
                        ", singular"
                    } else {
                        ""
                    }
                )))
            }
        }
        Ok(())
    })?;
    let target = target.ok_or_else(|| {
        syn::Error::new_spanned(attr, "name the target model first: #[has_many(Post, …)]")
    })?;
    let alias = alias.ok_or_else(|| {
        syn::Error::new_spanned(
            attr,
            "name the association: alias = \"posts\" (it names the include handle, \
             Model::posts())",
        )
    })?;
    if many && !through {
        return Err(syn::Error::new_spanned(
            attr,
            "belongs_to_many needs through = \"JoinModelOrTable\"",
        ));
    }
    Ok(Association {
        kind: Ident::new(kind, alias.span()),
        target,
        alias,
        options,
    })
}

/// What the associations of model `ident` (visibility `vis`) expand to: the handle methods,
/// the body of `Model::associations`, and the `<Model>Includes` trait.
pub(crate) fn expand(
    ident: &Ident,
    vis: &syn::Visibility,
    associations: &[Association],
) -> (TokenStream, TokenStream, TokenStream) {
    if associations.is_empty() {
        return (quote!(), quote!(), quote!());
    }
    let mut handles = Vec::new();
    let mut declarations = Vec::new();
    let mut reads = Vec::new();
    let mut read_impls = Vec::new();
    for association in associations {
        let method = association.method();
        let Association {
            kind,
            target,
            alias,
            options,
        } = association;
        let cardinality = if association.is_multiple() {
            quote!(::sequelize::model::Many)
        } else {
            quote!(::sequelize::model::One)
        };
        let doc = format!(
            "The `{}` association ({kind}), for `include`.",
            alias.value()
        );
        handles.push(quote! {
            #[doc = #doc]
            pub fn #method() -> ::sequelize::model::Assoc<#ident, #target, #cardinality> {
                ::sequelize::model::Assoc::named(#alias)
            }
        });
        declarations.push(quote! {
            ::sequelize::model::AssociationDecl::new(
                ::sequelize::model::AssociationKind::#kind,
                ::core::clone::Clone::clone(&<#target as ::sequelize::Model>::definition().name),
                ::sequelize::model::AssociationOptions::default().alias(#alias) #(#options)*,
            )
        });
        let output = if association.is_multiple() {
            quote!(&[::sequelize::Instance<#target>])
        } else {
            quote!(::core::option::Option<&::sequelize::Instance<#target>>)
        };
        let read_doc = format!(
            "The instances included as `{}`; an error when the finder did not include them.",
            alias.value()
        );
        reads.push(quote! {
            #[doc = #read_doc]
            fn #method(&self) -> ::sequelize::Result<#output>;
        });
        read_impls.push(quote! {
            fn #method(&self) -> ::sequelize::Result<#output> {
                self.included(#ident::#method())
            }
        });
    }
    let trait_name = format_ident!("{}Includes", ident);
    let trait_doc =
        format!("The included associations of a `{ident}` instance (`post.comments()`), by name.");
    (
        quote! { #(#handles)* },
        quote! {
            fn associations() -> ::std::vec::Vec<::sequelize::model::AssociationDecl> {
                ::std::vec![#(#declarations),*]
            }
        },
        quote! {
            #[doc = #trait_doc]
            #vis trait #trait_name {
                #(#reads)*
            }

            impl #trait_name for ::sequelize::Instance<#ident> {
                #(#read_impls)*
            }
        },
    )
}
