//! The columns a joined `SELECT` reads of one model under one alias, made once: the same
//! include is planned again on every run of its finder, and making its column list (each
//! column qualified by the alias and renamed by its path) was most of that planning.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::model::definition::ModelDefinition;
use crate::sql::{Expr, Ident, SelectItem};

/// How many column lists a model keeps; past it the cache starts over (a model is rarely
/// read in more ways, and unbounded include shapes must not grow memory).
const CAPACITY: usize = 64;

/// The column lists of one model, by the alias it is read under.
#[derive(Debug, Default)]
pub(crate) struct JoinedColumns {
    by_alias: Mutex<HashMap<String, Vec<Entry>, foldhash::fast::RandomState>>,
}

/// One column list: which attributes, whether renamed by their path, and the items.
#[derive(Debug)]
struct Entry {
    read: Vec<usize>,
    renamed: bool,
    items: Arc<[SelectItem]>,
}

impl JoinedColumns {
    /// The items reading the attributes `read` of `def` as `"alias"."column"`, each renamed
    /// `AS "path.attribute"` when `renamed` (an include's; the path is the alias with `->`
    /// read as `.`), made the first time they are asked for.
    pub(crate) fn items(
        &self,
        def: &ModelDefinition,
        alias: &str,
        read: &[usize],
        renamed: bool,
    ) -> Arc<[SelectItem]> {
        let mut cache = self.by_alias.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = (cache.get(alias).into_iter().flatten())
            .find(|entry| entry.read == read && entry.renamed == renamed)
        {
            return Arc::clone(&entry.items);
        }
        let items = make(def, alias, read, renamed);
        if cache.values().map(Vec::len).sum::<usize>() >= CAPACITY {
            cache.clear();
        }
        cache.entry(alias.to_owned()).or_default().push(Entry {
            read: read.to_vec(),
            renamed,
            items: Arc::clone(&items),
        });
        items
    }
}

fn make(def: &ModelDefinition, alias: &str, read: &[usize], renamed: bool) -> Arc<[SelectItem]> {
    let table = Ident::new(alias.to_owned());
    let prefix = alias.replace("->", ".");
    (read.iter())
        .map(|&i| {
            let attribute = &def.attributes[i];
            let item = SelectItem::new(Expr::qualified(
                table.clone(),
                attribute.column.name.clone(),
            ));
            match renamed {
                true => item.alias(format!("{prefix}.{}", attribute.name)),
                false => item,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::definition::Attribute;
    use crate::types::DataType;

    #[test]
    fn a_column_list_is_made_once_per_alias_and_read_list() {
        let def = ModelDefinition::builder("Post")
            .attribute(Attribute::new("id", DataType::Integer))
            .attribute(Attribute::new("title", DataType::Text).field("headline"))
            .attribute(Attribute::new("body", DataType::Text))
            .build()
            .unwrap();
        let cache = JoinedColumns::default();
        let first = cache.items(&def, "author->posts", &[0, 1], true);
        let again = cache.items(&def, "author->posts", &[0, 1], true);
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(
            first[1],
            SelectItem::new(Expr::qualified("author->posts", "headline"))
                .alias("author.posts.title")
        );
        let other_read = cache.items(&def, "author->posts", &[0, 2], true);
        assert_eq!(other_read.len(), 2);
        assert_ne!(other_read[1], first[1]);
        let root = cache.items(&def, "author->posts", &[0, 1], false);
        assert_eq!(
            root[1],
            SelectItem::new(Expr::qualified("author->posts", "headline"))
        );
    }
}
