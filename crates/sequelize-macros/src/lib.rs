//! `#[derive(Model)]` for the `sequelize` crate.
//!
//! The macro reads the struct and its `#[model(...)]` / `#[attr(...)]` attributes and emits:
//! typed column constants (`User::EMAIL`), an implementation of `sequelize::Model` whose
//! definition is built once through `ModelDefinition::builder` (so naming rules live in the
//! library, shared with run-time definitions), and a `Default` that applies the attributes'
//! default values (so `User { email, ..Default::default() }` is Sequelize's
//! `User.create({ email })`).

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::parse::ParseStream;
use syn::{
    parse_macro_input, Data, DeriveInput, Expr, Fields, GenericArgument, Ident, LitStr,
    PathArguments, Type,
};

/// Derives `sequelize::Model` for a struct with named fields.
///
/// Struct options, `#[model(...)]`: `table = "users"`, `name = "User"`, `underscored`,
/// `freeze_table_name`, `timestamps = false`, `created_at = "inserted_at"`,
/// `updated_at = "changed_at"`, `no_default` (do not derive `Default`).
///
/// Field options, `#[attr(...)]`: `primary_key`, `auto_increment`, `unique`,
/// `field = "column_name"`, `data_type = DataType::Text`, `values("a", "b")` (an ENUM),
/// `default = <expr>` (a constant), `default = uuid_v4`, `default = now`.
#[proc_macro_derive(Model, attributes(model, attr))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

#[derive(Default)]
struct ModelOptions {
    table: Option<LitStr>,
    name: Option<LitStr>,
    underscored: bool,
    freeze_table_name: bool,
    timestamps: Option<bool>,
    created_at: Option<LitStr>,
    updated_at: Option<LitStr>,
    no_default: bool,
}

enum DefaultKind {
    Expr(Expr),
    UuidV4,
    Now,
}

#[derive(Default)]
struct FieldOptions {
    primary_key: bool,
    auto_increment: bool,
    unique: bool,
    field: Option<LitStr>,
    data_type: Option<Expr>,
    values: Option<Vec<LitStr>>,
    default: Option<DefaultKind>,
}

fn parse_model_options(input: &DeriveInput) -> syn::Result<ModelOptions> {
    let mut options = ModelOptions::default();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("model")) {
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
                    let lit: syn::LitBool = meta.value()?.parse()?;
                    options.timestamps = Some(lit.value);
                }
                "created_at" => options.created_at = Some(meta.value()?.parse()?),
                "updated_at" => options.updated_at = Some(meta.value()?.parse()?),
                _ => return Err(meta.error(format!("unknown model option `{key}`"))),
            }
            Ok(())
        })?;
    }
    Ok(options)
}

fn parse_field_options(field: &syn::Field) -> syn::Result<FieldOptions> {
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
                "data_type" => options.data_type = Some(meta.value()?.parse()?),
                "values" => {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let list = content.parse_terminated(
                        |p: ParseStream<'_>| p.parse::<LitStr>(),
                        syn::Token![,],
                    )?;
                    options.values = Some(list.into_iter().collect());
                }
                "default" => {
                    let expr: Expr = meta.value()?.parse()?;
                    options.default = Some(match &expr {
                        Expr::Path(p) if p.path.is_ident("uuid_v4") => DefaultKind::UuidV4,
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

/// `Option<T>` → `Some(T)`.
fn option_inner(ty: &Type) -> Option<&Type> {
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

fn expand(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            input,
            "Model can only be derived for structs",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(input, "Model needs named fields"));
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "a Model cannot be generic",
        ));
    }
    let ident = &input.ident;
    let options = parse_model_options(input)?;
    let model_name = options
        .name
        .clone()
        .unwrap_or_else(|| LitStr::new(&ident.to_string(), ident.span()));

    let parsed: Vec<(&syn::Field, FieldOptions)> = fields
        .named
        .iter()
        .map(|f| parse_field_options(f).map(|o| (f, o)))
        .collect::<syn::Result<_>>()?;

    let mut constants = Vec::new();
    let mut attributes = Vec::new();
    let mut from_values = Vec::new();
    let mut to_values = Vec::new();
    let mut get_arms = Vec::new();
    let mut set_arms = Vec::new();
    let mut defaults = Vec::new();
    let count = parsed.len();

    for (index, (field, opts)) in parsed.iter().enumerate() {
        let name = field.ident.as_ref().expect("named field");
        let name_str = name.to_string();
        let ty = &field.ty;
        let inner = option_inner(ty);
        let column_ty = inner.unwrap_or(ty);
        let constant = Ident::new(&name_str.to_uppercase(), name.span());
        constants.push(quote! {
            #[doc = concat!("The `", #name_str, "` attribute.")]
            pub const #constant: ::sequelize::Column<#ident, #column_ty> = ::sequelize::Column::new(#index);
        });

        let data_type = match (&opts.data_type, &opts.values) {
            (Some(expr), _) => quote!(#expr),
            (None, Some(values)) => {
                quote!(::sequelize::DataType::Enum(vec![#(#values.to_string()),*]))
            }
            (None, None) => quote!(<#ty as ::sequelize::__private::SqlType>::data_type()),
        };
        let mut attribute = quote! {
            ::sequelize::__private::Attribute::new(#name_str, #data_type)
                .allow_null(<#ty as ::sequelize::__private::SqlType>::NULLABLE)
        };
        if let Some(f) = &opts.field {
            attribute = quote!(#attribute.field(#f));
        }
        if opts.primary_key {
            attribute = quote!(#attribute.primary_key());
        }
        // The implicit `id` key and auto-increment for a lone integer key are the definition
        // builder's rules, shared with run-time definitions.
        if opts.auto_increment {
            attribute = quote!(#attribute.auto_increment());
        }
        if opts.unique {
            attribute = quote!(#attribute.unique());
        }
        let wrap = |value: TokenStream2| {
            if inner.is_some() {
                quote!(::core::option::Option::Some(#value))
            } else {
                value
            }
        };
        let default_value = match &opts.default {
            Some(DefaultKind::UuidV4) => {
                attribute =
                    quote!(#attribute.default_value(::sequelize::__private::DefaultValue::UuidV4));
                wrap(quote!(::sequelize::__private::Uuid::new_v4()))
            }
            Some(DefaultKind::Now) => {
                attribute =
                    quote!(#attribute.default_value(::sequelize::__private::DefaultValue::Now));
                wrap(quote!(::sequelize::__private::Utc::now()))
            }
            Some(DefaultKind::Expr(expr)) => {
                attribute = quote!(#attribute.default_value(
                    ::sequelize::__private::DefaultValue::Value(::sequelize::Value::from(#expr))
                ));
                wrap(quote!(::core::convert::Into::into(#expr)))
            }
            None => quote!(::core::default::Default::default()),
        };
        attributes.push(quote!(.attribute(#attribute)));
        defaults.push(quote!(#name: #default_value));
        from_values.push(quote! {
            #name: ::sequelize::__private::FromValue::from_value(::core::mem::take(&mut values[#index]))
                .map_err(|e| ::sequelize::__private::decode_error(#model_name, #name_str, e))?
        });
        to_values.push(quote!(::sequelize::Value::from(::core::clone::Clone::clone(&self.#name))));
        get_arms.push(
            quote!(#index => ::sequelize::Value::from(::core::clone::Clone::clone(&self.#name))),
        );
        set_arms.push(quote! {
            #index => {
                self.#name = ::sequelize::__private::FromValue::from_value(value)
                    .map_err(|e| ::sequelize::__private::decode_error(#model_name, #name_str, e))?;
            }
        });
    }

    let mut builder = quote!(::sequelize::__private::ModelDefinition::builder(#model_name));
    if let Some(table) = &options.table {
        builder = quote!(#builder.table_name(#table));
    }
    if options.underscored {
        builder = quote!(#builder.underscored(true));
    }
    if options.freeze_table_name {
        builder = quote!(#builder.freeze_table_name(true));
    }
    if let Some(timestamps) = options.timestamps {
        builder = quote!(#builder.timestamps(#timestamps));
    }
    if let Some(c) = &options.created_at {
        builder = quote!(#builder.created_at(#c));
    }
    if let Some(u) = &options.updated_at {
        builder = quote!(#builder.updated_at(#u));
    }

    let default_impl = (!options.no_default).then(|| {
        quote! {
            impl ::core::default::Default for #ident {
                /// The model's default values (`defaultValue`), as `Model.build({})` fills them.
                fn default() -> Self {
                    #ident { #(#defaults,)* }
                }
            }
        }
    });
    let definition_static = Ident::new("DEFINITION", Span::call_site());

    Ok(quote! {
        impl #ident {
            #(#constants)*
        }

        impl ::sequelize::Model for #ident {
            fn definition() -> &'static ::sequelize::__private::ModelDefinition {
                static #definition_static: ::sequelize::__private::OnceLock<::sequelize::__private::ModelDefinition> =
                    ::sequelize::__private::OnceLock::new();
                #definition_static.get_or_init(|| {
                    #builder
                        #(#attributes)*
                        .build()
                        .unwrap_or_else(|e| panic!("invalid model {}: {e}", #model_name))
                })
            }

            fn from_values(values: &mut [::sequelize::Value]) -> ::sequelize::__private::Result<Self> {
                if values.len() < #count {
                    return Err(::sequelize::__private::Error::Decode(format!(
                        "{} needs {} values, the row has {}", #model_name, #count, values.len()
                    )));
                }
                Ok(#ident { #(#from_values,)* })
            }

            fn to_values(&self) -> ::std::vec::Vec<::sequelize::Value> {
                ::std::vec![#(#to_values),*]
            }

            fn value(&self, index: usize) -> ::sequelize::Value {
                match index {
                    #(#get_arms,)*
                    _ => ::sequelize::Value::Null,
                }
            }

            fn set_value(&mut self, index: usize, value: ::sequelize::Value) -> ::sequelize::__private::Result<()> {
                match index {
                    #(#set_arms)*
                    _ => {}
                }
                Ok(())
            }
        }

        #default_impl
    })
}
