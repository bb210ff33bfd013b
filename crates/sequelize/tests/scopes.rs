//! Scopes on every dialect (issue 8, item 7): the default scope, named scopes, scopes with
//! arguments, several merged (conditions AND-ed), `unscoped()`, `add_scope` with and
//! without replacing, and scopes together with a paranoid model.

mod common;

use common::for_each_dialect;
use sequelize::model::{FindOptions, Scope, DEFAULT_SCOPE};
use sequelize::prelude::*;
use sequelize::Error;

#[derive(Model, Debug, Clone)]
#[model(table = "stories", paranoid)]
struct Story {
    id: i64,
    title: String,
    published: bool,
    author_id: i64,
    views: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
}

fn story(title: &str, published: bool, author_id: i64, views: i64) -> Story {
    Story {
        title: title.into(),
        published,
        author_id,
        views,
        ..Default::default()
    }
}

fn titles(found: &[Instance<Story>]) -> Vec<&str> {
    found.iter().map(|s| s.title.as_str()).collect()
}

#[tokio::test]
async fn default_named_argument_and_merged_scopes() {
    for_each_dialect("scopes", |db| async move {
        db.define::<Story>()
            .default_scope(FindOptions {
                filter: Some(Story::PUBLISHED.eq(true)),
                order: vec![Story::TITLE.asc()],
                ..Default::default()
            })
            .scope(
                "popular",
                FindOptions {
                    filter: Some(Story::VIEWS.gte(10)),
                    order: vec![Story::VIEWS.desc()],
                    ..Default::default()
                },
            )
            .scope(
                "byAuthor",
                Scope::function(|args| {
                    Ok(FindOptions {
                        filter: Some(col("author_id").eq(args[0].clone())),
                        ..Default::default()
                    })
                }),
            )
            .register()
            .unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        for s in [
            story("a", true, 1, 50),
            story("b", false, 1, 20),
            story("c", true, 2, 5),
            story("d", true, 2, 30),
        ] {
            Story::create(s).exec(&db).await.unwrap();
        }
        let all = |finder: sequelize::model::FindAll<Story>| {
            let db = db.clone();
            async move { finder.exec(&db).await.unwrap() }
        };
        // The default scope: published only, by title.
        assert_eq!(titles(&all(Story::find_all()).await), ["a", "c", "d"]);
        assert_eq!(Story::count().exec(&db).await.unwrap(), 3);
        // A named scope replaces it; naming the default scope keeps it (conditions AND-ed,
        // the later order wins).
        assert_eq!(
            titles(&all(Story::find_all().scope("popular")).await),
            ["a", "d", "b"]
        );
        let both = Story::find_all().scope(DEFAULT_SCOPE).scope("popular");
        assert_eq!(titles(&all(both).await), ["a", "d"]);
        // With arguments, and merged with the finder's own condition.
        let by_two = Story::find_all()
            .scope_with("byAuthor", [2])
            .filter(Story::VIEWS.gt(10));
        assert_eq!(titles(&all(by_two).await), ["d"]);
        // unscoped: every row (but a paranoid model still hides deleted ones).
        assert_eq!(all(Story::find_all().unscoped()).await.len(), 4);
        let b = Story::find_one()
            .unscoped()
            .filter(Story::TITLE.eq("b"))
            .exec(&db)
            .await;
        let b = b.unwrap().unwrap();
        assert!(Story::find_by_pk(b.id).exec(&db).await.unwrap().is_none());
        assert!(Story::find_by_pk(b.id)
            .unscoped()
            .exec(&db)
            .await
            .unwrap()
            .is_some());
        let mut a = Story::find_one()
            .filter(Story::TITLE.eq("a"))
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        a.destroy(&db).await.unwrap();
        assert_eq!(all(Story::find_all().unscoped()).await.len(), 3);
        let everything = Story::find_all().unscoped().paranoid(false);
        assert_eq!(all(everything).await.len(), 4);
        assert_eq!(titles(&all(Story::find_all()).await), ["c", "d"]);

        // Unknown scopes and wrong arguments are errors before any SQL; add_scope refuses to
        // replace unless asked.
        let unknown = Story::find_all().scope("nope").exec(&db).await;
        assert!(matches!(unknown, Err(Error::InvalidQuery(m)) if m.contains("nope")));
        let args = Story::find_all().scope_with("popular", [1]).exec(&db).await;
        assert!(matches!(args, Err(Error::InvalidQuery(m)) if m.contains("no arguments")));
        let runtime = db.define::<Story>().register().unwrap();
        let recent = FindOptions {
            limit: Some(1),
            order: vec![Story::ID.desc()],
            ..Default::default()
        };
        runtime
            .add_scope("popular", recent.clone(), false)
            .unwrap_err();
        runtime.add_scope("popular", recent, true).unwrap();
        assert_eq!(
            titles(&all(Story::find_all().scope("popular")).await),
            ["d"]
        );
    })
    .await;
}

#[tokio::test]
async fn scopes_apply_to_static_update_and_destroy() {
    for_each_dialect("scopes_writes", |db| async move {
        db.define::<Story>()
            .default_scope(FindOptions {
                filter: Some(Story::PUBLISHED.eq(true)),
                ..Default::default()
            })
            .register()
            .unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        for s in [
            story("x", true, 1, 1),
            story("y", false, 1, 1),
            story("z", true, 2, 1),
        ] {
            Story::create(s).exec(&db).await.unwrap();
        }
        let views = |title: &'static str| {
            let db = db.clone();
            async move {
                let found = Story::find_one().unscoped().filter(Story::TITLE.eq(title));
                found.exec(&db).await.unwrap().unwrap().views
            }
        };
        // The default scope's condition joins the update's own: only published "x".
        let updated = Story::update()
            .set(Story::VIEWS, 10)
            .filter(Story::AUTHOR_ID.eq(1))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!((updated, views("x").await, views("y").await), (1, 10, 1));
        let unscoped = Story::increment(Story::VIEWS, 5)
            .filter(Story::AUTHOR_ID.eq(1))
            .unscoped()
            .exec(&db)
            .await
            .unwrap();
        assert_eq!((unscoped, views("x").await, views("y").await), (2, 15, 6));
        // destroy: scoped too, and a filter stays required whatever the scopes.
        let destroyed = Story::destroy()
            .filter(Story::AUTHOR_ID.eq(1))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(destroyed, 1);
        assert!(Story::destroy().exec(&db).await.is_err());
        assert_eq!(Story::count().unscoped().exec(&db).await.unwrap(), 2);
    })
    .await;
}
