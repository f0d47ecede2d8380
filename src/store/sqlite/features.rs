//! Features of a project and their owners, in SQLite.

use super::Tx;
use super::audit::record;
use super::environment_defaults::{
    FeatureDefaults, insert_default_state, options_of, prevents_flag_defaults,
};
use super::listing::Listing;
use super::rows::{all, contains_pattern, exec, id_by_uuid, one, ts};
use super::{SqliteStore, feature_owners, feature_states, mv_options, tags};
use crate::domain::audit::Audit;
use crate::domain::feature::{
    Feature, FeaturePatch, FeatureQuery, FeatureSort, FeatureType, NewFeature,
};
use crate::domain::{EnvironmentId, FeatureId, Page, PageRequest, ProjectId, Timestamp, new_uuid};
use crate::store::audit::{Change, Scope};
use crate::store::features::feature;
use crate::store::{FeatureStore, Result, StoreError};
use async_trait::async_trait;
use rusqlite::{Connection, params};

const COLUMNS: &str = "f.id, f.uuid, f.project_id, f.name, f.type, f.default_enabled,
    f.initial_value, f.created_date, f.description, f.is_archived, f.is_server_key_only,
    (SELECT json_group_array(tag_id ORDER BY tag_id) FROM feature_tags WHERE feature_id = f.id),
    (SELECT json_group_array(user_id ORDER BY user_id) FROM feature_owners WHERE feature_id = f.id),
    (SELECT json_group_array(group_id ORDER BY group_id) FROM feature_group_owners
        WHERE feature_id = f.id)";

pub(super) const FEATURE: &str = "Feature";
pub(super) fn find(conn: &Connection, id: FeatureId) -> Result<Feature> {
    one(
        conn,
        &format!("SELECT {COLUMNS} FROM features f WHERE f.id = ?"),
        [id.0],
        feature,
    )
}

fn insert(tx: &Tx<'_>, new: &NewFeature, now: Timestamp) -> Result<FeatureId> {
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
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            new_uuid(),
            new.project_id.0,
            new.name,
            new.name.to_lowercase(),
            feature_type.as_str(),
            new.default_enabled,
            new.initial_value,
            s.description,
            s.is_archived,
            s.is_server_key_only,
            ts(now),
        ],
        |r| r.get(0),
    )?;
    Ok(FeatureId(id))
}

/// Gives the feature its default state in every environment of its project.
fn insert_defaults(tx: &Tx<'_>, new: &NewFeature, id: FeatureId, now: Timestamp) -> Result<()> {
    let defaults = FeatureDefaults {
        id,
        default_enabled: new.default_enabled,
        initial_value: new.initial_value.clone(),
        options: options_of(tx, id)?,
    };
    let prevent = prevents_flag_defaults(tx, new.project_id)?;
    let envs = all(
        tx,
        "SELECT id FROM environments WHERE project_id = ? ORDER BY id",
        [new.project_id.0],
        |r| Ok(EnvironmentId(r.get(0)?)),
    )?;
    for env in envs {
        insert_default_state(tx, env, &defaults, prevent, now)?;
    }
    Ok(())
}

fn list(
    conn: &Connection,
    project: ProjectId,
    query: &FeatureQuery,
    page: PageRequest,
) -> Result<Page<Feature>> {
    let mut list = Listing::default();
    let p = list.arg(project.0);
    list.filter(format!("f.project_id = {p}"));
    if let Some(search) = &query.search {
        let p = list.arg(contains_pattern(search));
        list.filter(format!("fold(f.name) LIKE fold({p}) ESCAPE '\\'"));
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
            let json = serde_json::to_string(&wanted)
                .map_err(|e| StoreError::Other(format!("tag ids: {e}")))?;
            let among = format!(
                "ft.tag_id IN (SELECT value FROM json_each({}))",
                list.arg(json)
            );
            if query.tags_union {
                list.filter(format!("EXISTS (SELECT 1 {tagged} AND {among})"));
            } else {
                let p = list.arg(wanted.len() as i64);
                list.filter(format!("(SELECT COUNT(*) {tagged} AND {among}) = {p}"));
            }
        }
    }
    feature_owners::filter(&mut list, query)?;
    let key = match query.sort {
        FeatureSort::CreatedDate => "f.created_date",
        FeatureSort::Name => "f.name_folded",
    };
    let direction = if query.descending { "DESC" } else { "ASC" };
    let order = format!("{key} {direction}, f.id");
    list.page(conn, (COLUMNS, "features f"), &order, page, feature)
}

#[async_trait]
impl FeatureStore for SqliteStore {
    async fn create_feature(&self, feature: &NewFeature, audit: &Audit) -> Result<Feature> {
        let (new, audit, now) = (feature.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let id = insert(tx, &new, now)?;
            tags::set_feature_tags(tx, id, new.project_id, &new.tags)?;
            feature_owners::add(tx, id, &new.owners)?;
            for option in &new.mv_options {
                mv_options::insert(tx, id, option)?;
            }
            insert_defaults(tx, &new, id, now)?;
            let created = find(tx, id)?;
            let scope = Scope::Project(created.project_id);
            let change = Change::created(&audit, FEATURE, id.0, Some(&created.uuid), scope);
            record(tx, now, &change)?;
            Ok(created)
        })
        .await
    }

    async fn feature(&self, id: FeatureId) -> Result<Feature> {
        self.read(move |c| find(c, id)).await
    }

    async fn feature_by_uuid(&self, uuid: &str) -> Result<Feature> {
        let uuid = uuid.to_string();
        self.read(move |c| find(c, FeatureId(id_by_uuid(c, "features", &uuid)?)))
            .await
    }

    async fn features_of(
        &self,
        project: ProjectId,
        query: &FeatureQuery,
        page: PageRequest,
    ) -> Result<Page<Feature>> {
        let query = query.clone();
        self.read(move |c| list(c, project, &query, page)).await
    }

    async fn update_feature(
        &self,
        id: FeatureId,
        patch: &FeaturePatch,
        audit: &Audit,
    ) -> Result<Feature> {
        let (patch, audit, now) = (patch.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let before = find(tx, id)?;
            let old = &before.settings;
            exec(
                tx,
                "UPDATE features SET description = ?, is_archived = ?, is_server_key_only = ?
                 WHERE id = ?",
                params![
                    patch.description.clone().unwrap_or(old.description.clone()),
                    patch.is_archived.unwrap_or(old.is_archived),
                    patch.is_server_key_only.unwrap_or(old.is_server_key_only),
                    id.0,
                ],
            )?;
            if let Some(tags) = &patch.tags {
                tags::set_feature_tags(tx, id, before.project_id, tags)?;
            }
            let after = find(tx, id)?;
            let scope = Scope::Project(after.project_id);
            let uuid = Some(after.uuid.as_str());
            let change = Change::updated(&audit, FEATURE, id.0, uuid, scope, &before, &after);
            record(tx, now, &change)?;
            Ok(after)
        })
        .await
    }

    async fn delete_feature(&self, id: FeatureId, audit: &Audit) -> Result<()> {
        let (audit, now) = (audit.clone(), self.now());
        self.write(move |tx| {
            let feature = find(tx, id)?;
            let scope = Scope::Project(feature.project_id);
            let mut change = Change::deleted(&audit, FEATURE, id.0, Some(&feature.uuid), scope);
            let defaults = "feature_id = ? AND identity_id IS NULL AND feature_segment_id IS NULL";
            for state in feature_states::list(tx, defaults, id.0)? {
                change = change.flag(Some(&state), None);
            }
            record(tx, now, &change)?;
            // States, overrides, options and feature-specific segments cascade.
            exec(tx, "DELETE FROM features WHERE id = ?", [id.0])?;
            Ok(())
        })
        .await
    }
}
