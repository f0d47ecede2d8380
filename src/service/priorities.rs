//! Re-ordering the segment overrides of one feature in one environment.

use super::segment_overrides::{FeatureSegmentView, NOT_FOUND_IDS, manages};
use super::{Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::FeatureSegmentId;
use crate::domain::audit::Audit;
use crate::store::StoreError;

impl Service {
    /// Re-orders one feature's overrides in one environment; answers them all, strongest first.
    pub async fn update_priorities(
        &self,
        caller: &Caller,
        priorities: &[(FeatureSegmentId, i32)],
    ) -> ServiceResult<Vec<FeatureSegmentView>> {
        let mut errors = FieldErrors::default();
        for (i, (_, priority)) in priorities.iter().enumerate() {
            if *priority < 0 {
                errors.add(
                    format!("[{i}].priority"),
                    "Ensure this value is greater than or equal to 0.",
                );
            }
        }
        errors.into_result()?;
        if priorities.is_empty() {
            return Ok(Vec::new());
        }
        let mut found = Vec::with_capacity(priorities.len());
        for (id, _) in priorities {
            match self.store.feature_segment(*id).await {
                Ok(fs) => found.push(fs),
                Err(StoreError::NotFound) => {
                    return Err(ServiceError::invalid("non_field_errors", NOT_FOUND_IDS));
                }
                Err(e) => return Err(e.into()),
            }
        }
        let one = &found[0];
        if found
            .iter()
            .any(|fs| fs.environment_id != one.environment_id || fs.feature_id != one.feature_id)
        {
            return Err(ServiceError::invalid(
                "non_field_errors",
                "All feature segments must belong to the same feature & environment.",
            ));
        }
        let (_, env, access) = match self
            .environment_by_id_for(caller, one.environment_id, None)
            .await
        {
            Err(ServiceError::NotFound(_)) => {
                return Err(ServiceError::invalid("non_field_errors", NOT_FOUND_IDS));
            }
            other => other?,
        };
        manages(&access)?;
        let feature = self.store.feature(one.feature_id).await?;
        let log = format!(
            "Segment override priorities updated for feature: {} in environment: {}",
            feature.name, env.settings.name
        );
        let ordered = self
            .store
            .set_priorities(
                env.id,
                feature.id,
                priorities,
                &Audit::new(caller.author(), log),
            )
            .await?;
        let mut views = Vec::with_capacity(ordered.len());
        for fs in ordered {
            views.push(self.segment_view(fs).await?);
        }
        Ok(views)
    }
}
