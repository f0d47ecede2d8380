//! Segments of a project with their rule trees, in SQLite.

use super::SqliteStore;
use super::Tx;
use super::audit::record;
use super::listing::Listing;
use super::rows::{all, contains_pattern, exactly_one, exec, id_by_uuid, one, ts};
use super::segment_overrides::renumber;
use crate::domain::audit::Audit;
use crate::domain::segment::{NewSegment, Segment, SegmentQuery, SegmentRule, SegmentUpdate};
use crate::domain::{
    EnvironmentId, FeatureId, Page, PageRequest, ProjectId, SegmentId, Timestamp, new_uuid,
};
use crate::store::audit::{Change, Scope};
use crate::store::audited::SegmentContent;
use crate::store::rule_tree::{ConditionRow, RuleRow, build, flatten};
use crate::store::segments::{COLUMNS, segment};
use crate::store::{Result, SegmentStore, StoreError};
use async_trait::async_trait;
use rusqlite::{Connection, params};
use std::collections::HashMap;

const OBJECT_TYPE: &str = "Segment";

/// Every rule below the segments whose ids the JSON array `?1` lists.
const TREE: &str = "WITH RECURSIVE tree(id) AS (
        SELECT id FROM segment_rules WHERE segment_id IN (SELECT value FROM json_each(?1))
        UNION ALL
        SELECT r.id FROM segment_rules r JOIN tree t ON r.parent_rule_id = t.id
    )";

fn rules_of(conn: &Connection, ids: &[SegmentId]) -> Result<HashMap<SegmentId, Vec<SegmentRule>>> {
    let ids = serde_json::to_string(&ids.iter().map(|s| s.0).collect::<Vec<_>>())
        .map_err(|e| StoreError::Other(format!("segment ids: {e}")))?;
    let rules = all(
        conn,
        &format!(
            "{TREE} SELECT r.id, r.segment_id, r.parent_rule_id, r.type
             FROM segment_rules r JOIN tree t ON t.id = r.id"
        ),
        [&ids],
        |r| {
            Ok(RuleRow {
                id: r.get(0)?,
                segment_id: r.get(1)?,
                parent_rule_id: r.get(2)?,
                rule_type: r.get(3)?,
            })
        },
    )?;
    let conditions = all(
        conn,
        &format!(
            "{TREE} SELECT c.id, c.rule_id, c.operator, c.property, c.value, c.description
             FROM segment_conditions c JOIN tree t ON t.id = c.rule_id"
        ),
        [&ids],
        |r| {
            Ok(ConditionRow {
                id: r.get(0)?,
                rule_id: r.get(1)?,
                operator: r.get(2)?,
                property: r.get(3)?,
                value: r.get(4)?,
                description: r.get(5)?,
            })
        },
    )?;
    build(rules, conditions)
}

fn with_rules(conn: &Connection, mut segments: Vec<Segment>) -> Result<Vec<Segment>> {
    let ids: Vec<SegmentId> = segments.iter().map(|s| s.id).collect();
    let mut trees = rules_of(conn, &ids)?;
    for s in &mut segments {
        s.rules = trees.remove(&s.id).unwrap_or_default();
    }
    Ok(segments)
}

fn find(conn: &Connection, id: SegmentId) -> Result<Segment> {
    let mut found = one(
        conn,
        &format!("SELECT {COLUMNS} FROM segments WHERE id = ?"),
        [id.0],
        segment,
    )?;
    found.rules = rules_of(conn, &[id])?.remove(&id).unwrap_or_default();
    Ok(found)
}

/// Writes the rule tree under the segment, in order.
fn insert_rules(tx: &Tx<'_>, segment: SegmentId, rules: &[SegmentRule]) -> Result<()> {
    let mut ids: Vec<i64> = Vec::new();
    for flat in flatten(rules) {
        let (segment_id, parent) = match flat.parent {
            None => (Some(segment.0), None),
            Some(at) => (None, ids.get(at).copied()),
        };
        let id: i64 = one(
            tx,
            "INSERT INTO segment_rules (segment_id, parent_rule_id, type) VALUES (?, ?, ?) RETURNING id",
            params![segment_id, parent, flat.rule.rule_type.as_str()],
            |r| r.get(0),
        )?;
        ids.push(id);
        for c in &flat.rule.conditions {
            exec(
                tx,
                "INSERT INTO segment_conditions (rule_id, operator, property, value, description)
                 VALUES (?, ?, ?, ?, ?)",
                params![id, c.operator.as_str(), c.property, c.value, c.description],
            )?;
        }
    }
    Ok(())
}

fn insert(tx: &Tx<'_>, new: &NewSegment, now: Timestamp) -> Result<SegmentId> {
    let id: i64 = one(tx, "INSERT INTO segments (uuid, project_id, name, description, feature_id, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", params![
                new_uuid(),
                new.project_id.0,
                new.name,
                new.description,
                new.feature_id.map(|f| f.0),
                ts(now),
                ts(now),
            ], |r| r.get(0))?;
    insert_rules(tx, SegmentId(id), &new.rules)?;
    Ok(SegmentId(id))
}

fn list(
    conn: &Connection,
    project: ProjectId,
    query: &SegmentQuery,
    page: PageRequest,
) -> Result<Page<Segment>> {
    let mut list = Listing::default();
    let p = list.arg(project.0);
    list.filter(format!("project_id = {p}"));
    if let Some(search) = &query.search {
        let p = list.arg(contains_pattern(search));
        list.filter(format!("fold(name) LIKE fold({p}) ESCAPE '\\'"));
    }
    if !query.include_feature_specific {
        list.filter("feature_id IS NULL");
    }
    let page = list.page(conn, (COLUMNS, "segments"), "id", page, segment)?;
    Ok(Page {
        items: with_rules(conn, page.items)?,
        total: page.total,
    })
}

#[async_trait]
impl SegmentStore for SqliteStore {
    async fn create_segment(&self, segment: &NewSegment, audit: &Audit) -> Result<Segment> {
        let (new, audit, now) = (segment.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let created = find(tx, insert(tx, &new, now)?)?;
            let scope = Scope::Project(created.project_id);
            let change = Change::created(
                &audit,
                OBJECT_TYPE,
                created.id.0,
                Some(&created.uuid),
                scope,
            );
            record(tx, now, &change)?;
            Ok(created)
        })
        .await
    }

    async fn segment(&self, id: SegmentId) -> Result<Segment> {
        self.read(move |c| find(c, id)).await
    }

    async fn segment_by_uuid(&self, uuid: &str) -> Result<Segment> {
        let uuid = uuid.to_string();
        self.read(move |c| find(c, SegmentId(id_by_uuid(c, "segments", &uuid)?)))
            .await
    }

    async fn segments_of(
        &self,
        project: ProjectId,
        query: &SegmentQuery,
        page: PageRequest,
    ) -> Result<Page<Segment>> {
        let query = query.clone();
        self.read(move |c| list(c, project, &query, page)).await
    }

    async fn all_segments_of(&self, project: ProjectId) -> Result<Vec<Segment>> {
        self.read(move |c| {
            let segments = all(
                c,
                &format!("SELECT {COLUMNS} FROM segments WHERE project_id = ? ORDER BY id"),
                [project.0],
                segment,
            )?;
            with_rules(c, segments)
        })
        .await
    }

    async fn update_segment(
        &self,
        id: SegmentId,
        update: &SegmentUpdate,
        audit: &Audit,
    ) -> Result<Segment> {
        let (update, audit, now) = (update.clone(), audit.clone(), self.now());
        self.write(move |tx| {
            let before = find(tx, id)?;
            exec(
                tx,
                "UPDATE segments SET name = ?, description = ?, updated_at = ? WHERE id = ?",
                params![update.name, update.description, ts(now), id.0],
            )?;
            // Nested rules and conditions go with their top-level rules.
            exec(tx, "DELETE FROM segment_rules WHERE segment_id = ?", [id.0])?;
            insert_rules(tx, id, &update.rules)?;
            let after = find(tx, id)?;
            let change = Change::updated(
                &audit,
                OBJECT_TYPE,
                id.0,
                Some(&after.uuid),
                Scope::Project(after.project_id),
                &SegmentContent::from(&before),
                &SegmentContent::from(&after),
            );
            record(tx, now, &change)?;
            Ok(after)
        })
        .await
    }

    async fn delete_segment(&self, id: SegmentId, audit: &Audit) -> Result<()> {
        let (audit, now) = (audit.clone(), self.now());
        self.write(move |tx| {
            let segment = find(tx, id)?;
            let scope = Scope::Project(segment.project_id);
            let change = Change::deleted(&audit, OBJECT_TYPE, id.0, Some(&segment.uuid), scope);
            record(tx, now, &change)?;
            let overridden = all(tx, "SELECT DISTINCT feature_id, environment_id FROM feature_segments WHERE segment_id = ?", [id.0], |r| {
                    Ok((FeatureId(r.get(0)?), EnvironmentId(r.get(1)?)))
                })?;
            // Its overrides go with it (foreign keys cascade); the others close up.
            exactly_one(
                exec(tx, "DELETE FROM segments WHERE id = ?", [id.0])?,
            )?;
            for (feature, env) in overridden {
                renumber(tx, feature, env)?;
            }
            Ok(())
        })
        .await
    }
}
