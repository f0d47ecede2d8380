//! Builders that seed a project through the store: features, segment and identity overrides.

use flagstaff::domain::audit::{Audit, Author};
use flagstaff::domain::feature::{Feature, FeatureSettings, NewFeature};
use flagstaff::domain::feature_state::{FeatureSegment, NewIdentityOverride, NewSegmentOverride};
use flagstaff::domain::segment::{Condition, NewSegment, Operator, RuleType, SegmentRule};
use flagstaff::domain::{EnvironmentId, FeatureValue, IdentityId, PageRequest, ProjectId};

use super::TestApp;

/// A project and one of its environments, seeded straight through the store (whose committed
/// writes reach the snapshots as the API's do).
pub struct Seed<'a> {
    app: &'a TestApp,
    pub project: ProjectId,
    pub env: EnvironmentId,
}

/// A segment condition `property = value`.
pub fn equal(property: &str, value: &str) -> Condition {
    condition(Operator::Equal, Some(property), value)
}

/// A segment condition that holds for `percent` % of identities.
pub fn percentage_split(percent: u8) -> Condition {
    condition(Operator::PercentageSplit, None, &percent.to_string())
}

fn condition(operator: Operator, property: Option<&str>, value: &str) -> Condition {
    Condition {
        id: None,
        operator,
        property: property.map(str::to_string),
        value: Some(value.to_string()),
        description: None,
    }
}

fn audit() -> Audit {
    Audit::new(Author::System, "seed")
}

impl<'a> Seed<'a> {
    pub fn new(app: &'a TestApp, project: ProjectId, env: EnvironmentId) -> Self {
        Seed { app, project, env }
    }

    /// A standard feature with a default state in every environment.
    pub async fn create_feature(
        &self,
        name: &str,
        enabled: bool,
        value: Option<&str>,
        server_key_only: bool,
    ) -> Feature {
        let new = NewFeature {
            project_id: self.project,
            name: name.into(),
            default_enabled: enabled,
            initial_value: value.map(str::to_string),
            settings: FeatureSettings {
                is_server_key_only: server_key_only,
                ..FeatureSettings::default()
            },
            tags: vec![],
            owners: Default::default(),
            mv_options: vec![],
        };
        self.app.store.create_feature(&new, &audit()).await.unwrap()
    }

    /// The project's feature of this name.
    pub async fn feature(&self, name: &str) -> Feature {
        let query = Default::default();
        let store = &self.app.store;
        let features = store.features_of(self.project, &query, PageRequest::all());
        let features = features.await.unwrap();
        features.items.into_iter().find(|f| f.name == name).unwrap()
    }

    /// A segment of one ALL rule over `conditions`, overriding `feature` in the environment.
    pub async fn segment_override(
        &self,
        feature: &Feature,
        segment: &str,
        conditions: Vec<Condition>,
        enabled: bool,
        value: &str,
    ) -> FeatureSegment {
        let new = NewSegment {
            project_id: self.project,
            name: segment.into(),
            description: None,
            feature_id: None,
            rules: vec![SegmentRule {
                id: None,
                rule_type: RuleType::All,
                rules: vec![],
                conditions,
            }],
        };
        let segment = self.app.store.create_segment(&new, &audit()).await.unwrap();
        let new = NewSegmentOverride {
            feature_id: feature.id,
            segment_id: segment.id,
            environment_id: self.env,
            priority: None,
            enabled,
            value: FeatureValue::String(value.into()),
            mv_values: vec![],
        };
        let store = &self.app.store;
        store
            .create_segment_override(&new, &audit())
            .await
            .unwrap()
            .0
    }

    /// An identity's own state of `feature`.
    pub async fn identity_override(
        &self,
        feature: &Feature,
        identity: IdentityId,
        enabled: bool,
        value: &str,
    ) {
        let new = NewIdentityOverride {
            feature_id: feature.id,
            identity_id: identity,
            enabled,
            value: FeatureValue::String(value.into()),
        };
        let store = &self.app.store;
        store
            .create_identity_override(&new, &audit())
            .await
            .unwrap();
    }
}
