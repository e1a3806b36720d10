//! Statements planned for `GetFlightInfo`, kept briefly so that the `DoGet` that follows (with
//! the ticket of that answer) runs the same plan instead of planning the statement again.
//!
//! Tickets stay stateless: one that arrives late, twice, at another server or from another user
//! finds nothing here and is planned from its SQL as before.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Plans by query id, each with the user who asked and when.
#[derive(Debug)]
pub(crate) struct RecentPlans<T> {
    ttl: Duration,
    max: usize,
    entries: Mutex<HashMap<String, Entry<T>>>,
}

#[derive(Debug)]
struct Entry<T> {
    user: String,
    at: Instant,
    plan: T,
}

impl<T> RecentPlans<T> {
    /// Keeps at most `max` plans, each for `ttl`.
    pub(crate) fn new(ttl: Duration, max: usize) -> Self {
        Self {
            ttl,
            max,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Keeps `plan`, planned for `user`, under `query_id`; the oldest plan makes room.
    pub(crate) fn put(&self, query_id: &str, user: &str, plan: T) {
        let now = Instant::now();
        let mut entries = self.entries.lock();
        entries.retain(|_, e| now.duration_since(e.at) < self.ttl);
        while entries.len() >= self.max {
            let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, e)| e.at)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            entries.remove(&oldest);
        }
        entries.insert(
            query_id.to_string(),
            Entry {
                user: user.to_string(),
                at: now,
                plan,
            },
        );
    }

    /// The plan kept under `query_id` for `user`, if it is still fresh; it is taken out, so a
    /// second `DoGet` of the same ticket plans again.
    pub(crate) fn take(&self, query_id: &str, user: &str) -> Option<T> {
        let mut entries = self.entries.lock();
        let entry = entries.remove(query_id)?;
        if entry.user != user || entry.at.elapsed() >= self.ttl {
            // Someone else's plan goes back untouched; a stale one is dropped.
            if entry.user != user && entry.at.elapsed() < self.ttl {
                entries.insert(query_id.to_string(), entry);
            }
            return None;
        }
        Some(entry.plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_is_taken_once_by_its_user() {
        let plans = RecentPlans::new(Duration::from_secs(60), 8);
        plans.put("q1", "ana", 1);
        assert_eq!(
            plans.take("q1", "bob"),
            None,
            "another user's ticket plans again"
        );
        assert_eq!(plans.take("q1", "ana"), Some(1));
        assert_eq!(plans.take("q1", "ana"), None, "a second DoGet plans again");
        assert_eq!(plans.take("nope", "ana"), None);
    }

    #[test]
    fn stale_plans_are_not_used() {
        let plans = RecentPlans::new(Duration::ZERO, 8);
        plans.put("q1", "ana", 1);
        assert_eq!(plans.take("q1", "ana"), None);
    }

    #[test]
    fn the_oldest_plan_makes_room() {
        let plans = RecentPlans::new(Duration::from_secs(60), 2);
        plans.put("q1", "ana", 1);
        std::thread::sleep(Duration::from_millis(2));
        plans.put("q2", "ana", 2);
        plans.put("q3", "ana", 3);
        assert_eq!(plans.take("q1", "ana"), None);
        assert_eq!(plans.take("q2", "ana"), Some(2));
        assert_eq!(plans.take("q3", "ana"), Some(3));
    }
}
