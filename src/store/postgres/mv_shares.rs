//! The shares of identities a state gives each multivariate option of its feature.

use super::Tx;
use super::rows::{Conn, all, exactly_one, exec};
use crate::domain::feature_state::{FeatureState, MvAllocation};
use crate::domain::{FeatureId, FeatureStateId};
use crate::store::Result;
use crate::store::feature_states::{attach_shares, share};

/// Adds each state's shares, ordered by id.
pub(super) async fn with_shares(
    client: &impl Conn,
    states: Vec<FeatureState>,
) -> Result<Vec<FeatureState>> {
    let ids: Vec<i64> = states.iter().map(|s| s.id.0).collect();
    let shares = all(
        client,
        "SELECT feature_state_id, id, mv_option_id, percentage_allocation FROM mv_state_values
             WHERE feature_state_id = ANY($1) ORDER BY id",
        &[&ids],
        share,
    )
    .await?;
    Ok(attach_shares(states, shares))
}

/// Sets the state's share of each named option; `NotFound` for an option of another feature.
pub(super) async fn set_shares(
    tx: &Tx<'_>,
    state: FeatureStateId,
    feature: FeatureId,
    shares: &[MvAllocation],
) -> Result<()> {
    for share in shares {
        exactly_one(
            exec(
                tx,
                "INSERT INTO mv_state_values (feature_state_id, mv_option_id, percentage_allocation)
                 SELECT $1, id, $2 FROM mv_options WHERE id = $3 AND feature_id = $4
                 ON CONFLICT (feature_state_id, mv_option_id)
                 DO UPDATE SET percentage_allocation = excluded.percentage_allocation",
                &[
                    &state.0,
                    &share.percentage_allocation,
                    &share.mv_option_id.0,
                    &feature.0,
                ],
            )
            .await?,
        )?;
    }
    Ok(())
}
