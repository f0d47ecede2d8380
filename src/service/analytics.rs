//! Flag analytics: the SDKs' evaluation counts, stored and read back per day.

use chrono::{NaiveDate, TimeDelta};
use serde_json::Value;

use super::sdk_environment::SdkEnvironment;
use super::{Caller, Service, ServiceError, ServiceResult};
use crate::domain::analytics::{EvaluationCount, Labels};
use crate::domain::{EnvironmentId, FeatureId, ProjectId};

/// The longest label value kept; longer ones are cut.
const LABEL_LIMIT: usize = 200;

/// A count as large as one report may add (SDKs flush every few seconds).
const COUNT_LIMIT: i64 = 1_000_000_000;

/// What a reporting SDK says about itself, from its request headers.
#[derive(Debug, Clone, Default)]
pub struct Reporter {
    pub application_name: Option<String>,
    pub application_version: Option<String>,
    pub user_agent: Option<String>,
}

impl Reporter {
    fn labels(&self) -> Labels {
        let mut labels = Labels::new();
        for (key, value) in [
            ("client_application_name", &self.application_name),
            ("client_application_version", &self.application_version),
            ("user_agent", &self.user_agent),
        ] {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                labels.insert(key.to_string(), v.chars().take(LABEL_LIMIT).collect());
            }
        }
        labels
    }
}

/// The period `evaluation-data/` covers: `24h` or `7d` style, in whole days (at least one).
pub fn period_days(period: Option<&str>) -> Result<i64, String> {
    let Some(period) = period.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(30);
    };
    let bad = || format!("\"{period}\" is not a period like 24h or 30d.");
    let (number, hours) = match (period.strip_suffix('d'), period.strip_suffix('h')) {
        (Some(number), _) => (number, false),
        (None, Some(number)) => (number, true),
        (None, None) => return Err(bad()),
    };
    let number: i64 = number
        .parse()
        .ok()
        .filter(|n| (1..=3650).contains(n))
        .ok_or_else(bad)?;
    Ok(if hours { (number + 23) / 24 } else { number })
}

impl Service {
    /// `POST /analytics/flags/` (v1: `{name: count}`) and v2 (`{"evaluations": [...]}`):
    /// adds the counts of features the environment has; other names and counts that are not
    /// positive integers are dropped, as upstream drops them.
    pub async fn record_flag_evaluations(
        &self,
        sdk: &SdkEnvironment,
        counts: Vec<(String, Value)>,
        reporter: &Reporter,
    ) -> ServiceResult<()> {
        let snapshot = &*sdk.snapshot;
        let mut by_feature: Vec<(FeatureId, i64)> = Vec::new();
        for (name, count) in counts {
            let Some(count) = count.as_i64().filter(|c| (1..=COUNT_LIMIT).contains(c)) else {
                continue;
            };
            let Some(entry) = snapshot.feature_named(&name, true) else {
                continue;
            };
            match by_feature.iter_mut().find(|(f, _)| *f == entry.feature.id) {
                Some((_, total)) => *total = total.saturating_add(count),
                None => by_feature.push((entry.feature.id, count)),
            }
        }
        if by_feature.is_empty() {
            return Ok(());
        }
        let day = self.clock.now().date_naive();
        self.store
            .record_evaluations(
                snapshot.environment.id,
                day,
                &reporter.labels(),
                &by_feature,
            )
            .await?;
        Ok(())
    }

    /// A feature's counts in one environment of its project over the last `days` days
    /// (today included), by day.
    pub async fn feature_evaluations(
        &self,
        caller: &Caller,
        project: ProjectId,
        feature: FeatureId,
        env: EnvironmentId,
        days: i64,
    ) -> ServiceResult<Vec<EvaluationCount>> {
        let (project, _) = self.project_for(caller, project, None).await?;
        let feature = super::features::feature_in(self, &project, feature).await?;
        let env = match self.store.environment(env).await {
            Ok(e) if e.project_id == project.id => e,
            Ok(_) | Err(crate::store::StoreError::NotFound) => {
                return Err(ServiceError::invalid(
                    "environment_id",
                    format!("Invalid pk \"{}\" - object does not exist.", env.0),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let today: NaiveDate = self.clock.now().date_naive();
        let since = today - TimeDelta::days(days - 1);
        Ok(self.store.evaluations(env.id, feature.id, since).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::period_days;

    #[test]
    fn periods_are_days_or_hours_rounded_up_to_days() {
        assert_eq!(period_days(None), Ok(30));
        assert_eq!(period_days(Some(" ")), Ok(30));
        assert_eq!(period_days(Some("7d")), Ok(7));
        assert_eq!(period_days(Some("24h")), Ok(1));
        assert_eq!(period_days(Some("25h")), Ok(2));
        for bad in [
            "d", "0d", "3651d", "7w", "x", "-1d", "\u{80}", "7\u{80}", "\u{e9}d",
        ] {
            assert!(period_days(Some(bad)).is_err(), "{bad:?}");
        }
    }
}
