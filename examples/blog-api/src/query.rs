//! The posts list's query string, checked before anything reaches the database: a page
//! and a page size within bounds, `published` a boolean, `q` a bounded text, and the
//! `where` they make built through the library's checked JSON filter.

use serde::Deserialize;
use serde_json::{json, Map, Value as Json};

use crate::ApiError;

/// The largest page a client may ask for.
pub const MAX_PER_PAGE: u32 = 100;
/// The longest search text.
const MAX_QUERY_LENGTH: usize = 200;

/// `?page=&per_page=&published=&q=`. A value of the wrong type is refused by the
/// extractor with a 400 that names it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// The page, from 1.
    pub page: Option<u32>,
    /// Posts per page, 1 to [`MAX_PER_PAGE`] (default 20).
    pub per_page: Option<u32>,
    /// Only published posts, or only drafts.
    pub published: Option<bool>,
    /// Text the title or the content contains, whatever its case.
    pub q: Option<String>,
}

/// A page: its `LIMIT` and `OFFSET`.
#[derive(Debug, PartialEq)]
pub struct Page {
    pub limit: u64,
    pub offset: u64,
}

impl ListParams {
    /// The page asked for, or why it cannot be served.
    pub fn page(&self) -> Result<Page, ApiError> {
        let per_page = self.per_page.unwrap_or(20);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::BadRequest(format!(
                "per_page must be between 1 and {MAX_PER_PAGE}"
            )));
        }
        let page = self.page.unwrap_or(1);
        if page == 0 {
            return Err(ApiError::BadRequest("page starts at 1".into()));
        }
        Ok(Page {
            limit: per_page.into(),
            offset: u64::from(page - 1) * u64::from(per_page),
        })
    }

    /// The `where` of the query string as Sequelize's where-object, for
    /// `sequelize::model::filter_from_json`: `published`, and `q` as an `iLike` on the title
    /// or the content (`%` and `_` in it match anything, as in Sequelize).
    pub fn filter(&self) -> Result<Option<Json>, ApiError> {
        let mut filter = Map::new();
        if let Some(published) = self.published {
            filter.insert("published".into(), published.into());
        }
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            if q.chars().count() > MAX_QUERY_LENGTH {
                return Err(ApiError::BadRequest(format!(
                    "q is longer than {MAX_QUERY_LENGTH} characters"
                )));
            }
            let pattern = format!("%{q}%");
            filter.insert(
                "or".into(),
                json!([{ "title": { "iLike": pattern } }, { "content": { "iLike": pattern } }]),
            );
        }
        Ok((!filter.is_empty()).then_some(Json::Object(filter)))
    }
}

/// Refuses a client's where-object that names `password` anywhere: the admin search may
/// filter on any attribute of a post or its author but that one.
pub fn refuse_secret_attributes(filter: &Json) -> Result<(), ApiError> {
    match filter {
        Json::Object(entries) => {
            for (key, value) in entries {
                if key == "password" {
                    return Err(ApiError::BadRequest(
                        "filter: password cannot be searched".into(),
                    ));
                }
                refuse_secret_attributes(value)?;
            }
            Ok(())
        }
        Json::Array(items) => items.iter().try_for_each(refuse_secret_attributes),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded() {
        let params = |page, per_page| ListParams {
            page,
            per_page,
            ..Default::default()
        };
        assert_eq!(
            params(Some(3), Some(10)).page().unwrap(),
            Page {
                limit: 10,
                offset: 20
            }
        );
        assert_eq!(
            params(None, None).page().unwrap(),
            Page {
                limit: 20,
                offset: 0
            }
        );
        assert!(params(Some(0), None).page().is_err());
        assert!(params(None, Some(MAX_PER_PAGE + 1)).page().is_err());
        assert!(params(Some(u32::MAX), Some(MAX_PER_PAGE)).page().is_ok());
    }

    #[test]
    fn the_filter_is_a_where_object() {
        let params = ListParams {
            published: Some(true),
            q: Some(" rust ".into()),
            ..Default::default()
        };
        assert_eq!(
            params.filter().unwrap().unwrap(),
            json!({ "published": true, "or": [{ "title": { "iLike": "%rust%" } }, { "content": { "iLike": "%rust%" } }] })
        );
        assert_eq!(ListParams::default().filter().unwrap(), None);
    }

    #[test]
    fn the_password_cannot_be_searched() {
        assert!(refuse_secret_attributes(
            &json!({ "or": [{ "title": "a" }, { "password": { "like": "a%" } }] })
        )
        .is_err());
        assert!(refuse_secret_attributes(&json!({ "title": { "like": "a%" } })).is_ok());
    }
}
