//! The shares of identities a state gives each multivariate option of its feature.

use super::rows::exactly_one;
use crate::domain::feature_state::{FeatureState, MvAllocation, MvStateValue};
use crate::domain::{FeatureId, FeatureStateId, MvOptionId};
use crate::store::Result;
use deadpool_postgres::{GenericClient, Transaction};
use std::collections::HashMap;

/// Adds each state's shares, ordered by id.
pub(super) async fn with_shares(
    client: &impl GenericClient,
    mut states: Vec<FeatureState>,
) -> Result<Vec<FeatureState>> {
    let ids: Vec<i64> = states.iter().map(|s| s.id.0).collect();
    let stmt = client
        .prepare_cached(
            "SELECT feature_state_id, id, mv_option_id, percentage_allocation FROM mv_state_values
             WHERE feature_state_id = ANY($1) ORDER BY id",
        )
        .await?;
    let mut shares: HashMap<i64, Vec<MvStateValue>> = HashMap::new();
    for r in client.query(&stmt, &[&ids]).await? {
        shares.entry(r.try_get(0)?).or_default().push(MvStateValue {
            id: r.try_get(1)?,
            mv_option_id: MvOptionId(r.try_get(2)?),
            percentage_allocation: r.try_get(3)?,
        });
    }
    for s in &mut states {
        s.mv_values = shares.remove(&s.id.0).unwrap_or_default();
    }
    Ok(states)
}

/// Sets the state's share of each named option; `NotFound` for an option of another feature.
pub(super) async fn set_shares(
    tx: &Transaction<'_>,
    state: FeatureStateId,
    feature: FeatureId,
    shares: &[MvAllocation],
) -> Result<()> {
    let stmt = tx
        .prepare_cached(
            "INSERT INTO mv_state_values (feature_state_id, mv_option_id, percentage_allocation)
             SELECT $1, id, $2 FROM mv_options WHERE id = $3 AND feature_id = $4
             ON CONFLICT (feature_state_id, mv_option_id)
             DO UPDATE SET percentage_allocation = excluded.percentage_allocation",
        )
        .await?;
    for share in shares {
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] = [
            &state.0,
            &share.percentage_allocation,
            &share.mv_option_id.0,
            &feature.0,
        ];
        exactly_one(tx.execute(&stmt, &params).await?)?;
    }
    Ok(())
}
