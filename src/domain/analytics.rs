//! Flag evaluations the SDKs report, counted per day.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

/// What a reporting SDK said about itself (application name and version, user agent).
pub type Labels = BTreeMap<String, String>;

/// How often a feature was evaluated in an environment on one UTC day, by SDKs with these labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluationCount {
    pub day: NaiveDate,
    pub labels: Labels,
    pub count: i64,
}

/// Labels as stored: a JSON object with its keys in order, so equal labels are equal text.
pub fn labels_key(labels: &Labels) -> String {
    serde_json::to_string(labels).unwrap_or_else(|_| "{}".into())
}

/// The stored text back as labels (anything unreadable reads as none).
pub fn labels_of(text: &str) -> Labels {
    serde_json::from_str(text).unwrap_or_default()
}
