//! Multivariate options: how a row reads.

use crate::domain::feature::MvOption;
use crate::domain::{FeatureId, FeatureValue, MvOptionId};
use crate::store::Result;
use crate::store::rows::Columns;

pub(super) const COLUMNS: &str =
    "id, uuid, feature_id, key, value_type, string_value, integer_value,
    boolean_value, default_percentage_allocation";

pub(super) fn option(row: &dyn Columns) -> Result<MvOption> {
    let value_type: String = row.get(4)?;
    Ok(MvOption {
        id: MvOptionId(row.get(0)?),
        uuid: row.get(1)?,
        feature_id: FeatureId(row.get(2)?),
        key: row.get(3)?,
        value: FeatureValue::from_columns(&value_type, row.get(5)?, row.get(6)?, row.get(7)?),
        default_percentage_allocation: row.get(8)?,
    })
}
