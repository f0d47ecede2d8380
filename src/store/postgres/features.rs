//! Features of a project and their owners, in PostgreSQL.

use super::Tx;
use super::audit::record;
use super::environment_defaults::{
    FeatureDefaults, insert_default_state, options_of, prevents_flag_defaults,
};
use super::listing::Listing;
use super::rows::{Conn, all, contains_pattern, exec, id_by_uuid, one};
use super::{PostgresStore, feature_owners, feature_states, mv_options, read_snapshot, tags};
use crate::domain::audit::Audit;
use crate::domain::feature::{
    Feature, FeaturePatch, FeatureQuery, FeatureSort, FeatureType, NewFeature,
};
use crate::domain::{EnvironmentId, FeatureId, Page, PageRequest, ProjectId, Timestamp, new_uuid};
use crate::store::audit::{Change, Scope};
use crate::store::features::feature;
use crate::store::{FeatureStore, Result};
use async_trait::async_trait;

const COLUMNS: &str = "f.id, f.uuid, f.project_id, f.name, f.type, f.default_enabled,
    f.initial_value, f.created_date, f.description, f.is_archived, f.is_server_key_only,
    ARRAY(SELECT tag_id FROM feature_tags WHERE feature_id = f.id ORDER BY tag_id),
    ARRAY(SELECT user_id FROM feature_owners WHERE feature_id = f.id ORDER BY user_id),
    ARRAY(SELECT group_id FROM feature_group_owners WHERE feature_id = f.id ORDER BY group_id)";

pub(super) const FEATURE: &str = "Feature";
pub(super) async fn find(client: &impl Conn, id: FeatureId) -> Result<Feature> {
    one(
        client,
        &format!("SELECT {COLUMNS} FROM features f WHERE f.id = $1"),
        &[&id.0],
        feature,
    )
    .await
}

async fn insert(tx: &Tx<'_>, new: &NewFeature, now: Timestamp) -> Result<FeatureId> {
    let feature_type = if new.mv_options.is_empty() {
        FeatureType::Standard
    } else {
        FeatureType::Multivariate
    };
    let s = &new.settings;
    let id: i64 = one(
        tx,
        "INSERT INTO features (uuid, project_id, name, name_folded, type, default_enabled,
                 initial_value, description, is_archived, is_server_key_only, created_date)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        &[
            &new_uuid(),
            &new.project_id.0,
            &new.name,
            &new.name.to_lowercase(),
            &feature_type.as_str(),
            &new.default_enabled,
            &new.initial_value,
            &s.description,
            &s.is_archived,
            &s.is_server_key_only,
            &now,
        ],
        |r| r.get(0),
    )
    .await?;
    Ok(FeatureId(id))
}

/// Gives the feature its default state in every environment of its project.
async fn insert_defaults(
    tx: &Tx<'_>,
    new: &NewFeature,
    id: FeatureId,
    now: Timestamp,
) -> Result<()> {
    let defaults = FeatureDefaults {
        id,
        default_enabled: new.default_enabled,
        initial_value: new.initial_value.clone(),
        options: options_of(tx, id).await?,
    };
    let prevent = prevents_flag_defaults(tx, new.project_id).await?;
    let envs = all(
        tx,
        "SELECT id FROM environments WHERE project_id = $1 ORDER BY id",
        &[&new.project_id.0],
        |r| Ok(EnvironmentId(r.get(0)?)),
    )
    .await?;
    for env in envs {
        insert_default_state(tx, env, &defaults, prevent, now).await?;
    }
    Ok(())
}

async fn list(
    client: &impl Conn,
    project: ProjectId,
    query: &FeatureQuery,
    page: PageRequest,
) -> Result<Page<Feature>> {
    let mut list = Listing::default();
    let p = list.arg(project.0);
    list.filter(format!("f.project_id = {p}"));
    if let Some(search) = &query.search {
        let p = list.arg(contains_pattern(search));
        list.filter(format!("lower(f.name) LIKE lower({p}) ESCAPE '\\'"));
    }
    if let Some(archived) = query.is_archived {
        let p = list.arg(archived);
        list.filter(format!("f.is_archived = {p}"));
    }
    if let Some(wanted) = &query.tags {
        let wanted = tags::distinct(wanted);
        let tagged = "FROM feature_tags ft WHERE ft.feature_id = f.id";
        if wanted.is_empty() {
            list.filter(format!("NOT EXISTS (SELECT 1 {tagged})"));
        } else {
            let count = wanted.len() as i64;
            let among = format!("ft.tag_id = ANY({})", list.arg(wanted));
            if query.tags_union {
                list.filter(format!("EXISTS (SELECT 1 {tagged} AND {among})"));
            } else {
                let p = list.arg(count);
                list.filter(format!("(SELECT COUNT(*) {tagged} AND {among}) = {p}"));
            }
        }
    }
    feature_owners::filter(&mut list, query);
    // Byte order, as SQLite compares text, so both backends list names alike.
    let key = match query.sort {
        FeatureSort::CreatedDate => "f.created_date",
        FeatureSort::Name => "f.name_folded COLLATE \"C\"",
    };
    let direction = if query.descending { "DESC" } else { "ASC" };
    let order = format!("{key} {direction}, f.id");
    list.page(client, (COLUMNS, "features f"), &order, page, feature)
        .await
}

#[async_trait]
impl FeatureStore for PostgresStore {
    async fn create_feature(&self, feature: &NewFeature, audit: &Audit) -> Result<Feature> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let id = insert(&tx, feature, now).await?;
        tags::set_feature_tags(&tx, id, feature.project_id, &feature.tags).await?;
        feature_owners::add(&tx, id, &feature.owners).await?;
        for option in &feature.mv_options {
            mv_options::insert(&tx, id, option).await?;
        }
        insert_defaults(&tx, feature, id, now).await?;
        let created = find(&tx, id).await?;
        let scope = Scope::Project(created.project_id);
        let change = Change::created(audit, FEATURE, id.0, Some(&created.uuid), scope);
        record(&tx, now, &change).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    async fn feature(&self, id: FeatureId) -> Result<Feature> {
        let client = self.client().await?;
        find(&client, id).await
    }

    async fn feature_by_uuid(&self, uuid: &str) -> Result<Feature> {
        let client = self.client().await?;
        find(
            &client,
            FeatureId(id_by_uuid(&client, "features", uuid).await?),
        )
        .await
    }

    async fn features_of(
        &self,
        project: ProjectId,
        query: &FeatureQuery,
        page: PageRequest,
    ) -> Result<Page<Feature>> {
        let mut client = self.client().await?;
        let tx = read_snapshot(&mut client).await?;
        let page = list(&tx, project, query, page).await?;
        tx.commit().await?;
        Ok(page)
    }

    async fn update_feature(
        &self,
        id: FeatureId,
        patch: &FeaturePatch,
        audit: &Audit,
    ) -> Result<Feature> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let before = find(&tx, id).await?;
        let old = &before.settings;
        exec(
            &tx,
            "UPDATE features SET description = $1, is_archived = $2, is_server_key_only = $3
                 WHERE id = $4",
            &[
                patch.description.as_ref().unwrap_or(&old.description),
                &patch.is_archived.unwrap_or(old.is_archived),
                &patch.is_server_key_only.unwrap_or(old.is_server_key_only),
                &id.0,
            ],
        )
        .await?;
        if let Some(tags) = &patch.tags {
            tags::set_feature_tags(&tx, id, before.project_id, tags).await?;
        }
        let after = find(&tx, id).await?;
        let scope = Scope::Project(after.project_id);
        let uuid = Some(after.uuid.as_str());
        let change = Change::updated(audit, FEATURE, id.0, uuid, scope, &before, &after);
        record(&tx, now, &change).await?;
        self.commit(tx).await?;
        Ok(after)
    }

    async fn delete_feature(&self, id: FeatureId, audit: &Audit) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let feature = find(&tx, id).await?;
        let scope = Scope::Project(feature.project_id);
        let mut change = Change::deleted(audit, FEATURE, id.0, Some(&feature.uuid), scope);
        let defaults = "feature_id = $1 AND identity_id IS NULL AND feature_segment_id IS NULL";
        for state in feature_states::list(&tx, defaults, id.0).await? {
            change = change.flag(Some(&state), None);
        }
        record(&tx, now, &change).await?;
        // States, overrides, options and feature-specific segments cascade.
        exec(&tx, "DELETE FROM features WHERE id = $1", &[&id.0]).await?;
        self.commit(tx).await?;
        Ok(())
    }
}
