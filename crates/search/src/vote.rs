//! Majority voting over normalised answers (self-consistency, Wang et al. 2023).
//!
//! Answers vote under the task's `answer_key`, so `56088` and `056088`, or two countdown
//! expressions with the same value and numbers, count as one answer. Unreadable answers do not
//! vote. Ties go to the answer that reached the winning count first, so the result is
//! deterministic for a given order of samples.

use std::collections::HashMap;

/// The winning key and its vote count, or `None` when no sample had a readable answer.
pub fn majority(keys: &[Option<String>]) -> Option<(String, usize)> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut best: Option<(&str, usize)> = None;
    for k in keys.iter().flatten() {
        let c = counts.entry(k.as_str()).or_insert(0);
        *c += 1;
        if best.is_none_or(|(_, n)| *c > n) {
            best = Some((k.as_str(), *c));
        }
    }
    best.map(|(k, n)| (k.to_string(), n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_most_common_key_wins_and_ties_go_to_the_first_to_get_there() {
        let k = |s: &str| Some(s.to_string());
        assert_eq!(majority(&[k("1"), k("2"), k("2"), None]), Some(("2".into(), 2)));
        assert_eq!(majority(&[k("1"), k("2"), k("2"), k("1")]), Some(("2".into(), 2)));
        assert_eq!(majority(&[None, None]), None);
        assert_eq!(majority(&[]), None);
    }

    proptest! {
        #[test]
        fn the_winner_has_the_highest_count(keys in proptest::collection::vec(proptest::option::of(0u8..5), 0..40)) {
            let keys: Vec<Option<String>> = keys.into_iter().map(|k| k.map(|x| x.to_string())).collect();
            let count = |w: &str| keys.iter().flatten().filter(|k| k.as_str() == w).count();
            match majority(&keys) {
                None => prop_assert!(keys.iter().all(|k| k.is_none())),
                Some((w, n)) => {
                    prop_assert_eq!(n, count(&w));
                    for k in keys.iter().flatten() {
                        prop_assert!(count(k) <= n);
                    }
                }
            }
        }
    }
}
