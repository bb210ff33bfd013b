//! Sequelize's `Utils`: the naming rules models follow (attribute and column spellings,
//! table names), for the model layer and for tools that name things the same way (the CLI's
//! generators).
//!
//! ```
//! use sequelize::utils::{camel_case, pluralize, snake_case};
//! assert_eq!(pluralize("Category"), "Categories");
//! assert_eq!(snake_case("createdAt"), "created_at");
//! assert_eq!(camel_case("created_at"), "createdAt");
//! ```

/// `first_name` → `firstName` (Sequelize's attribute spelling, and its default column).
///
/// ```
/// assert_eq!(sequelize::utils::camel_case("author_id"), "authorId");
/// ```
pub fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `firstName` / `BlogPosts` → `first_name` / `blog_posts`.
///
/// ```
/// assert_eq!(sequelize::utils::snake_case("BlogPosts"), "blog_posts");
/// ```
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// English plural of a model name, as Sequelize's inflection does for common words.
///
/// ```
/// assert_eq!(sequelize::utils::pluralize("Box"), "Boxes");
/// ```
pub fn pluralize(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let consonant_y = lower.ends_with('y')
        && !matches!(
            lower.chars().rev().nth(1),
            Some('a' | 'e' | 'i' | 'o' | 'u')
        );
    if consonant_y {
        format!("{}ies", &word[..word.len() - 1])
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|end| lower.ends_with(end))
    {
        format!("{word}es")
    } else {
        format!("{word}s")
    }
}

/// The singular of an English plural, the inverse of [`pluralize`] (`Categories` →
/// `Category`, `Boxes` → `Box`, `Users` → `User`); a word that does not end in `s` is left
/// as it is.
///
/// ```
/// use sequelize::utils::singularize;
/// assert_eq!(singularize("Categories"), "Category");
/// assert_eq!(singularize("post_tags"), "post_tag");
/// assert_eq!(singularize("status"), "status");
/// ```
pub fn singularize(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let keep = |n: usize| word[..word.len() - n].to_owned();
    if lower.ends_with("ies") && word.len() > 3 {
        format!("{}y", keep(3))
    } else if ["ses", "xes", "zes", "ches", "shes"]
        .iter()
        .any(|end| lower.ends_with(end))
        && !lower.ends_with("uses")
    {
        keep(2)
    } else if lower.ends_with('s') && !lower.ends_with("ss") && !lower.ends_with("us") {
        keep(1)
    } else {
        word.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming() {
        assert_eq!(camel_case("first_name"), "firstName");
        assert_eq!(camel_case("id"), "id");
        assert_eq!(snake_case("BlogPosts"), "blog_posts");
        assert_eq!(snake_case("createdAt"), "created_at");
        assert_eq!(pluralize("User"), "Users");
        assert_eq!(pluralize("Category"), "Categories");
        assert_eq!(pluralize("Day"), "Days");
        assert_eq!(pluralize("Box"), "Boxes");
        for word in ["User", "Category", "Day", "Box", "Match", "PostTag"] {
            assert_eq!(singularize(&pluralize(word)), word);
        }
    }
}
