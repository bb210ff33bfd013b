//! The expansion of `#[derive(Model)]`: column constants, `impl Model` and `Default`.

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::{Data, DeriveInput, Field, Fields, Ident, LitStr};

use crate::columns::reject_duplicates;
use crate::field_options::{DefaultKind, FieldOptions};
use crate::model_options::{ModelOptions, TimestampName};
use crate::types::option_inner;

/// Expands `#[derive(Model)]` on `input`, or explains why the struct cannot be a model.
pub(crate) fn expand(input: DeriveInput) -> syn::Result<TokenStream2> {
    let fields = named_fields(&input)?;
    let ident = &input.ident;
    let options = ModelOptions::parse(&input.attrs)?;
    let model_name = options
        .name
        .clone()
        .unwrap_or_else(|| LitStr::new(&ident.to_string(), ident.span()));

    let parsed: Vec<(&Field, FieldOptions)> = fields
        .iter()
        .map(|f| FieldOptions::parse(f).map(|o| (f, o)))
        .collect::<syn::Result<_>>()?;
    reject_duplicates(&parsed, options.underscored)?;

    let mut constants = Vec::new();
    let mut attributes = Vec::new();
    let mut from_row = Vec::new();
    let mut to_values = Vec::new();
    let mut get_arms = Vec::new();
    let mut set_arms = Vec::new();
    let mut defaults = Vec::new();
    let mut virtual_fields = Vec::new();
    let mut setters = Vec::new();
    let (stored, computed): (Vec<_>, Vec<_>) = parsed
        .iter()
        .partition(|(_, opts)| opts.virtual_getter.is_none());
    let count = stored.len();

    // Virtual fields are no attributes: filled with their default, then computed.
    for (field, opts) in &computed {
        let name = field.ident.as_ref().expect("named field");
        let getter = opts
            .virtual_getter
            .as_ref()
            .expect("partitioned on the getter");
        defaults.push(quote!(#name: ::core::default::Default::default()));
        virtual_fields.push(quote!(self.#name = #getter(self);));
    }

    for (index, (field, opts)) in stored.iter().enumerate() {
        let name = field.ident.as_ref().expect("named field");
        if let Some(setter) = &opts.setter {
            setters.push(quote! {
                #index => self.#name = #setter(::core::clone::Clone::clone(&self.#name)),
            });
        }
        let name_str = name.to_string();
        let ty = &field.ty;
        let column_ty = option_inner(ty).unwrap_or(ty);
        let constant = Ident::new(&name_str.to_uppercase(), name.span());
        constants.push(quote! {
            #[doc = concat!("The `", #name_str, "` attribute.")]
            pub const #constant: ::sequelize::Column<#ident, #column_ty> = ::sequelize::Column::new(#index);
        });

        let (attribute, default_value) = attribute(&name_str, field, opts);
        attributes.push(quote!(.attribute(#attribute)));
        defaults.push(quote!(#name: #default_value));
        let read = quote! {
            ::sequelize::__private::FromValue::read(row, #index)
                .map_err(|e| ::sequelize::__private::read_error(#model_name, #name_str, e))?
        };
        from_row.push(match &opts.getter {
            Some(getter) => quote!(#name: #getter(#read)),
            None => quote!(#name: #read),
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

    let virtual_defaults = computed.iter().map(|(field, _)| {
        let name = field.ident.as_ref().expect("named field");
        quote!(#name: ::core::default::Default::default())
    });
    // What models without virtual fields or setters do not need stays out of the expansion.
    let construct = if computed.is_empty() {
        quote!(Ok(#ident { #(#from_row,)* }))
    } else {
        quote! {
            let mut model = #ident { #(#from_row,)* #(#virtual_defaults,)* };
            ::sequelize::Model::refresh_virtual(&mut model);
            Ok(model)
        }
    };
    let refresh_virtual = (!computed.is_empty()).then(|| {
        quote! {
            fn refresh_virtual(&mut self) {
                #(#virtual_fields)*
            }
        }
    });
    let apply_setter = (!setters.is_empty()).then(|| {
        quote! {
            fn apply_setter(&mut self, index: usize) {
                match index {
                    #(#setters)*
                    _ => {}
                }
            }
        }
    });
    let builder = definition_builder(&options, &model_name);
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
    let associations = crate::associations::parse(&input.attrs)?;
    let (handles, declarations, includes_trait) =
        crate::associations::expand(ident, &input.vis, &associations);

    Ok(quote! {
        impl #ident {
            #(#constants)*
            #handles
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

            #[inline]
            fn from_row(row: &mut dyn ::sequelize::RowReader) -> ::sequelize::ReadResult<Self> {
                if row.width() < #count {
                    return Err(::std::boxed::Box::new(::sequelize::__private::Error::Decode(format!(
                        "{} needs {} values, the row has {}", #model_name, #count, row.width()
                    ))));
                }
                #construct
            }

            #refresh_virtual
            #apply_setter
            #declarations

            fn to_json_value(&self) -> ::core::option::Option<::sequelize::__private::JsonResult> {
                #[allow(unused_imports)]
                use ::sequelize::__private::{ViaNothing as _, ViaSerialize as _};
                (&::sequelize::__private::JsonProbe(self)).to_json()
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
        #includes_trait
    })
}

/// The fields of a non-generic struct with named fields; anything else is an error.
fn named_fields(
    input: &DeriveInput,
) -> syn::Result<&syn::punctuated::Punctuated<Field, syn::Token![,]>> {
    let fields = match &input.data {
        Data::Struct(data) => &data.fields,
        Data::Enum(data) => {
            return Err(syn::Error::new_spanned(
                data.enum_token,
                "Model can only be derived for structs",
            ))
        }
        Data::Union(data) => {
            return Err(syn::Error::new_spanned(
                data.union_token,
                "Model can only be derived for structs",
            ))
        }
    };
    let fields = match fields {
        Fields::Named(fields) => fields,
        Fields::Unnamed(fields) => {
            return Err(syn::Error::new_spanned(fields, "Model needs named fields"))
        }
        Fields::Unit => {
            return Err(syn::Error::new_spanned(
                &input.ident,
                "Model needs named fields",
            ))
        }
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "a Model cannot be generic",
        ));
    }
    Ok(&fields.named)
}

/// One field's `Attribute` (its definition in the model) and the expression `Default` gives
/// it.
fn attribute(name: &str, field: &Field, opts: &FieldOptions) -> (TokenStream2, TokenStream2) {
    let ty = &field.ty;
    let data_type = match (&opts.data_type, &opts.values) {
        (Some(expr), _) => quote!(#expr),
        (None, Some(values)) => {
            quote!(::sequelize::DataType::Enum(vec![#(#values.to_string()),*]))
        }
        (None, None) => quote!(<#ty as ::sequelize::__private::SqlType>::data_type()),
    };
    let mut attribute = quote! {
        ::sequelize::__private::Attribute::new(#name, #data_type)
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
    if let Some(key) = &opts.unique_key {
        attribute = quote!(#attribute.unique_key(#key));
    }
    if let Some(comment) = &opts.comment {
        attribute = quote!(#attribute.comment(#comment));
    }
    if let Some((table, key)) = &opts.references {
        let key = key.as_ref().map_or_else(|| quote!("id"), |k| quote!(#k));
        let mut references = quote!(::sequelize::sql::References::new(#table, #key));
        if let Some(action) = &opts.on_delete {
            references =
                quote!(#references.on_delete(::sequelize::sql::ReferentialAction::#action));
        }
        if let Some(action) = &opts.on_update {
            references =
                quote!(#references.on_update(::sequelize::sql::ReferentialAction::#action));
        }
        attribute = quote!(#attribute.references(#references));
    }
    for validator in &opts.validators {
        attribute = quote!(#attribute.validate(#validator));
    }
    let wrap = |value: TokenStream2| {
        if option_inner(ty).is_some() {
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
        Some(DefaultKind::UuidV1) => {
            attribute =
                quote!(#attribute.default_value(::sequelize::__private::DefaultValue::UuidV1));
            wrap(quote!(::sequelize::__private::Uuid::nil()))
        }
        Some(DefaultKind::Literal(sql)) => {
            attribute = quote!(#attribute.default_value(::sequelize::literal(#sql).into()));
            quote!(::core::default::Default::default())
        }
        Some(DefaultKind::Now) => {
            attribute = quote!(#attribute.default_value(::sequelize::__private::DefaultValue::Now));
            wrap(quote!(::sequelize::__private::now()))
        }
        Some(DefaultKind::Expr(expr)) => {
            attribute = quote!(#attribute.default_value(
                ::sequelize::__private::DefaultValue::Value(::sequelize::Value::from(#expr))
            ));
            wrap(quote!(::core::convert::Into::into(#expr)))
        }
        None => quote!(::core::default::Default::default()),
    };
    (attribute, default_value)
}

/// `ModelDefinition::builder(name)` with the struct's `#[model(...)]` options applied.
fn definition_builder(options: &ModelOptions, model_name: &LitStr) -> TokenStream2 {
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
    match &options.created_at {
        Some(TimestampName::Named(name)) => builder = quote!(#builder.created_at(#name)),
        Some(TimestampName::Disabled) => builder = quote!(#builder.without_created_at()),
        None => {}
    }
    match &options.updated_at {
        Some(TimestampName::Named(name)) => builder = quote!(#builder.updated_at(#name)),
        Some(TimestampName::Disabled) => builder = quote!(#builder.without_updated_at()),
        None => {}
    }
    if options.paranoid {
        builder = quote!(#builder.paranoid(true));
    }
    if let Some(v) = &options.version {
        builder = quote!(#builder.version(#v));
    }
    if let Some(d) = &options.deleted_at {
        builder = quote!(#builder.deleted_at(#d));
    }
    for (option, value) in [
        ("comment", &options.comment),
        ("engine", &options.engine),
        ("charset", &options.charset),
        ("collate", &options.collate),
        ("schema", &options.schema),
    ] {
        if let Some(value) = value {
            let method = syn::Ident::new(option, value.span());
            builder = quote!(#builder.#method(#value));
        }
    }
    if options.omit_null {
        builder = quote!(#builder.omit_null(true));
    }
    for index in &options.indexes {
        builder = quote!(#builder.index(#index));
    }
    builder
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    /// Snapshots the expansion of `input`, pretty-printed, below the input itself so the
    /// reader of the snapshot sees both.
    fn assert_expansion(name: &str, input: DeriveInput) {
        let source = prettyplease::unparse(&parse_quote!(#input));
        let expanded = expand(input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expanded = prettyplease::unparse(&syn::parse2(expanded).unwrap());
        let snapshot = format!("// #[derive(Model)] on\n{source}\n// expands to\n{expanded}");
        insta::assert_snapshot!(name, snapshot);
    }

    #[test]
    fn user_with_options() {
        assert_expansion(
            "user_with_options",
            parse_quote! {
                #[model(table = "users", underscored)]
                struct User {
                    #[attr(primary_key, default = uuid_v4)]
                    id: Uuid,
                    #[attr(unique)]
                    email: String,
                    first_name: Option<String>,
                    #[attr(values("active", "inactive", "banned"), default = "active")]
                    status: String,
                    #[attr(default = 0)]
                    login_count: i32,
                    #[attr(data_type = DataType::Decimal(Some((12, 2))))]
                    balance: Option<Decimal>,
                    created_at: DateTime<Utc>,
                    updated_at: DateTime<Utc>,
                }
            },
        );
    }

    #[test]
    fn plain_struct_with_renamed_column() {
        assert_expansion(
            "plain_struct_with_renamed_column",
            parse_quote! {
                struct Post {
                    id: i64,
                    #[attr(field = "headline")]
                    title: String,
                    author_id: Option<Uuid>,
                }
            },
        );
    }

    #[test]
    fn composite_key_without_default() {
        assert_expansion(
            "composite_key_without_default",
            parse_quote! {
                #[model(name = "Member", freeze_table_name, timestamps = false)]
                #[model(created_at = "joined_at", updated_at = "changed_at", no_default)]
                struct Membership {
                    #[attr(primary_key)]
                    user_id: i64,
                    #[attr(primary_key)]
                    group_id: i64,
                    #[attr(auto_increment)]
                    seq: i32,
                    #[attr(default = now)]
                    joined_at: Option<DateTime<Utc>>,
                }
            },
        );
    }

    fn error(input: DeriveInput) -> String {
        expand(input).map(|_| ()).unwrap_err().to_string()
    }

    #[test]
    fn only_plain_structs_are_models() {
        let message = "Model can only be derived for structs";
        assert_eq!(
            error(parse_quote!(
                enum E {
                    A,
                }
            )),
            message
        );
        assert_eq!(error(parse_quote!(union U { a: i32 })), message);
        assert_eq!(
            error(parse_quote!(
                struct T(i32);
            )),
            "Model needs named fields"
        );
        assert_eq!(
            error(parse_quote!(
                struct G<T> {
                    t: T,
                }
            )),
            "a Model cannot be generic"
        );
    }
}
