//! Multivariate options: a feature's values, each with a default share (at most 100 % in all).

use super::features::feature_in;
use super::values::{check_allocation, check_integer, check_string_value};
use super::{Caller, FieldErrors, Service, ServiceError, ServiceResult};
use crate::domain::audit::Audit;
use crate::domain::feature::{MvOption, NewMvOption};
use crate::domain::{FeatureId, FeatureValue, MvOptionId, Page, PageRequest, ProjectId};
use crate::store::StoreError;

/// An option as a request writes it; `None` leaves a field as it is (or at its default).
#[derive(Debug, Clone, Default)]
pub struct MvOptionPatch {
    pub key: Option<Option<String>>,
    /// `unicode`, `int` or `bool`.
    pub value_type: Option<String>,
    pub string_value: Option<Option<String>>,
    pub integer_value: Option<Option<i64>>,
    pub boolean_value: Option<Option<bool>>,
    pub default_percentage_allocation: Option<f64>,
}

/// The key upstream reserves for the control value of an experiment.
const RESERVED_KEY: &str = "control";

const INVALID_ALLOCATION: &str = "Invalid percentage allocation";

impl MvOptionPatch {
    /// The option this patch makes of `current` (or of upstream's defaults), with the problems
    /// of each field under `prefix` (e.g. `multivariate_options[0].`).
    pub(crate) fn build(
        self,
        current: Option<&MvOption>,
        prefix: &str,
        errors: &mut FieldErrors,
    ) -> NewMvOption {
        let field = |name: &str| format!("{prefix}{name}");
        let value = current.map(|o| &o.value);
        let value_type = self
            .value_type
            .unwrap_or_else(|| value.map_or("unicode", |v| v.type_name()).to_string());
        if !matches!(value_type.as_str(), "unicode" | "int" | "bool") {
            errors.add(
                field("type"),
                format!("\"{value_type}\" is not a valid choice."),
            );
        }
        let string = self
            .string_value
            .unwrap_or_else(|| value.and_then(|v| v.string_column().map(str::to_string)));
        let integer = self
            .integer_value
            .unwrap_or_else(|| value.and_then(FeatureValue::integer_column));
        let boolean = self
            .boolean_value
            .unwrap_or_else(|| value.and_then(FeatureValue::boolean_column));
        if let Some(s) = &string {
            check_string_value(errors, &field("string_value"), s);
        }
        if let Some(i) = integer {
            check_integer(errors, &field("integer_value"), i);
        }
        let key = self
            .key
            .unwrap_or_else(|| current.and_then(|o| o.key.clone()))
            .filter(|k| !k.is_empty());
        if let Some(k) = &key {
            check_key(errors, &field("key"), k);
        }
        let allocation = self
            .default_percentage_allocation
            .or(current.map(|o| o.default_percentage_allocation))
            .unwrap_or(100.0);
        check_allocation(errors, &field("default_percentage_allocation"), allocation);
        NewMvOption {
            key,
            value: FeatureValue::from_columns(&value_type, string, integer, boolean),
            default_percentage_allocation: allocation,
        }
    }
}

/// A key is a slug (letters, digits, `-`, `_`), at most 100 long, and not `control`.
fn check_key(errors: &mut FieldErrors, field: &str, key: &str) {
    let slug = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !slug {
        errors.add(
            field,
            "Enter a valid \u{201c}slug\u{201d} consisting of letters, numbers, underscores or hyphens.",
        );
    } else if key.chars().count() > 100 {
        errors.add(field, "Ensure this field has no more than 100 characters.");
    } else if key == RESERVED_KEY {
        errors.add(field, "\"control\" is reserved for the control value.");
    }
}

/// The index of the first option whose key an earlier option already has.
pub(crate) fn duplicate_key(options: &[NewMvOption]) -> Option<usize> {
    options.iter().enumerate().position(|(i, o)| {
        o.key.is_some() && options[..i].iter().any(|earlier| earlier.key == o.key)
    })
}

pub(crate) const DUPLICATE_KEY: &str = "An option with this key already exists for this feature.";

fn conflict(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(_) => ServiceError::invalid("key", DUPLICATE_KEY),
        other => other.into(),
    }
}

impl Service {
    /// One page of a feature's options, by id.
    pub async fn mv_options(
        &self,
        caller: &Caller,
        project: ProjectId,
        feature: FeatureId,
        page: PageRequest,
    ) -> ServiceResult<Page<MvOption>> {
        let (project, _) = self.project_for(caller, project, None).await?;
        let feature = feature_in(self, &project, feature).await?;
        Ok(Page::slice(self.store.mv_options(feature.id).await?, page))
    }

    pub async fn mv_option(
        &self,
        caller: &Caller,
        project: ProjectId,
        feature: FeatureId,
        id: MvOptionId,
    ) -> ServiceResult<MvOption> {
        let (project, _) = self.project_for(caller, project, None).await?;
        let feature = feature_in(self, &project, feature).await?;
        self.own_option(feature.id, id).await
    }

    /// An option of a feature of any project the caller may view, by its uuid.
    pub async fn mv_option_by_uuid(&self, caller: &Caller, uuid: &str) -> ServiceResult<MvOption> {
        let option = self.store.mv_option_by_uuid(uuid).await?;
        let feature = self.store.feature(option.feature_id).await?;
        self.project_for(caller, feature.project_id, None).await?;
        Ok(option)
    }

    async fn own_option(&self, feature: FeatureId, id: MvOptionId) -> ServiceResult<MvOption> {
        match self.store.mv_option(id).await {
            Ok(option) if option.feature_id == feature => Ok(option),
            Ok(_) | Err(StoreError::NotFound) => Err(ServiceError::NotFound(None)),
            Err(e) => Err(e.into()),
        }
    }

    /// Adds an option (`CREATE_FEATURE`); every environment default gets its default share.
    pub async fn create_mv_option(
        &self,
        caller: &Caller,
        project: ProjectId,
        feature: FeatureId,
        patch: MvOptionPatch,
    ) -> ServiceResult<MvOption> {
        let (project, _) = self
            .project_for(caller, project, Some("CREATE_FEATURE"))
            .await?;
        let feature = feature_in(self, &project, feature).await?;
        let siblings = self.store.mv_options(feature.id).await?;
        let option = self.checked_option(patch, None, &siblings)?;
        let audit = Audit::new(
            caller.author(),
            format!(
                "New multivariate option created for feature: {}",
                feature.name
            ),
        );
        let created = self
            .store
            .create_mv_option(feature.id, &option, &audit)
            .await
            .map_err(conflict)?;
        Ok(created)
    }

    /// Changes an option's key, value or default share (`CREATE_FEATURE`).
    pub async fn update_mv_option(
        &self,
        caller: &Caller,
        project: ProjectId,
        feature: FeatureId,
        id: MvOptionId,
        patch: MvOptionPatch,
    ) -> ServiceResult<MvOption> {
        let (project, _) = self
            .project_for(caller, project, Some("CREATE_FEATURE"))
            .await?;
        let feature = feature_in(self, &project, feature).await?;
        let current = self.own_option(feature.id, id).await?;
        let siblings = self.store.mv_options(feature.id).await?;
        let option = self.checked_option(patch, Some(&current), &siblings)?;
        let audit = Audit::new(
            caller.author(),
            format!("Multivariate option updated for feature: {}", feature.name),
        );
        let updated = self
            .store
            .update_mv_option(id, &option, &audit)
            .await
            .map_err(conflict)?;
        Ok(updated)
    }

    /// Deletes an option (`CREATE_FEATURE`); the last one makes the feature `STANDARD`.
    pub async fn delete_mv_option(
        &self,
        caller: &Caller,
        project: ProjectId,
        feature: FeatureId,
        id: MvOptionId,
    ) -> ServiceResult<()> {
        let (project, _) = self
            .project_for(caller, project, Some("CREATE_FEATURE"))
            .await?;
        let feature = feature_in(self, &project, feature).await?;
        self.own_option(feature.id, id).await?;
        let audit = Audit::new(
            caller.author(),
            format!("Multivariate option deleted for feature: {}", feature.name),
        );
        self.store.delete_mv_option(id, &audit).await?;
        Ok(())
    }

    /// The option a patch makes, checked against the feature's other options.
    fn checked_option(
        &self,
        patch: MvOptionPatch,
        current: Option<&MvOption>,
        siblings: &[MvOption],
    ) -> ServiceResult<NewMvOption> {
        let mut errors = FieldErrors::default();
        let option = patch.build(current, "", &mut errors);
        errors.into_result()?;
        let others = siblings
            .iter()
            .filter(|o| current.is_none_or(|c| c.id != o.id));
        let mut errors = FieldErrors::default();
        let shared: f64 = others
            .clone()
            .map(|o| o.default_percentage_allocation)
            .sum();
        if shared + option.default_percentage_allocation > 100.0 {
            errors.add("default_percentage_allocation", INVALID_ALLOCATION);
        }
        if option.key.is_some() && others.clone().any(|o| o.key == option.key) {
            errors.add("key", DUPLICATE_KEY);
        }
        errors.into_result()?;
        Ok(option)
    }
}
