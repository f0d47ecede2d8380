//! The shares of identities a state gives each multivariate option of its feature.

use super::rows::{all, exactly_one, exec};
use crate::domain::feature_state::{FeatureState, MvAllocation, MvStateValue};
use crate::domain::{FeatureId, FeatureStateId, MvOptionId};
use crate::store::{Result, StoreError};
use rusqlite::{Connection, Transaction, params};
use std::collections::HashMap;

/// Adds each state's shares, ordered by id.
pub(super) fn with_shares(
    conn: &Connection,
    mut states: Vec<FeatureState>,
) -> Result<Vec<FeatureState>> {
    let ids = serde_json::to_string(&states.iter().map(|s| s.id.0).collect::<Vec<_>>())
        .map_err(|e| StoreError::Other(format!("state ids: {e}")))?;
    let mut shares: HashMap<i64, Vec<MvStateValue>> = HashMap::new();
    let rows = all(
        conn,
        "SELECT feature_state_id, id, mv_option_id, percentage_allocation FROM mv_state_values
             WHERE feature_state_id IN (SELECT value FROM json_each(?)) ORDER BY id",
        [ids],
        |r| {
            Ok((
                r.get::<i64>(0)?,
                MvStateValue {
                    id: r.get(1)?,
                    mv_option_id: MvOptionId(r.get(2)?),
                    percentage_allocation: r.get(3)?,
                },
            ))
        },
    )?;
    for (state, share) in rows {
        shares.entry(state).or_default().push(share);
    }
    for s in &mut states {
        s.mv_values = shares.remove(&s.id.0).unwrap_or_default();
    }
    Ok(states)
}

/// Sets the state's share of each named option; `NotFound` for an option of another feature.
pub(super) fn set_shares(
    tx: &Transaction<'_>,
    state: FeatureStateId,
    feature: FeatureId,
    shares: &[MvAllocation],
) -> Result<()> {
    for share in shares {
        exactly_one(exec(
            tx,
            "INSERT INTO mv_state_values (feature_state_id, mv_option_id, percentage_allocation)
                 SELECT ?1, id, ?2 FROM mv_options WHERE id = ?3 AND feature_id = ?4
                 ON CONFLICT (feature_state_id, mv_option_id)
                 DO UPDATE SET percentage_allocation = excluded.percentage_allocation",
            params![
                state.0,
                share.percentage_allocation,
                share.mv_option_id.0,
                feature.0
            ],
        )?)?;
    }
    Ok(())
}
