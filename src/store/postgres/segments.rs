//! Segments of a project with their rule trees, in PostgreSQL.

use super::Tx;
use super::audit::record;
use super::listing::Listing;
use super::rows::{Conn, all, contains_pattern, exactly_one, exec, id_by_uuid, one};
use super::segment_overrides::renumber;
use super::{PostgresStore, read_snapshot};
use crate::domain::audit::Audit;
use crate::domain::segment::{NewSegment, Segment, SegmentQuery, SegmentRule, SegmentUpdate};
use crate::domain::{
    EnvironmentId, FeatureId, Page, PageRequest, ProjectId, SegmentId, Timestamp, new_uuid,
};
use crate::store::audit::{Change, Scope};
use crate::store::audited::SegmentContent;
use crate::store::rule_tree::{ConditionRow, RuleRow, build, flatten};
use crate::store::segments::{COLUMNS, segment};
use crate::store::{Result, SegmentStore};
use async_trait::async_trait;
use std::collections::HashMap;

const OBJECT_TYPE: &str = "Segment";

/// Every rule below the segments whose ids the array `$1` lists.
const TREE: &str = "WITH RECURSIVE tree(id) AS (
        SELECT id FROM segment_rules WHERE segment_id = ANY($1)
        UNION ALL
        SELECT r.id FROM segment_rules r JOIN tree t ON r.parent_rule_id = t.id
    )";

async fn rules_of(
    client: &impl Conn,
    ids: &[SegmentId],
) -> Result<HashMap<SegmentId, Vec<SegmentRule>>> {
    let ids: Vec<i64> = ids.iter().map(|s| s.0).collect();
    let rules = all(
        client,
        &format!(
            "{TREE} SELECT r.id, r.segment_id, r.parent_rule_id, r.type
             FROM segment_rules r JOIN tree t ON t.id = r.id"
        ),
        &[&ids],
        |r| {
            Ok(RuleRow {
                id: r.get(0)?,
                segment_id: r.get(1)?,
                parent_rule_id: r.get(2)?,
                rule_type: r.get(3)?,
            })
        },
    )
    .await?;
    let conditions = all(
        client,
        &format!(
            "{TREE} SELECT c.id, c.rule_id, c.operator, c.property, c.value, c.description
             FROM segment_conditions c JOIN tree t ON t.id = c.rule_id"
        ),
        &[&ids],
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
    )
    .await?;
    build(rules, conditions)
}

async fn with_rules(client: &impl Conn, mut segments: Vec<Segment>) -> Result<Vec<Segment>> {
    let ids: Vec<SegmentId> = segments.iter().map(|s| s.id).collect();
    let mut trees = rules_of(client, &ids).await?;
    for s in &mut segments {
        s.rules = trees.remove(&s.id).unwrap_or_default();
    }
    Ok(segments)
}

async fn find(client: &impl Conn, id: SegmentId) -> Result<Segment> {
    let mut found = one(
        client,
        &format!("SELECT {COLUMNS} FROM segments WHERE id = $1"),
        &[&id.0],
        segment,
    )
    .await?;
    found.rules = rules_of(client, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(found)
}

/// Writes the rule tree under the segment, in order.
async fn insert_rules(tx: &Tx<'_>, segment: SegmentId, rules: &[SegmentRule]) -> Result<()> {
    let mut ids: Vec<i64> = Vec::new();
    for flat in flatten(rules) {
        let (segment_id, parent) = match flat.parent {
            None => (Some(segment.0), None),
            Some(at) => (None, ids.get(at).copied()),
        };
        let id: i64 = one(
            tx,
            "INSERT INTO segment_rules (segment_id, parent_rule_id, type) VALUES ($1, $2, $3) RETURNING id",
            &[&segment_id, &parent, &flat.rule.rule_type.as_str()],
            |r| r.get(0),
        )
        .await?;
        ids.push(id);
        for c in &flat.rule.conditions {
            exec(
                tx,
                "INSERT INTO segment_conditions (rule_id, operator, property, value, description)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &id,
                    &c.operator.as_str(),
                    &c.property,
                    &c.value,
                    &c.description,
                ],
            )
            .await?;
        }
    }
    Ok(())
}

async fn insert(tx: &Tx<'_>, new: &NewSegment, now: Timestamp) -> Result<SegmentId> {
    let id: i64 = one(tx, "INSERT INTO segments (uuid, project_id, name, description, feature_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id", &[
                &new_uuid(),
                &new.project_id.0,
                &new.name,
                &new.description,
                &new.feature_id.map(|f| f.0),
                &now,
            ], |r| r.get(0)).await?;
    insert_rules(tx, SegmentId(id), &new.rules).await?;
    Ok(SegmentId(id))
}

async fn list(
    client: &impl Conn,
    project: ProjectId,
    query: &SegmentQuery,
    page: PageRequest,
) -> Result<Page<Segment>> {
    let mut list = Listing::default();
    let p = list.arg(project.0);
    list.filter(format!("project_id = {p}"));
    if let Some(search) = &query.search {
        let p = list.arg(contains_pattern(search));
        list.filter(format!("lower(name) LIKE lower({p}) ESCAPE '\\'"));
    }
    if !query.include_feature_specific {
        list.filter("feature_id IS NULL");
    }
    let page = list
        .page(client, (COLUMNS, "segments"), "id", page, segment)
        .await?;
    Ok(Page {
        items: with_rules(client, page.items).await?,
        total: page.total,
    })
}

#[async_trait]
impl SegmentStore for PostgresStore {
    async fn create_segment(&self, segment: &NewSegment, audit: &Audit) -> Result<Segment> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let id = insert(&tx, segment, now).await?;
        let created = find(&tx, id).await?;
        let scope = Scope::Project(created.project_id);
        let change = Change::created(audit, OBJECT_TYPE, id.0, Some(&created.uuid), scope);
        record(&tx, now, &change).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    async fn segment(&self, id: SegmentId) -> Result<Segment> {
        let mut client = self.client().await?;
        let tx = read_snapshot(&mut client).await?;
        let found = find(&tx, id).await?;
        tx.commit().await?;
        Ok(found)
    }

    async fn segment_by_uuid(&self, uuid: &str) -> Result<Segment> {
        let mut client = self.client().await?;
        let tx = read_snapshot(&mut client).await?;
        let id = id_by_uuid(&tx, "segments", uuid).await?;
        let found = find(&tx, SegmentId(id)).await?;
        tx.commit().await?;
        Ok(found)
    }

    async fn segments_of(
        &self,
        project: ProjectId,
        query: &SegmentQuery,
        page: PageRequest,
    ) -> Result<Page<Segment>> {
        let mut client = self.client().await?;
        let tx = read_snapshot(&mut client).await?;
        let page = list(&tx, project, query, page).await?;
        tx.commit().await?;
        Ok(page)
    }

    async fn all_segments_of(&self, project: ProjectId) -> Result<Vec<Segment>> {
        let mut client = self.client().await?;
        let tx = read_snapshot(&mut client).await?;
        let segments = all(
            &tx,
            &format!("SELECT {COLUMNS} FROM segments WHERE project_id = $1 ORDER BY id"),
            &[&project.0],
            segment,
        )
        .await?;
        let segments = with_rules(&tx, segments).await?;
        tx.commit().await?;
        Ok(segments)
    }

    async fn update_segment(
        &self,
        id: SegmentId,
        update: &SegmentUpdate,
        audit: &Audit,
    ) -> Result<Segment> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let before = find(&tx, id).await?;
        exec(
            &tx,
            "UPDATE segments SET name = $1, description = $2, updated_at = $3 WHERE id = $4",
            &[&update.name, &update.description, &now, &id.0],
        )
        .await?;
        // Nested rules and conditions go with their top-level rules.
        exec(
            &tx,
            "DELETE FROM segment_rules WHERE segment_id = $1",
            &[&id.0],
        )
        .await?;
        insert_rules(&tx, id, &update.rules).await?;
        let after = find(&tx, id).await?;
        let change = Change::updated(
            audit,
            OBJECT_TYPE,
            id.0,
            Some(&after.uuid),
            Scope::Project(after.project_id),
            &SegmentContent::from(&before),
            &SegmentContent::from(&after),
        );
        record(&tx, now, &change).await?;
        self.commit(tx).await?;
        Ok(after)
    }

    async fn delete_segment(&self, id: SegmentId, audit: &Audit) -> Result<()> {
        let now = self.now();
        let mut client = self.client().await?;
        let tx = Tx::begin(&mut client).await?;
        let segment = find(&tx, id).await?;
        let scope = Scope::Project(segment.project_id);
        let change = Change::deleted(audit, OBJECT_TYPE, id.0, Some(&segment.uuid), scope);
        record(&tx, now, &change).await?;
        let overridden = all(&tx, "SELECT DISTINCT feature_id, environment_id FROM feature_segments WHERE segment_id = $1", &[&id.0], |r| Ok((FeatureId(r.get(0)?), EnvironmentId(r.get(1)?)))).await?;
        // Its overrides go with it (foreign keys cascade); the others close up.
        exactly_one(exec(&tx, "DELETE FROM segments WHERE id = $1", &[&id.0]).await?)?;
        for (feature, env) in overridden {
            renumber(&tx, feature, env).await?;
        }
        self.commit(tx).await?;
        Ok(())
    }
}
