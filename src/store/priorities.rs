//! The priorities of a feature's segment overrides in one environment: dense from 0, 0 strongest.
//
// The priorities of a feature's segment overrides in one environment: dense from 0, where 0
// is the strongest. Both backends compute the new numbers here and write what changed.

use super::{Result, StoreError};
use crate::domain::FeatureSegmentId;
use crate::domain::feature_state::FeatureSegment;
use std::collections::HashMap;

/// Where a new override goes among `count` others: at the requested priority (clamped to
/// `0..=count`), or last without one.
pub(crate) fn insertion_point(requested: Option<i32>, count: usize) -> i32 {
    let last = i32::try_from(count).unwrap_or(i32::MAX);
    requested.map_or(last, |p| p.clamp(0, last))
}

/// The overrides renumbered densely from 0 after `given` ids take the given priorities.
/// `current` is in priority order. On equal priorities a given override comes before one
/// that keeps its place, then the old order decides. `NotFound` when a given id is not in
/// `current`. Returns every override, in the new order, with its new priority.
pub(crate) fn reorder(
    current: &[FeatureSegment],
    given: &[(FeatureSegmentId, i32)],
) -> Result<Vec<FeatureSegment>> {
    let wanted: HashMap<FeatureSegmentId, i32> = given.iter().copied().collect();
    if wanted
        .keys()
        .any(|id| !current.iter().any(|fs| fs.id == *id))
    {
        return Err(StoreError::NotFound);
    }
    let mut keyed: Vec<(i32, bool, usize, &FeatureSegment)> = current
        .iter()
        .enumerate()
        .map(|(place, fs)| match wanted.get(&fs.id) {
            Some(&p) => (p, false, place, fs),
            None => (fs.priority, true, place, fs),
        })
        .collect();
    keyed.sort_by_key(|&(priority, kept, place, _)| (priority, kept, place));
    Ok(keyed
        .into_iter()
        .zip(0..)
        .map(|((_, _, _, fs), priority)| FeatureSegment {
            priority,
            ..fs.clone()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EnvironmentId, FeatureId, SegmentId};

    fn fs(id: i64, priority: i32) -> FeatureSegment {
        FeatureSegment {
            id: FeatureSegmentId(id),
            uuid: String::new(),
            feature_id: FeatureId(1),
            segment_id: SegmentId(id),
            environment_id: EnvironmentId(1),
            priority,
        }
    }

    fn order(list: &[FeatureSegment]) -> Vec<(i64, i32)> {
        list.iter().map(|f| (f.id.0, f.priority)).collect()
    }

    #[test]
    fn new_overrides_go_last_or_where_asked() {
        assert_eq!(insertion_point(None, 3), 3);
        assert_eq!(insertion_point(Some(1), 3), 1);
        assert_eq!(insertion_point(Some(9), 3), 3);
        assert_eq!(insertion_point(Some(-2), 3), 0);
    }

    #[test]
    fn a_moved_override_claims_its_place_and_the_rest_close_up() {
        let current = [fs(1, 0), fs(2, 1), fs(3, 2)];
        let moved = reorder(&current, &[(FeatureSegmentId(3), 0)]).unwrap();
        assert_eq!(order(&moved), [(3, 0), (1, 1), (2, 2)]);
        let gaps = reorder(&[fs(1, 0), fs(2, 4), fs(3, 9)], &[]).unwrap();
        assert_eq!(order(&gaps), [(1, 0), (2, 1), (3, 2)]);
        let all = reorder(
            &current,
            &[
                (FeatureSegmentId(1), 2),
                (FeatureSegmentId(2), 0),
                (FeatureSegmentId(3), 1),
            ],
        )
        .unwrap();
        assert_eq!(order(&all), [(2, 0), (3, 1), (1, 2)]);
        let unknown = reorder(&current, &[(FeatureSegmentId(7), 0)]);
        assert!(matches!(unknown, Err(StoreError::NotFound)));
    }
}
